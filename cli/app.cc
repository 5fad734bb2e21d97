#include "cli/app.h"

#include <cstdio>
#include <string>

#include "cli/audit_commands.h"
#include "cli/backup_commands.h"
#include "cli/crypto_commands.h"
#include "cli/department_commands.h"
#include "cli/destruction_commands.h"
#include "cli/grant_commands.h"
#include "cli/key_commands.h"
#include "cli/principal_commands.h"
#include "cli/receipt_commands.h"
#include "cli/role_commands.h"
#include "cli/signature_commands.h"
#include "cli/status_exit.h"
#include "cli/utility_commands.h"

namespace yinjian::cli {
namespace {

void AddGlobalOptions(CLI::App& app, GlobalOptions* globals) {
  app.add_option("--server", globals->connection.server, "HOST:PORT of the server");
  app.add_option("--ca", globals->connection.ca_file,
                 "CA bundle (PEM) for the server's certificate");
  app.add_option("--cert", globals->connection.certificate_file, "your client certificate (PEM)");
  app.add_option("--key", globals->connection.key_file, "your client private key (PEM)");
  app.add_option("--profile", globals->profile_path,
                 "connection profile (ClientProfile text proto)")
      ->envname("YINJIAN_PROFILE");
  app.add_option("--output", globals->output, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  app.add_option("--timeout", globals->timeout_seconds, "deadline for each RPC, in seconds")
      ->check(CLI::Range(0.001, 86400.0))
      ->capture_default_str();
}

// CLI11 reports usage errors itself (it throws inside parse); this makes its message one line in
// our format.
std::string UsageFailure(const CLI::App*, const CLI::Error& error) {
  return std::string("yinjianctl: usage: ") + error.what() + " (see --help)\n";
}

}  // namespace

std::unique_ptr<CLI::App> BuildApp(GlobalOptions* globals, Action* chosen) {
  auto app = std::make_unique<CLI::App>(
      "yinjianctl: manage Yinjian keys and use them (a client of yinjian-server)", "yinjianctl");
  app->require_subcommand(1);
  // Global options may also follow the subcommand: `yinjianctl key list hr --output json`.
  app->fallthrough();
  app->failure_message(UsageFailure);
  AddGlobalOptions(*app, globals);

  const CommandRegistry registry{.globals = globals, .chosen = chosen};
  OnSelected(app->add_subcommand("version", "print the version"), registry, [] {
    std::printf("yinjianctl %s\n", YINJIAN_VERSION);
    return absl::OkStatus();
  });
  AddDepartmentCommands(*app, registry);
  AddKeyCommands(*app, registry);
  AddCryptoCommands(*app, registry);
  AddSignatureCommands(*app, registry);
  AddUtilityCommands(*app, registry);
  AddPrincipalCommands(*app, registry);
  AddRoleCommands(*app, registry);
  AddGrantCommands(*app, registry);
  AddDestructionCommands(app.get(), registry);
  AddBackupCommands(app.get(), registry);
  AddReceiptCommands(*app, registry);
  AddAuditCommands(*app, registry);
  return app;
}

int RunCommandLine(std::vector<std::string> args) {
  GlobalOptions globals;
  Action chosen;
  std::unique_ptr<CLI::App> app = BuildApp(&globals, &chosen);
  // What CLI11_PARSE does, but with every usage error mapped to our exit status 2.
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend() - 1);
    app->parse(std::move(reversed));
  } catch (const CLI::ParseError& error) {
    return app->exit(error) == 0 ? kExitOk : kExitUsage;
  }
  if (!chosen) return ReportAndExitCode(absl::InvalidArgumentError("no command given"));
  return ReportAndExitCode(chosen());
}

}  // namespace yinjian::cli
