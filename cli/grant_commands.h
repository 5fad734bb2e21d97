// `yinjianctl grant request|approve|revoke|list|show`: AccessService's grant calls, which let
// another department (or one of its principals) use a shared key for named operations and
// purposes until a set time.
#ifndef YINJIAN_CLI_GRANT_COMMANDS_H_
#define YINJIAN_CLI_GRANT_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "cli/command_registry.h"

namespace yinjian::cli {

void AddGrantCommands(CLI::App& app, const CommandRegistry& registry);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_GRANT_COMMANDS_H_
