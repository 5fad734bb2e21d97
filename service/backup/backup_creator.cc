#include "service/backup/backup_creator.h"

#include <openssl/rand.h>

#include <map>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "service/backup/backup_files.h"
#include "service/backup/backup_key.h"
#include "service/backup/shamir.h"
#include "service/backup/share_envelope.h"
#include "service/keys/key_kind.h"
#include "service/keys/version_material.h"
#include "service/pki/certificate_info.h"
#include "service/store/sqlite_store.h"

namespace yinjian::backup {
namespace {

absl::StatusOr<std::string> NewBackupId(absl::Time now) {
  uint8_t random[4];
  if (RAND_bytes(random, sizeof(random)) != 1) return absl::InternalError("RAND_bytes failed");
  return absl::StrCat(absl::FormatTime("%Y%m%dT%H%M%SZ", now, absl::UTCTimeZone()), "-",
                      absl::BytesToHexString(absl::string_view(
                          reinterpret_cast<const char*>(random), sizeof(random))));
}

// A version to carry, with what re-wrapping it needs.
struct Pending {
  store::KeyVersionRecord record;
  keys::KeyKind kind;
  keys::Protection protection;
  hsm::Token* token;
};

// Every version of the snapshot with wrapped material; HSM-resident ones go to not_included.
absl::StatusOr<std::vector<Pending>> CollectVersions(store::Store& snapshot,
                                                     const core::TokenDirectory& tokens,
                                                     v1::BackupManifest& manifest) {
  std::vector<Pending> pending;
  ASSIGN_OR_RETURN(std::vector<store::DepartmentRecord> departments, snapshot.ListDepartments());
  for (const store::DepartmentRecord& department : departments) {
    absl::StatusOr<hsm::Token*> token = tokens.Find(department.token_label);
    if (!token.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat("department ", department.name, ": ", token.status().message()));
    }
    v1::BackupDepartment* entry = manifest.add_departments();
    entry->set_name(department.name);
    entry->set_token_label(department.token_label);
    entry->set_root_key_id(department.root_key_id);
    RETURN_IF_ERROR(ForEachVersion(snapshot, department.name, [&](WalkedVersion walked) {
      store::KeyVersionRecord& version = walked.version;
      if (version.wrapped_material.empty()) {
        if (!version.hsm_object_id.empty() && version.state != store::kVersionDestroyed) {
          manifest.add_not_included(VersionName(version.department, version.key, version.version));
        }
        return absl::OkStatus();
      }
      entry->set_versions(entry->versions() + 1);
      pending.push_back({.record = std::move(version),
                         .kind = walked.kind,
                         .protection = walked.protection,
                         .token = *token});
      return absl::OkStatus();
    }));
  }
  return pending;
}

// Re-wraps each pending version from its root key to the backup key, inside the HSM.
absl::StatusOr<v1::BackupVersions> RewrapAll(const std::vector<Pending>& pending,
                                             BackupKey& backup_key, const BackupRequest& request) {
  v1::BackupVersions out;
  std::map<std::pair<hsm::Token*, std::string>, std::unique_ptr<hsm::KeyRef>> roots;
  int64_t done = 0;
  for (const Pending& version : pending) {
    const store::KeyVersionRecord& record = version.record;
    std::unique_ptr<hsm::KeyRef>& root = roots[{version.token, record.root_key_id}];
    if (root == nullptr) {
      root = std::make_unique<hsm::KeyRef>(*version.token, CKO_SECRET_KEY,
                                           hsm::ToBytes(record.root_key_id));
    }
    ASSIGN_OR_RETURN(hsm::KeyRef * to, backup_key.In(*version.token));
    absl::StatusOr<hsm::Bytes> wrapped =
        keys::RewrapVersionMaterial(*version.token, *root, *to, version.kind, version.protection,
                                    {.wrapped = hsm::ToBytes(record.wrapped_material)});
    if (!wrapped.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot re-wrap ", VersionName(record.department, record.key, record.version),
          " under the backup key (its root key ", record.root_key_id,
          "): ", wrapped.status().message()));
    }
    v1::BackupVersion* entry = out.add_versions();
    entry->set_department(record.department);
    entry->set_key(record.key);
    entry->set_version(record.version);
    entry->set_kind(keys::Info(version.kind).name);
    entry->set_protection(keys::ProtectionName(version.protection));
    entry->set_wrapped(hsm::ToString(*wrapped));
    ++done;
    if (request.progress && !request.progress(done, int64_t(pending.size()))) {
      return absl::CancelledError("the backup was abandoned");
    }
  }
  return out;
}

}  // namespace

CreatedBackup::CreatedBackup(CreatedBackup&& other) noexcept
    : manifest(std::move(other.manifest)),
      files(std::move(other.files)),
      snapshot_path(std::move(other.snapshot_path)) {
  other.snapshot_path.clear();
}

