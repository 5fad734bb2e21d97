// `yinjianctl sign|verify|pubkey`: CryptoService's signature calls.
#ifndef YINJIAN_CLI_SIGNATURE_COMMANDS_H_
#define YINJIAN_CLI_SIGNATURE_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "cli/command_registry.h"

namespace yinjian::cli {

void AddSignatureCommands(CLI::App& app, const CommandRegistry& registry);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_SIGNATURE_COMMANDS_H_
