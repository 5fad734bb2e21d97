// `yinjianctl backup create|restore|verify` (R12, docs/operations.md "Backup and restore").
// create calls BackupService.CreateBackup and writes the streamed files into a new directory.
// restore and verify run next to the HSM, not through the server: they load the PKCS#11
// module themselves (restore: the one a server config names; verify: a throw-away SoftHSM
// token, or the scratch token a config names).
#ifndef YINJIAN_CLI_BACKUP_COMMANDS_H_
#define YINJIAN_CLI_BACKUP_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "cli/command_registry.h"

namespace yinjian::cli {

void AddBackupCommands(CLI::App* app, const CommandRegistry& registry);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_BACKUP_COMMANDS_H_
