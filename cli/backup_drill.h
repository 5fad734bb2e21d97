// Restore drills (`yinjianctl backup verify`): a backup restored into a scratch token and a
// temporary store, every key version checked, and everything deleted again. Production is
// never touched: the drill reads only the backup directory and the share files.
#ifndef YINJIAN_CLI_BACKUP_DRILL_H_
#define YINJIAN_CLI_BACKUP_DRILL_H_

#include <string>

#include "absl/status/statusor.h"
#include "service/backup/backup_files.h"
#include "service/backup/restore.h"

namespace yinjian::cli {

struct DrillOptions {
  // A server config naming the scratch token(s) (e.g. a spare HSM partition); its store and
  // checkpoint paths are ignored. Empty: throw-away SoftHSM tokens in a temporary directory.
  std::string config;
  std::string module;  // the SoftHSM module for throw-away tokens
};

absl::StatusOr<backup::RestoreReport> RunRestoreDrill(const backup::BackupDirectory& backup,
                                                      const hsm::SecureBytes& key,
                                                      const DrillOptions& options);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_BACKUP_DRILL_H_
