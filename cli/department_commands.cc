#include "cli/department_commands.h"

#include <memory>
#include <string>

#include "cli/command_env.h"
#include "common/status_macros.h"
#include "yinjian/v1/keys.grpc.pb.h"

namespace yinjian::cli {
namespace {

Table DepartmentTable(const google::protobuf::RepeatedPtrField<v1::Department>& departments) {
  Table table{.header = {"NAME", "DISPLAY NAME", "TOKEN", "CREATED"}};
  for (const v1::Department& department : departments) {
    table.rows.push_back({department.name(), department.display_name(),
                          department.token_label().empty() ? "(default)" : department.token_label(),
                          FormatTimestamp(department.create_time())});
  }
  return table;
}

absl::Status RunCreate(const GlobalOptions& globals, const v1::CreateDepartmentRequest& request) {
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals));
  auto stub = v1::KeyManagementService::NewStub(env.channel());
  v1::Department response;
  RETURN_IF_ERROR(env.Call([&](grpc::ClientContext* context) {
    return stub->CreateDepartment(context, request, &response);
  }));
  google::protobuf::RepeatedPtrField<v1::Department> one;
  *one.Add() = response;
  return Print(env.output(), response, DepartmentTable(one));
}

absl::Status RunList(const GlobalOptions& globals) {
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals));
  auto stub = v1::KeyManagementService::NewStub(env.channel());
  v1::ListDepartmentsResponse response;
  RETURN_IF_ERROR(env.Call([&](grpc::ClientContext* context) {
    return stub->ListDepartments(context, v1::ListDepartmentsRequest(), &response);
  }));
  return Print(env.output(), response, DepartmentTable(response.departments()));
}

}  // namespace

void AddDepartmentCommands(CLI::App& app, const CommandRegistry& registry) {
  CLI::App* department =
      app.add_subcommand("department", "create and list departments (each has its own root key)");
  department->require_subcommand(1);

  auto request = std::make_shared<v1::CreateDepartmentRequest>();
  CLI::App* create = department->add_subcommand("create", "create a department and its root key");
  create->add_option("NAME", *request->mutable_name(), "the department's name")->required();
  create->add_option("--display-name", *request->mutable_display_name(), "a name for people");
  create->add_option("--token-label", *request->mutable_token_label(),
                     "the HSM token for the department's keys (default: the server's token)");
  OnSelected(create, registry,
             [globals = registry.globals, request] { return RunCreate(*globals, *request); });

  CLI::App* list = department->add_subcommand("list", "list the departments");
  OnSelected(list, registry, [globals = registry.globals] { return RunList(*globals); });
}

}  // namespace yinjian::cli
