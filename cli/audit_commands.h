// `yinjianctl audit log-key|checkpoint|query|export|verify`: AuditService, the tamper-evident
// audit log. log-key and checkpoint are open to every principal; query, export and verify need
// the auditor role.
#ifndef YINJIAN_CLI_AUDIT_COMMANDS_H_
#define YINJIAN_CLI_AUDIT_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "cli/command_registry.h"

namespace yinjian::cli {

void AddAuditCommands(CLI::App& app, const CommandRegistry& registry);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_AUDIT_COMMANDS_H_
