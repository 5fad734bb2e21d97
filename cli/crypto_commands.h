// `yinjianctl encrypt|decrypt|mac|verify-mac`: CryptoService's symmetric calls.
#ifndef YINJIAN_CLI_CRYPTO_COMMANDS_H_
#define YINJIAN_CLI_CRYPTO_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "cli/command_registry.h"

namespace yinjian::cli {

void AddCryptoCommands(CLI::App& app, const CommandRegistry& registry);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_CRYPTO_COMMANDS_H_
