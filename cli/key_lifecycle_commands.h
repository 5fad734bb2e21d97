// `yinjianctl key rotate|set-primary|disable-version|enable-version|set-min-decrypt-version|
// set-rotation`: KeyManagementService's lifecycle calls (key officers of the owning department;
// each is an audited call with a receipt, R13). Each prints the key as it is afterwards.
#ifndef YINJIAN_CLI_KEY_LIFECYCLE_COMMANDS_H_
#define YINJIAN_CLI_KEY_LIFECYCLE_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "cli/command_registry.h"

namespace yinjian::cli {

// Adds the lifecycle subcommands to `key`.
void AddKeyLifecycleCommands(CLI::App* key, const CommandRegistry& registry);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_KEY_LIFECYCLE_COMMANDS_H_
