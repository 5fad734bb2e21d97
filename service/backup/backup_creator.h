// Making a backup (R12), inside the server: a fresh backup key split among custodians, a
// consistent snapshot of the store, and every key version of the snapshot re-wrapped from its
// department root key to the backup key inside the HSM. Root keys never leave the HSM (R1).
#ifndef YINJIAN_SERVICE_BACKUP_BACKUP_CREATOR_H_
#define YINJIAN_SERVICE_BACKUP_BACKUP_CREATOR_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/core/token_directory.h"
#include "service/store/store.h"
#include "yinjian/v1/backup.pb.h"

namespace yinjian::backup {

struct BackupRequest {
  int custodians = 0;  // 0 with certificates: one per certificate
  int threshold = 0;
  // PEM certificates, one per custodian: shares are then sealed for them (share_envelope.h).
  std::vector<std::string> custodian_certificates;
  // Where the store snapshot is written while the backup is sent (next to the store).
  std::string staging_dir;
  absl::Time now;
  // Called after each version; returning false abandons the backup (CANCELLED).
  std::function<bool(int64_t done, int64_t total)> progress;
};

// One file of the backup: its bytes, or (the store snapshot) a path to read them from.
struct BackupFile {
  std::string name;
  std::string contents;
  std::string path;
};

// The backup's files in the order they are sent: the store snapshot, versions.json, the
// shares, and manifest.json last. Deletes the snapshot file when destroyed.
class CreatedBackup {
 public:
  CreatedBackup() = default;
  CreatedBackup(CreatedBackup&& other) noexcept;
  CreatedBackup& operator=(CreatedBackup&&) = delete;
  CreatedBackup(const CreatedBackup&) = delete;
  ~CreatedBackup();

  v1::BackupManifest manifest;
  std::vector<BackupFile> files;
  std::string snapshot_path;
};

// INVALID_ARGUMENT for custodians or threshold out of range (see shamir.h), or custodian
// certificates that are not one usable certificate per custodian; FAILED_PRECONDITION
// naming the version that could not be re-wrapped, or a department whose token the server does
// not have; CANCELLED if `progress` said so; otherwise the store's or the HSM's error.
absl::StatusOr<CreatedBackup> CreateBackup(store::Store& store, const core::TokenDirectory& tokens,
                                           const BackupRequest& request);

}  // namespace yinjian::backup

#endif  // YINJIAN_SERVICE_BACKUP_BACKUP_CREATOR_H_
