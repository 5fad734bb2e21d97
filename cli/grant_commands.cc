#include "cli/grant_commands.h"

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "cli/access_names.h"
#include "cli/access_output.h"
#include "cli/command_env.h"
#include "cli/time_flags.h"
#include "common/status_macros.h"
#include "yinjian/v1/access.grpc.pb.h"

namespace yinjian::cli {
namespace {

struct RequestArgs {
  std::string key;
  std::string grantee_principal;
  std::string grantee_department;
  std::vector<std::string> operations;
  std::vector<std::string> purposes;
  std::string expires;
  std::string valid_for;
  int64_t max_uses = 0;
  std::string justification;
};

struct RevokeArgs {
  int64_t id = 0;
  std::string reason;
};

absl::StatusOr<v1::RequestGrantRequest> BuildRequest(const RequestArgs& args) {
  v1::RequestGrantRequest request;
  request.set_key(args.key);
  if (args.grantee_principal.empty() == args.grantee_department.empty()) {
    return absl::InvalidArgumentError(
        "give exactly one of --grantee-principal P and --grantee-department D");
  }
  request.set_grantee_principal(args.grantee_principal);
  request.set_grantee_department(args.grantee_department);
  ASSIGN_OR_RETURN(const std::vector<std::string> operations,
                   CheckNames("operation", args.operations, OperationNames()));
  request.mutable_operations()->Assign(operations.begin(), operations.end());
  for (const std::string& purpose : args.purposes) {
    if (purpose.empty()) return absl::InvalidArgumentError("--purpose must not be empty");
    *request.add_purposes() = purpose;
  }
  ASSIGN_OR_RETURN(const absl::Time expiry,
                   ExpiryFromFlags(args.expires, args.valid_for, absl::Now()));
  *request.mutable_expire_time() = ToTimestamp(expiry);
  request.set_max_uses(args.max_uses);
  request.set_justification(args.justification);
  return request;
}

absl::Status PrintGrant(const CommandEnv& env, const v1::Grant& grant) {
  return PrintText(env.output(), grant, GrantDetail(grant));
}

absl::Status RunRequest(const GlobalOptions& globals, const RequestArgs& args) {
  ASSIGN_OR_RETURN(const v1::RequestGrantRequest request, BuildRequest(args));
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals));
  auto stub = v1::AccessService::NewStub(env.channel());
  v1::Grant response;
  RETURN_IF_ERROR(env.Call([&](grpc::ClientContext* context) {
    return stub->RequestGrant(context, request, &response);
  }));
  return PrintGrant(env, response);
}

absl::Status RunApprove(const GlobalOptions& globals, int64_t id) {
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals));
  auto stub = v1::AccessService::NewStub(env.channel());
  v1::ApproveGrantRequest request;
  request.set_id(id);
  v1::Grant response;
  RETURN_IF_ERROR(env.Call([&](grpc::ClientContext* context) {
    return stub->ApproveGrant(context, request, &response);
  }));
  return PrintGrant(env, response);
}

absl::Status RunRevoke(const GlobalOptions& globals, const RevokeArgs& args) {
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals));
  auto stub = v1::AccessService::NewStub(env.channel());
  v1::RevokeGrantRequest request;
  request.set_id(args.id);
  request.set_reason(args.reason);
  v1::Grant response;
  RETURN_IF_ERROR(env.Call([&](grpc::ClientContext* context) {
    return stub->RevokeGrant(context, request, &response);
  }));
  return PrintGrant(env, response);
}

absl::Status RunShow(const GlobalOptions& globals, int64_t id) {
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals));
  auto stub = v1::AccessService::NewStub(env.channel());
  v1::GetGrantRequest request;
  request.set_id(id);
  v1::Grant response;
  RETURN_IF_ERROR(env.Call(
      [&](grpc::ClientContext* context) { return stub->GetGrant(context, request, &response); }));
  return PrintGrant(env, response);
}

absl::Status RunList(const GlobalOptions& globals, const v1::ListGrantsRequest& request) {
  if (!request.state().empty()) {
    RETURN_IF_ERROR(CheckName("grant state", request.state(), GrantStateNames()));
  }
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals));
  auto stub = v1::AccessService::NewStub(env.channel());
  v1::ListGrantsResponse response;
  RETURN_IF_ERROR(env.Call([&](grpc::ClientContext* context) {
    return stub->ListGrants(context, request, &response);
  }));
  return Print(env.output(), response, GrantTable(response.grants()));
}

