#include "cli/role_commands.h"

#include <memory>
#include <string>

#include "absl/strings/str_join.h"
#include "cli/access_names.h"
#include "cli/access_output.h"
#include "cli/command_env.h"
#include "common/status_macros.h"
#include "yinjian/v1/access.grpc.pb.h"

namespace yinjian::cli {
namespace {

struct RoleArgs {
  std::string principal;
  std::string role;
};

absl::Status RunBind(const GlobalOptions& globals, const RoleArgs& args) {
  RETURN_IF_ERROR(CheckName("role", args.role, RoleNames()));
  v1::BindRoleRequest request;
  request.set_principal(args.principal);
  request.set_role(args.role);
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals));
  auto stub = v1::AccessService::NewStub(env.channel());
  v1::Principal response;
  RETURN_IF_ERROR(env.Call(
      [&](grpc::ClientContext* context) { return stub->BindRole(context, request, &response); }));
  return PrintText(env.output(), response, PrincipalDetail(response));
}

absl::Status RunUnbind(const GlobalOptions& globals, const RoleArgs& args) {
  RETURN_IF_ERROR(CheckName("role", args.role, RoleNames()));
  v1::UnbindRoleRequest request;
  request.set_principal(args.principal);
  request.set_role(args.role);
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals));
  auto stub = v1::AccessService::NewStub(env.channel());
  v1::Principal response;
  RETURN_IF_ERROR(env.Call([&](grpc::ClientContext* context) {
    return stub->UnbindRole(context, request, &response);
  }));
  return PrintText(env.output(), response, PrincipalDetail(response));
}

void AddRoleCommand(CLI::App* role, const CommandRegistry& registry, const char* name,
                    const char* help, absl::Status (*run)(const GlobalOptions&, const RoleArgs&)) {
  auto args = std::make_shared<RoleArgs>();
  CLI::App* command = role->add_subcommand(name, help);
  command->add_option("PRINCIPAL", args->principal, "the principal")->required();
  command->add_option("ROLE", args->role, "one of: " + absl::StrJoin(RoleNames(), ", "))
      ->required();
  OnSelected(command, registry,
             [globals = registry.globals, args, run] { return run(*globals, *args); });
}

}  // namespace

void AddRoleCommands(CLI::App& app, const CommandRegistry& registry) {
  CLI::App* role = app.add_subcommand("role", "bind roles to principals and unbind them");
  role->require_subcommand(1);
  AddRoleCommand(role, registry, "bind", "give a principal a role", RunBind);
  AddRoleCommand(role, registry, "unbind", "take a role from a principal", RunUnbind);
}

}  // namespace yinjian::cli
