// `yinjianctl department create|list`: KeyManagementService's department calls.
#ifndef YINJIAN_CLI_DEPARTMENT_COMMANDS_H_
#define YINJIAN_CLI_DEPARTMENT_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "cli/command_registry.h"

namespace yinjian::cli {

void AddDepartmentCommands(CLI::App& app, const CommandRegistry& registry);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_DEPARTMENT_COMMANDS_H_
