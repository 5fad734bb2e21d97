// `yinjianctl role bind|unbind PRINCIPAL ROLE`: AccessService.BindRole / UnbindRole.
#ifndef YINJIAN_CLI_ROLE_COMMANDS_H_
#define YINJIAN_CLI_ROLE_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "cli/command_registry.h"

namespace yinjian::cli {

void AddRoleCommands(CLI::App& app, const CommandRegistry& registry);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_ROLE_COMMANDS_H_
