// `yinjianctl key destroy request|approve|witness|cancel|list|show|verify-record` (also as
// `yinjianctl destroy ...`): supervised key destruction (R11, docs/operations.md). The server
// destroys the material once the waiting period after the witness has passed, and writes a
// destruction record into the audit log; verify-record checks a saved record offline.
#ifndef YINJIAN_CLI_DESTRUCTION_COMMANDS_H_
#define YINJIAN_CLI_DESTRUCTION_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "cli/command_registry.h"

namespace yinjian::cli {

// Adds the `destroy` command group under `parent` (the app, or `key`).
void AddDestructionCommands(CLI::App* parent, const CommandRegistry& registry);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_DESTRUCTION_COMMANDS_H_
