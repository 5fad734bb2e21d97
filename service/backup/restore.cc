#include "service/backup/restore.h"

#include <unistd.h>

#include <map>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "hsm/objects.h"
#include "service/audit/audit_log.h"
#include "service/audit/log_key.h"
#include "service/backup/backup_key.h"
#include "service/core/key_manager.h"
#include "service/keys/key_kind.h"
#include "service/keys/root_key.h"
#include "service/keys/version_material.h"
#include "service/pki/pem_files.h"
#include "service/store/sqlite_store.h"

namespace yinjian::backup {
namespace {

absl::Status MustNotExist(const std::string& path, absl::string_view what) {
  if (path.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(bool exists, pki::PathExists(path));
  if (exists) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the ", what, " ", path, " exists; a restore makes a new one (move the old one away)"));
  }
  return absl::OkStatus();
}

// Where a department of the backup is restored: its token, its root key id (made anew there)
// and a reference to that root key.
struct TargetDepartment {
  hsm::Token* token = nullptr;
  std::string root_key_id;
  std::unique_ptr<hsm::KeyRef> root;  // set once the root key is made
};

struct Restoring {
  std::unique_ptr<store::SqliteStore> store;
  std::map<std::string, TargetDepartment> departments;  // by name
};

// The target of each department of the backup, checked to hold none of its root key ids.
absl::Status FindTargets(const v1::BackupManifest& manifest, const core::TokenDirectory& tokens,
                         Restoring& state) {
  for (const v1::BackupDepartment& department : manifest.departments()) {
    absl::StatusOr<hsm::Token*> token = tokens.Find(department.token_label());
    if (!token.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat("department ", department.name(), ": ", token.status().message()));
    }
    ASSIGN_OR_RETURN(std::vector<CK_OBJECT_HANDLE> existing,
                     hsm::FindObjects(**token, {.object_class = CKO_SECRET_KEY,
                                                .id = hsm::ToBytes(department.root_key_id())}));
    if (!existing.empty()) {
      return absl::FailedPreconditionError(absl::StrCat("the target token already holds root key ",
                                                        department.root_key_id(),
                                                        "; restore into a fresh token"));
    }
    state.departments[department.name()] = {.token = *token,
                                            .root_key_id = department.root_key_id()};
  }
  return absl::OkStatus();
}

absl::Status MakeRoots(Restoring& state) {
  for (auto& [name, department] : state.departments) {
    RETURN_IF_ERROR(keys::CreateRootKeyWithId(*department.token, department.root_key_id));
    department.root = std::make_unique<hsm::KeyRef>(*department.token, CKO_SECRET_KEY,
                                                    hsm::ToBytes(department.root_key_id));
  }
  return absl::OkStatus();
}

// Versions re-wrapped per store transaction: the HSM work of a batch, then one commit.
constexpr size_t kRestoreBatch = 500;

absl::Status RewrapVersions(const v1::BackupVersions& versions, BackupKey& backup_key,
                            const RestoreTarget& target, Restoring& state) {
  int64_t done = 0;
  std::vector<store::VersionRewrap> batch;
  auto commit = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<bool> swapped, state.store->RewrapVersions(batch, absl::Now()));
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!swapped[i]) {
        return absl::InvalidArgumentError(absl::StrCat(
            "the store snapshot has no material for ",
            VersionName(batch[i].department, batch[i].key, batch[i].version), " to replace"));
      }
    }
    done += int64_t(batch.size());
    batch.clear();
    if (target.progress) target.progress(done, versions.versions_size());
    return absl::OkStatus();
  };
  for (const v1::BackupVersion& version : versions.versions()) {
    const std::string name = VersionName(version.department(), version.key(), version.version());
    auto target = state.departments.find(version.department());
    if (target == state.departments.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("the backup's version ", name, " is of no department of its manifest"));
    }
    ASSIGN_OR_RETURN(keys::KeyKind kind, keys::KindFromName(version.kind()));
    ASSIGN_OR_RETURN(keys::Protection protection, keys::ProtectionFromName(version.protection()));
    const TargetDepartment& department = target->second;
    ASSIGN_OR_RETURN(hsm::KeyRef * from, backup_key.In(*department.token));
    absl::StatusOr<hsm::Bytes> wrapped =
        keys::RewrapVersionMaterial(*department.token, *from, *department.root, kind, protection,
                                    {.wrapped = hsm::ToBytes(version.wrapped())});
    if (!wrapped.ok()) {
      return absl::Status(wrapped.status().code(),
                          absl::StrCat("cannot restore ", name, ": ", wrapped.status().message()));
    }
    ASSIGN_OR_RETURN(
        store::KeyVersionRecord record,
        state.store->GetKeyVersion(version.department(), version.key(), version.version()));
    batch.push_back({.department = version.department(),
                     .key = version.key(),
                     .version = version.version(),
                     .expected_root_key_id = record.root_key_id,
                     .new_root_key_id = department.root_key_id,
                     .new_wrapped_material = hsm::ToString(*wrapped)});
    if (batch.size() >= kRestoreBatch) RETURN_IF_ERROR(commit());
  }
  if (!batch.empty()) RETURN_IF_ERROR(commit());
  return absl::OkStatus();
}

