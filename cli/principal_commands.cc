#include "cli/principal_commands.h"

#include <memory>
#include <string>

#include "cli/access_names.h"
#include "cli/access_output.h"
#include "cli/command_env.h"
#include "cli/principal_enrollment.h"
#include "common/status_macros.h"
#include "yinjian/v1/access.grpc.pb.h"

namespace yinjian::cli {
namespace {

absl::Status PrintPrincipal(const CommandEnv& env, const v1::Principal& principal) {
  return PrintText(env.output(), principal, PrincipalDetail(principal));
}

absl::Status RunWhoAmI(const GlobalOptions& globals) {
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals));
  auto stub = v1::AccessService::NewStub(env.channel());
  v1::Principal response;
  RETURN_IF_ERROR(env.Call([&](grpc::ClientContext* context) {
    return stub->WhoAmI(context, v1::WhoAmIRequest(), &response);
  }));
  return PrintPrincipal(env, response);
}

absl::Status RunList(const GlobalOptions& globals, const std::string& department) {
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals));
  auto stub = v1::AccessService::NewStub(env.channel());
  v1::ListPrincipalsRequest request;
  request.set_department(department);
  v1::ListPrincipalsResponse response;
  RETURN_IF_ERROR(env.Call([&](grpc::ClientContext* context) {
    return stub->ListPrincipals(context, request, &response);
  }));
  return Print(env.output(), response, PrincipalTable(response.principals()));
}

absl::Status RunShow(const GlobalOptions& globals, const std::string& name) {
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals));
  auto stub = v1::AccessService::NewStub(env.channel());
  v1::GetPrincipalRequest request;
  request.set_name(name);
  v1::Principal response;
  RETURN_IF_ERROR(env.Call([&](grpc::ClientContext* context) {
    return stub->GetPrincipal(context, request, &response);
  }));
  return PrintPrincipal(env, response);
}

absl::Status RunDisable(const GlobalOptions& globals, const std::string& name) {
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals));
  auto stub = v1::AccessService::NewStub(env.channel());
  v1::DisablePrincipalRequest request;
  request.set_name(name);
  v1::Principal response;
  RETURN_IF_ERROR(env.Call([&](grpc::ClientContext* context) {
    return stub->DisablePrincipal(context, request, &response);
  }));
  return PrintPrincipal(env, response);
}

absl::Status RunOffboard(const GlobalOptions& globals, const std::string& name) {
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals));
  auto stub = v1::AccessService::NewStub(env.channel());
  v1::OffboardPrincipalRequest request;
  request.set_name(name);
  v1::OffboardReport response;
  RETURN_IF_ERROR(env.Call([&](grpc::ClientContext* context) {
    return stub->OffboardPrincipal(context, request, &response);
  }));
  return PrintText(env.output(), response, OffboardReportText(response));
}

absl::Status RunRevokeCertificate(const GlobalOptions& globals, const std::string& fingerprint) {
  v1::RevokeCertificateRequest request;
  ASSIGN_OR_RETURN(*request.mutable_fingerprint_sha256(), NormalizeFingerprint(fingerprint));
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals));
  auto stub = v1::AccessService::NewStub(env.channel());
  v1::Certificate response;
  RETURN_IF_ERROR(env.Call([&](grpc::ClientContext* context) {
    return stub->RevokeCertificate(context, request, &response);
  }));
  return Print(env.output(), response, CertificateTable(response));
}

// A subcommand of `principal` taking one NAME argument, whose action is `run`.
void AddNamedCommand(CLI::App* principal, const CommandRegistry& registry, const char* name,
                     const char* help, const char* argument, const char* argument_help,
                     absl::Status (*run)(const GlobalOptions&, const std::string&)) {
  auto value = std::make_shared<std::string>();
  CLI::App* command = principal->add_subcommand(name, help);
  command->add_option(argument, *value, argument_help)->required();
  OnSelected(command, registry,
             [globals = registry.globals, value, run] { return run(*globals, *value); });
}

}  // namespace

void AddPrincipalCommands(CLI::App& app, const CommandRegistry& registry) {
  CLI::App* whoami =
      app.add_subcommand("whoami", "show the principal the server takes you for, and its roles");
  OnSelected(whoami, registry, [globals = registry.globals] { return RunWhoAmI(*globals); });

  CLI::App* principal = app.add_subcommand(
      "principal", "add, list, show, disable and offboard principals; manage their certificates");
  principal->require_subcommand(1);
  AddPrincipalEnrollmentCommands(principal, registry);

  auto department = std::make_shared<std::string>();
  CLI::App* list = principal->add_subcommand("list", "list principals");
  list->add_option("--department", *department, "only this department's (default: all)");
  OnSelected(list, registry,
             [globals = registry.globals, department] { return RunList(*globals, *department); });

  AddNamedCommand(principal, registry, "show",
                  "show a principal: roles, state, certificates and their fingerprints", "NAME",
                  "the principal", RunShow);
  AddNamedCommand(principal, registry, "disable",
                  "disable a principal and revoke its certificates (its roles and grants stay)",
                  "NAME", "the principal", RunDisable);
  AddNamedCommand(principal, registry, "offboard",
                  "disable a principal, revoke its certificates, remove its roles, revoke its "
                  "grants and withdraw its requests; prints what was done",
                  "NAME", "the principal", RunOffboard);
  AddNamedCommand(principal, registry, "revoke-cert", "revoke one certificate of a principal",
                  "FINGERPRINT", "its SHA-256 fingerprint (hex; colons allowed)",
                  RunRevokeCertificate);
}

}  // namespace yinjian::cli