void AddRequest(CLI::App* grant, const CommandRegistry& registry) {
  auto args = std::make_shared<RequestArgs>();
  CLI::App* request = grant->add_subcommand(
      "request", "ask for a grant on a shared key (active once approved)");
  request->add_option("KEY", args->key, "DEPT/NAME, the shared key")->required();
  CLI::Option* principal = request->add_option("--grantee-principal", args->grantee_principal,
                                               "the principal (of another department) to grant");
  request->add_option("--grantee-department", args->grantee_department, "the department to grant")
      ->excludes(principal);
  request
      ->add_option("--operation", args->operations,
                   "an operation granted; repeat or separate with commas. One of: " +
                       absl::StrJoin(OperationNames(), ", "))
      ->required()
      ->delimiter(',')
      ->allow_extra_args(false);
  request->add_option("--purpose", args->purposes, "a purpose granted; repeat for more")
      ->required()
      ->allow_extra_args(false);
  CLI::Option* expires = request->add_option(
      "--expires", args->expires, "when the grant ends: RFC 3339, e.g. 2026-12-31T23:59:59Z");
  request
      ->add_option("--valid-for", args->valid_for,
                   "or how long from now: e.g. 30d, 12h, 1d12h (units d, h, m, s)")
      ->excludes(expires);
  request->add_option("--max-uses", args->max_uses, "at most this many uses (default: no limit)")
      ->check(CLI::Range(int64_t{1}, std::numeric_limits<int64_t>::max()));
  request->add_option("--justification", args->justification, "why, for the approvers");
  OnSelected(request, registry,
             [globals = registry.globals, args] { return RunRequest(*globals, *args); });
}

void AddIdOption(CLI::App* command, int64_t* id) {
  command->add_option("ID", *id, "the grant's number")
      ->required()
      ->check(CLI::Range(int64_t{1}, std::numeric_limits<int64_t>::max()));
}

// A subcommand of `grant` taking only an ID, whose action is `run`.
void AddIdCommand(CLI::App* grant, const CommandRegistry& registry, const char* name,
                  const char* help, absl::Status (*run)(const GlobalOptions&, int64_t)) {
  auto id = std::make_shared<int64_t>(0);
  CLI::App* command = grant->add_subcommand(name, help);
  AddIdOption(command, id.get());
  OnSelected(command, registry,
             [globals = registry.globals, id, run] { return run(*globals, *id); });
}

}  // namespace

void AddGrantCommands(CLI::App& app, const CommandRegistry& registry) {
  CLI::App* grant = app.add_subcommand(
      "grant", "request, approve, revoke, list and show grants on shared keys");
  grant->require_subcommand(1);
  AddRequest(grant, registry);

  AddIdCommand(grant, registry, "approve",
               "approve a pending grant (it may need more than one approval)", RunApprove);
  AddIdCommand(grant, registry, "show",
               "show a grant and what it does now (its effective state)", RunShow);

  auto revoke_args = std::make_shared<RevokeArgs>();
  CLI::App* revoke = grant->add_subcommand("revoke", "revoke a grant, pending or active");
  AddIdOption(revoke, &revoke_args->id);
  revoke->add_option("--reason", revoke_args->reason, "why (recorded with the grant)");
  OnSelected(revoke, registry, [globals = registry.globals, revoke_args] {
    return RunRevoke(*globals, *revoke_args);
  });

  auto filter = std::make_shared<v1::ListGrantsRequest>();
  CLI::App* list = grant->add_subcommand("list", "list grants (all filters optional)");
  list->add_option("--key", *filter->mutable_key(), "on this key (DEPT/NAME)");
  list->add_option("--grantee-principal", *filter->mutable_grantee_principal(),
                   "held by this principal");
  list->add_option("--grantee-department", *filter->mutable_grantee_department(),
                   "held by this department");
  list->add_option("--state", *filter->mutable_state(),
                   "stored state: " + absl::StrJoin(GrantStateNames(), ", "));
  OnSelected(list, registry,
             [globals = registry.globals, filter] { return RunList(*globals, *filter); });
}

}  // namespace yinjian::cli