CreatedBackup::~CreatedBackup() { RemoveDatabaseFiles(snapshot_path); }

absl::StatusOr<CreatedBackup> CreateBackup(store::Store& store, const core::TokenDirectory& tokens,
                                           const BackupRequest& request) {
  // The key and its shares first: a bad threshold or certificate fails before any work.
  const std::vector<std::string>& certificates = request.custodian_certificates;
  const int custodians = request.custodians == 0 && !certificates.empty()
                             ? static_cast<int>(certificates.size())
                             : request.custodians;
  if (!certificates.empty() && certificates.size() != size_t(custodians)) {
    return absl::InvalidArgumentError(absl::StrCat(certificates.size(),
                                                   " custodian certificates for ", custodians,
                                                   " custodians: give one per custodian"));
  }
  for (const std::string& certificate : certificates) {
    RETURN_IF_ERROR(CheckCustodianCertificate(certificate));
  }
  hsm::SecureBytes key(kBackupKeyBytes);
  if (RAND_priv_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    return absl::InternalError("RAND_priv_bytes failed");
  }
  ASSIGN_OR_RETURN(std::vector<Share> shares, SplitSecret(key, custodians, request.threshold));
  CreatedBackup backup;
  v1::BackupManifest& manifest = backup.manifest;
  ASSIGN_OR_RETURN(std::string id, NewBackupId(request.now));
  manifest.set_format(kBackupFormat);
  manifest.set_backup_id(id);
  manifest.mutable_created()->set_seconds(absl::ToUnixSeconds(request.now));
  manifest.set_custodians(custodians);
  for (const std::string& certificate : certificates) {
    ASSIGN_OR_RETURN(pki::CertificateInfo info, pki::InspectCertificate(certificate));
    manifest.add_custodian_certificates_sha256(info.fingerprint_sha256);
  }
  manifest.set_threshold(request.threshold);
  manifest.set_key_check(hsm::ToString(KeyCheck(id, key)));
  ASSIGN_OR_RETURN(std::unique_ptr<BackupKey> backup_key, BackupKey::Create(std::move(key)));

  backup.snapshot_path = absl::StrCat(request.staging_dir, "/yinjian-backup-", id, ".sqlite");
  RETURN_IF_ERROR(store.WriteSnapshot(backup.snapshot_path));
  v1::BackupVersions versions;
  {
    ASSIGN_OR_RETURN(std::unique_ptr<store::SqliteStore> snapshot,
                     store::SqliteStore::Open(backup.snapshot_path));
    manifest.set_schema_version(snapshot->SchemaVersion());
    ASSIGN_OR_RETURN(int64_t audit_size, snapshot->AuditLogSize());
    manifest.set_audit_log_size(audit_size);
    ASSIGN_OR_RETURN(std::vector<Pending> pending, CollectVersions(*snapshot, tokens, manifest));
    ASSIGN_OR_RETURN(versions, RewrapAll(pending, *backup_key, request));
  }  // closed: the file is whole (no -wal) before it is digested and sent
  versions.set_backup_id(id);
  manifest.set_versions(versions.versions_size());
  ASSIGN_OR_RETURN(std::string store_bytes, ReadWholeFile(backup.snapshot_path));
  manifest.set_store_file(kStoreFile);
  manifest.set_store_sha256(hsm::ToString(Sha256(store_bytes)));
  store_bytes.clear();
  ASSIGN_OR_RETURN(std::string versions_json, ToJson(versions));
  manifest.set_versions_file(kVersionsFile);
  manifest.set_versions_sha256(hsm::ToString(Sha256(versions_json)));

  backup.files.push_back({.name = kStoreFile, .path = backup.snapshot_path});
  backup.files.push_back({.name = kVersionsFile, .contents = std::move(versions_json)});
  for (const Share& share : shares) {
    v1::CustodianShare file;
    file.set_format(kShareFormat);
    file.set_backup_id(id);
    file.set_index(share.index);
    file.set_custodians(custodians);
    file.set_threshold(request.threshold);
    file.set_share(std::string(share.y.begin(), share.y.end()));
    file.set_key_check(manifest.key_check());
    ASSIGN_OR_RETURN(std::string json, ToJson(file));
    std::string name = ShareFileName(share.index);
    if (!certificates.empty()) {
      ASSIGN_OR_RETURN(json, SealShare(json, certificates[share.index - 1]));
      absl::StrAppend(&name, kSealedShareSuffix);
    }
    backup.files.push_back({.name = std::move(name), .contents = std::move(json)});
  }
  ASSIGN_OR_RETURN(std::string manifest_json, ToJson(manifest));
  backup.files.push_back({.name = kManifestFile, .contents = std::move(manifest_json)});
  return backup;
}

}  // namespace yinjian::backup
