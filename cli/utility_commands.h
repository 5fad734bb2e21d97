// `yinjianctl digest|random`: CryptoService calls that need no key.
#ifndef YINJIAN_CLI_UTILITY_COMMANDS_H_
#define YINJIAN_CLI_UTILITY_COMMANDS_H_

#include <cstddef>

#include "CLI/CLI.hpp"
#include "cli/command_registry.h"

namespace yinjian::cli {

// Inputs larger than this go to DigestStream instead of Digest, in chunks of kDigestChunkBytes.
inline constexpr size_t kDigestUnaryLimitBytes = 1024 * 1024;
inline constexpr size_t kDigestChunkBytes = 256 * 1024;

void AddUtilityCommands(CLI::App& app, const CommandRegistry& registry);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_UTILITY_COMMANDS_H_
