// `yinjianctl key create|list|show|set-policy`, and through key_lifecycle_commands.h the
// lifecycle subcommands: KeyManagementService's key calls.
#ifndef YINJIAN_CLI_KEY_COMMANDS_H_
#define YINJIAN_CLI_KEY_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "cli/command_registry.h"

namespace yinjian::cli {

void AddKeyCommands(CLI::App& app, const CommandRegistry& registry);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_KEY_COMMANDS_H_
