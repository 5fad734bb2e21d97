// `yinjianctl key import DEPT/NAME --kind K --material FILE [--new-version]`: bring your own
// key. The material is read and checked locally (key_import.h), wrapped for the department's
// import key (GetImportParameters), and sent with ImportKey, or ImportKeyVersion for a new
// primary version of an imported key. It never leaves the officer's machine unwrapped.
#ifndef YINJIAN_CLI_KEY_IMPORT_COMMAND_H_
#define YINJIAN_CLI_KEY_IMPORT_COMMAND_H_

#include "CLI/CLI.hpp"
#include "cli/command_registry.h"

namespace yinjian::cli {

// Adds `import` to `key`.
void AddKeyImportCommand(CLI::App* key, const CommandRegistry& registry);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_KEY_IMPORT_COMMAND_H_
