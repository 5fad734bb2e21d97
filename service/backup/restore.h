// Restoring a backup (R12) next to the HSM, and restore drills: the backup key rebuilt from
// custodians' shares, each department's root key made anew with its old id in a fresh token,
// every key version re-wrapped from the backup key to it inside the HSM, and the store snapshot
// installed, so that old ciphertexts decrypt and old signatures verify.
#ifndef YINJIAN_SERVICE_BACKUP_RESTORE_H_
#define YINJIAN_SERVICE_BACKUP_RESTORE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "service/backup/backup_files.h"
#include "service/core/token_directory.h"

namespace yinjian::backup {

struct RestoreTarget {
  const core::TokenDirectory* tokens = nullptr;
  std::string store_path;  // must not exist
  // The audit log of the restored store continues, with an entry "BackupRestored" committed
  // under the target's log key (false: audit.disabled_for_benchmarks_only).
  bool audit = true;
  std::string audit_origin;
  std::string checkpoint_file;  // must not exist (or be empty)
  std::string witness_dir;
  std::function<void(int64_t done, int64_t total)> progress;
};

struct RestoreReport {
  std::string backup_id;
  int departments = 0;
  int64_t versions = 0;          // re-wrapped under the new root keys
  int64_t versions_checked = 0;  // drills: unwrapped under the restored root keys afterwards
  int64_t audit_entries = 0;     // in the restored log, the BackupRestored entry included
  std::vector<std::string> not_included;
};

// Restores `backup` with `backup_key` (RecoverBackupKey) into `target`. FAILED_PRECONDITION if
// the store or checkpoint file exists, a department's token is not configured, or a token
// already holds one of the backup's root key ids (restore into a fresh token);
// INVALID_ARGUMENT if a version does not unwrap under the backup key (an altered backup).
// On failure the new store file and the root keys made are removed again.
absl::StatusOr<RestoreReport> RestoreBackup(const BackupDirectory& backup,
                                            const hsm::SecureBytes& backup_key,
                                            const RestoreTarget& target);

// A restore drill into a scratch target: RestoreBackup, then every restored version is loaded
// under its restored root key (proving it usable) and the audit log's tree is checked against
// its latest checkpoint. The caller removes the scratch token and files.
absl::StatusOr<RestoreReport> DrillRestore(const BackupDirectory& backup,
                                           const hsm::SecureBytes& backup_key,
                                           const RestoreTarget& scratch);

}  // namespace yinjian::backup

#endif  // YINJIAN_SERVICE_BACKUP_RESTORE_H_
