// The files of a backup directory (proto/yinjian/v1/backup.proto): their names, formats and
// checks, shared by the server that makes a backup and the tools that restore it.
#ifndef YINJIAN_SERVICE_BACKUP_BACKUP_FILES_H_
#define YINJIAN_SERVICE_BACKUP_BACKUP_FILES_H_

#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "google/protobuf/message.h"
#include "hsm/secure_bytes.h"
#include "service/keys/key_kind.h"
#include "service/store/store.h"
#include "yinjian/v1/backup.pb.h"

namespace yinjian::backup {

inline constexpr char kManifestFile[] = "manifest.json";
inline constexpr char kVersionsFile[] = "versions.json";
inline constexpr char kStoreFile[] = "store.sqlite";
inline constexpr char kBackupFormat[] = "yinjian-backup/1";
inline constexpr char kShareFormat[] = "yinjian-backup-share/1";
inline constexpr size_t kBackupKeyBytes = 32;  // AES-256

// "custodian-<index>.share".
std::string ShareFileName(int index);

// "department/key:version", as the manifest's not_included and every message name a version.
std::string VersionName(absl::string_view department, absl::string_view key, int32_t version);

// Removes an SQLite database file and its -wal, -shm and -journal companions (best effort).
void RemoveDatabaseFiles(const std::string& path);

// A version of a key as a backup, a restore or a drill walks them: the key's kind and
// protection parsed once per key.
struct WalkedVersion {
  const store::KeyRecord& key;
  keys::KeyKind kind;
  keys::Protection protection;
  store::KeyVersionRecord& version;
};
// Calls `visit` for every version of every key of `department` in `store`, by key name and
// version; stops at the first error (the store's, a bad kind name, or visit's).
absl::Status ForEachVersion(store::Store& store, absl::string_view department,
                            absl::FunctionRef<absl::Status(WalkedVersion)> visit);

// SHA-256("yinjian-backup-key-check\0" || backup_id || key).
hsm::Bytes KeyCheck(absl::string_view backup_id, absl::Span<const uint8_t> key);
hsm::Bytes Sha256(absl::string_view data);

// Protobuf's JSON mapping, indented, with a final newline.
absl::StatusOr<std::string> ToJson(const google::protobuf::Message& message);
// INVALID_ARGUMENT naming `what` if `json` is not such a message.
absl::Status FromJson(absl::string_view json, absl::string_view what,
                      google::protobuf::Message& message);

// A whole file; the errno status naming the path otherwise.
absl::StatusOr<std::string> ReadWholeFile(const std::string& path);

// A backup directory read and checked: the manifest's format, and the versions and store files
// against the manifest's digests (INVALID_ARGUMENT naming the file that does not match).
struct BackupDirectory {
  std::string dir;
  v1::BackupManifest manifest;
  v1::BackupVersions versions;
  std::string store_path;  // dir/store.sqlite, checked against store_sha256
};
absl::StatusOr<BackupDirectory> ReadBackupDirectory(const std::string& dir);

// The backup key rebuilt from share files. INVALID_ARGUMENT for a file that is not a share,
// a share of another backup, the same share twice, or shares that do not rebuild the key of
// `manifest` (an altered share); FAILED_PRECONDITION for fewer shares than the threshold.
absl::StatusOr<hsm::SecureBytes> RecoverBackupKey(const v1::BackupManifest& manifest,
                                                  absl::Span<const std::string> share_files);

}  // namespace yinjian::backup

#endif  // YINJIAN_SERVICE_BACKUP_BACKUP_FILES_H_
