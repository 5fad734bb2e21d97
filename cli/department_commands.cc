#include "cli/department_commands.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
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

struct RotateRootArgs {
  std::string department;
  bool status = false;
  bool wait = false;
};

std::string RotationText(const v1::RootRotation& rotation) {
  const int64_t done = rotation.versions_total() - rotation.versions_remaining();
  std::string text = absl::StrCat("root key rotation of ", rotation.department(), ": ",
                                  rotation.state(), "\n\n");
  Table fields{.rows = {
                   {"old root key:", rotation.old_root_key_id()},
                   {"new root key:", rotation.new_root_key_id()},
                   {"re-wrapped:", absl::StrCat(std::max<int64_t>(done, 0), " of ",
                                                rotation.versions_total(), " versions (",
                                                rotation.versions_remaining(), " remaining)")},
                   {"started:", absl::StrCat(rotation.started_by(), " at ",
                                             FormatTimestamp(rotation.start_time()))},
                   {"finished:", FormatTimestamp(rotation.finish_time())},
               }};
  return absl::StrCat(text, RenderTable(fields));
}

absl::Status RunRotateRoot(const GlobalOptions& globals, const RotateRootArgs& args) {
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals));
  auto stub = v1::KeyManagementService::NewStub(env.channel());
  v1::RootRotationRequest request;
  request.set_department(args.department);
  v1::RootRotation response;
  RETURN_IF_ERROR(env.Call([&](grpc::ClientContext* context) {
    return args.status ? stub->GetRootRotation(context, request, &response)
                       : stub->RotateRootKey(context, request, &response);
  }));
  // Progress on stderr, so stdout stays the final answer (table or JSON).
  int64_t shown = -1;
  while (args.wait && response.state() != "finished") {
    if (response.versions_remaining() != shown) {
      shown = response.versions_remaining();
      std::fprintf(stderr, "%s: %s, %lld of %lld versions re-wrapped\n",
                   response.department().c_str(), response.state().c_str(),
                   static_cast<long long>(response.versions_total() - shown),
                   static_cast<long long>(response.versions_total()));
    }
    absl::SleepFor(absl::Seconds(1));
    RETURN_IF_ERROR(env.Call([&](grpc::ClientContext* context) {
      return stub->GetRootRotation(context, request, &response);
    }));
  }
  return PrintText(env.output(), response, RotationText(response));
}

}  // namespace

void AddDepartmentCommands(CLI::App& app, const CommandRegistry& registry) {
  CLI::App* department =
      app.add_subcommand("department", "create and list departments and rotate their root keys (each has its own)");
  department->require_subcommand(1);

  auto request = std::make_shared<v1::CreateDepartmentRequest>();
  CLI::App* create = department->add_subcommand("create", "create a department and its root key");
  create->add_option("NAME", *request->mutable_name(), "the department's name")->required();
  create->add_option("--display-name", *request->mutable_display_name(), "a name for people");
  create->add_option("--token-label", *request->mutable_token_label(),
                     "the HSM token for the department's keys (default: the server's token)");
  OnSelected(create, registry,
             [globals = registry.globals, request] { return RunCreate(*globals, *request); });

  auto rotate = std::make_shared<RotateRootArgs>();
  CLI::App* rotate_root = department->add_subcommand(
      "rotate-root",
      "make a new root key for the department; its key versions are re-wrapped under it in the "
      "background and the old root key is destroyed when none needs it");
  rotate_root->add_option("DEPT", rotate->department, "the department")->required();
  rotate_root->add_flag("--status", rotate->status,
                        "start nothing: show where the latest rotation stands");
  rotate_root->add_flag("--wait", rotate->wait,
                        "wait until the rotation has finished, printing progress to stderr");
  OnSelected(rotate_root, registry,
             [globals = registry.globals, rotate] { return RunRotateRoot(*globals, *rotate); });

  CLI::App* list = department->add_subcommand("list", "list the departments");
  OnSelected(list, registry, [globals = registry.globals] { return RunList(*globals); });
}

}  // namespace yinjian::cli
