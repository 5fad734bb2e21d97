// `yinjianctl whoami` and `yinjianctl principal ...`: AccessService's principal and certificate
// calls (the enrolment commands `principal add` / `add-cert` are in principal_enrollment.h).
#ifndef YINJIAN_CLI_PRINCIPAL_COMMANDS_H_
#define YINJIAN_CLI_PRINCIPAL_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "cli/command_registry.h"

namespace yinjian::cli {

void AddPrincipalCommands(CLI::App& app, const CommandRegistry& registry);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_PRINCIPAL_COMMANDS_H_