// The restored log continues under the target token's log key, starting with an entry that
// says so; its checkpoint is the first signed by that key.
absl::StatusOr<int64_t> ContinueAuditLog(const BackupDirectory& backup, const RestoreTarget& target,
                                         store::Store& store) {
  ASSIGN_OR_RETURN(std::unique_ptr<audit::LogKey> key,
                   audit::LogKey::OpenOrCreate(target.tokens->default_token()));
  ASSIGN_OR_RETURN(std::unique_ptr<audit::AuditLog> log,
                   audit::AuditLog::Open(store, *key,
                                         {.origin = target.audit_origin,
                                          .checkpoint_file = target.checkpoint_file,
                                          .witness_dir = target.witness_dir}));
  ASSIGN_OR_RETURN(audit::AppendedEntry entry, log->Append({.time = absl::Now(),
                                                            .principal = "yinjian-restore",
                                                            .operation = "BackupRestored",
                                                            .purpose = backup.manifest.backup_id(),
                                                            .decision = "allow",
                                                            .reason = "RESTORE",
                                                            .result = "OK"}));
  return entry.index + 1;
}

void Undo(const RestoreTarget& target, Restoring& state) {
  state.store.reset();
  RemoveDatabaseFiles(target.store_path);
  if (!target.checkpoint_file.empty()) ::unlink(target.checkpoint_file.c_str());
  for (const auto& [name, department] : state.departments) {
    if (department.root != nullptr) {
      (void)core::DestroyTokenObjects(*department.token, hsm::ToBytes(department.root_key_id));
    }
  }
}

}  // namespace

absl::StatusOr<RestoreReport> RestoreBackup(const BackupDirectory& backup,
                                            const hsm::SecureBytes& backup_key,
                                            const RestoreTarget& target) {
  if (target.tokens == nullptr || target.store_path.empty()) {
    return absl::InvalidArgumentError("a restore needs target tokens and a store path");
  }
  RETURN_IF_ERROR(MustNotExist(target.store_path, "store"));
  if (target.audit) RETURN_IF_ERROR(MustNotExist(target.checkpoint_file, "checkpoint file"));
  Restoring state;
  RETURN_IF_ERROR(FindTargets(backup.manifest, *target.tokens, state));
  ASSIGN_OR_RETURN(std::unique_ptr<BackupKey> key,
                   BackupKey::Create(hsm::SecureBytes(backup_key.begin(), backup_key.end())));
  ASSIGN_OR_RETURN(std::string snapshot, ReadWholeFile(backup.store_path));
  RETURN_IF_ERROR(
      pki::WriteFileAtomically(target.store_path, snapshot, 0600, pki::IfExists::kFail));
  snapshot.clear();
  RestoreReport report{.backup_id = backup.manifest.backup_id(),
                       .departments = backup.manifest.departments_size(),
                       .not_included = {backup.manifest.not_included().begin(),
                                        backup.manifest.not_included().end()}};
  absl::Status restored = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(state.store, store::SqliteStore::Open(target.store_path));
    RETURN_IF_ERROR(MakeRoots(state));
    RETURN_IF_ERROR(RewrapVersions(backup.versions, *key, target, state));
    report.versions = backup.versions.versions_size();
    if (target.audit) {
      ASSIGN_OR_RETURN(report.audit_entries, ContinueAuditLog(backup, target, *state.store));
    } else {
      ASSIGN_OR_RETURN(report.audit_entries, state.store->AuditLogSize());
    }
    return absl::OkStatus();
  }();
  if (!restored.ok()) {
    Undo(target, state);
    return restored;
  }
  return report;
}

absl::StatusOr<RestoreReport> DrillRestore(const BackupDirectory& backup,
                                           const hsm::SecureBytes& backup_key,
                                           const RestoreTarget& scratch) {
  ASSIGN_OR_RETURN(RestoreReport report, RestoreBackup(backup, backup_key, scratch));
  // Every restored version must load under its restored root key, as the server would load it.
  ASSIGN_OR_RETURN(std::unique_ptr<store::SqliteStore> store,
                   store::SqliteStore::Open(scratch.store_path));
  ASSIGN_OR_RETURN(std::vector<store::DepartmentRecord> departments, store->ListDepartments());
  for (const store::DepartmentRecord& department : departments) {
    ASSIGN_OR_RETURN(hsm::Token * token, scratch.tokens->Find(department.token_label));
    hsm::KeyRef root(*token, CKO_SECRET_KEY, hsm::ToBytes(department.root_key_id));
    RETURN_IF_ERROR(ForEachVersion(*store, department.name, [&](WalkedVersion walked) {
      const store::KeyVersionRecord& version = walked.version;
      if (version.wrapped_material.empty()) return absl::OkStatus();
      absl::StatusOr<keys::LoadedVersion> loaded =
          keys::LoadVersion(*token, root, walked.kind, walked.protection,
                            {.wrapped = hsm::ToBytes(version.wrapped_material),
                             .public_key_spki = hsm::ToBytes(version.public_key_spki)});
      if (!loaded.ok()) {
        return absl::DataLossError(
            absl::StrCat("restored ", VersionName(version.department, version.key, version.version),
                         " does not load: ", loaded.status().message()));
      }
      ++report.versions_checked;
      return absl::OkStatus();
    }));
  }
  return report;
}

}  // namespace yinjian::backup
