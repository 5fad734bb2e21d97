// `yinjianctl receipt verify|get`: audit receipts. `receipt verify` checks a receipt offline,
// with the log's public key and nothing else (no server, no profile); `receipt get` fetches one
// (AuditService.GetReceipt), e.g. after a call made with --deferred-receipt.
#ifndef YINJIAN_CLI_RECEIPT_COMMANDS_H_
#define YINJIAN_CLI_RECEIPT_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "cli/command_registry.h"

namespace yinjian::cli {

void AddReceiptCommands(CLI::App& app, const CommandRegistry& registry);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_RECEIPT_COMMANDS_H_
