#include "service/store/sqlite_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <utility>

#include "absl/memory/memory.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "service/store/sqlite_destructions.h"
#include "service/store/sqlite_rows.h"
#include "service/store/sqlite_statement.h"

namespace yinjian::store {
namespace {

// A rotation period is zero (none) or at least one second.
absl::Status CheckRotationPeriod(absl::Duration period) {
  if (period < absl::ZeroDuration() ||
      (period > absl::ZeroDuration() && period < absl::Seconds(1))) {
    return absl::InvalidArgumentError("a rotation period is zero or at least one second");
  }
  return absl::OkStatus();
}

using Mode = Transaction::Mode;
using sqlite::CheckDepartmentExists;
using sqlite::CheckName;
using sqlite::DepartmentFromRow;
using sqlite::InsertStatus;
using sqlite::KeyFromRow;
using sqlite::KeyPath;
using sqlite::KeyVersionFromRow;
using sqlite::kSelectDepartment;
using sqlite::kSelectKey;
using sqlite::kSelectKeyVersion;
using sqlite::PrepareSelect;
using sqlite::ReadKey;
using sqlite::StoredTime;
using sqlite::TimeToMicros;

absl::Status WithPath(const absl::Status& status, const std::string& path) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat("database ", path, ": ", status.message()));
}

absl::Status CheckNames(absl::string_view department, absl::string_view key) {
  RETURN_IF_ERROR(CheckName("department", department));
  return CheckName("key", key);
}

bool IsKnownState(absl::string_view state) {
  return state == kVersionEnabled || state == kVersionDisabled || state == kVersionDestroyed;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                               const SqliteStoreOptions& options) {
  return OpenWithMigrations(path, options, SqliteMigrations());
}

absl::StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::OpenWithMigrations(
    const std::string& path, const SqliteStoreOptions& options,
    absl::Span<const SqliteMigration> migrations) {
  RETURN_IF_ERROR(ValidateMigrations(migrations));
  ASSIGN_OR_RETURN(SqliteConnection db, OpenSqliteConnection(path, options.busy_timeout));
  absl::StatusOr<int32_t> version = ApplySqliteMigrations(db.get(), migrations);
  if (!version.ok()) return WithPath(version.status(), path);
  return absl::WrapUnique(new SqliteStore(std::move(db), *version));
}

absl::Status SqliteStore::WriteSnapshot(const std::string& path) {
  // VACUUM INTO writes only into a missing or empty file: create it empty first, so it is ours
  // alone (O_EXCL) and private (0600) whatever the umask.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int error = errno;
    const std::string message = absl::StrCat("cannot create ", path, ": ", std::strerror(error));
    if (error == EEXIST) return absl::AlreadyExistsError(message);
    return absl::FailedPreconditionError(message);
  }
  ::close(fd);
  absl::MutexLock lock(&mu_);
  // One read transaction: the copy is the store as of one instant, whatever other replicas do.
  absl::Status written = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(Statement vacuum, Statement::Prepare(db_, "VACUUM INTO ?1"));
    RETURN_IF_ERROR(vacuum.BindText(1, path));
    return vacuum.Run();
  }();
  if (!written.ok()) ::unlink(path.c_str());
  return written;
}

absl::Status SqliteStore::CreateDepartment(const DepartmentRecord& department) {
  RETURN_IF_ERROR(CheckName("department", department.name));
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Statement insert,
                   Statement::Prepare(db_,
                                      "INSERT INTO departments (name, display_name, "
                                      "token_label, root_key_id, created_us) "
                                      "VALUES (?1, ?2, ?3, ?4, ?5)"));
  RETURN_IF_ERROR(insert.BindText(1, department.name));
  RETURN_IF_ERROR(insert.BindText(2, department.display_name));
  RETURN_IF_ERROR(insert.BindText(3, department.token_label));
  RETURN_IF_ERROR(insert.BindBlob(4, department.root_key_id));
  RETURN_IF_ERROR(insert.BindInt64(5, TimeToMicros(department.created)));
  return InsertStatus(insert.Run(), absl::StrCat("department ", department.name));
}

absl::StatusOr<DepartmentRecord> SqliteStore::GetDepartment(absl::string_view name) {
  RETURN_IF_ERROR(CheckName("department", name));
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Statement select, PrepareSelect(db_, kSelectDepartment, "WHERE name = ?1"));
  RETURN_IF_ERROR(select.BindText(1, name));
  ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return absl::NotFoundError(absl::StrCat("department ", name, " not found"));
  return DepartmentFromRow(select);
}

absl::StatusOr<std::vector<DepartmentRecord>> SqliteStore::ListDepartments() {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Statement select, PrepareSelect(db_, kSelectDepartment, "ORDER BY name"));
  std::vector<DepartmentRecord> departments;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) return departments;
    departments.push_back(DepartmentFromRow(select));
  }
}

absl::StatusOr<KeyVersionRecord> SqliteStore::ReadKeyVersion(absl::string_view department,
                                                             absl::string_view key,
                                                             int32_t version) {
  ASSIGN_OR_RETURN(Statement select,
                   PrepareSelect(db_, kSelectKeyVersion,
                                 "WHERE department = ?1 AND key_name = ?2 AND version = ?3"));
  RETURN_IF_ERROR(select.BindText(1, department));
  RETURN_IF_ERROR(select.BindText(2, key));
  RETURN_IF_ERROR(select.BindInt64(3, version));
  ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) {
    return absl::NotFoundError(
        absl::StrCat("version ", version, " of key ", KeyPath(department, key), " not found"));
  }
  return KeyVersionFromRow(select);
}

absl::Status SqliteStore::InsertKeyVersion(const KeyVersionRecord& version) {
  ASSIGN_OR_RETURN(Statement insert,
                   Statement::Prepare(db_,
                                      "INSERT INTO key_versions (department, key_name, "
                                      "version, state, wrapped_material, hsm_object_id, "
                                      "public_key_spki, root_key_id, created_us, "
                                      "destroyed_us, destruction_id) "
                                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                                      "?11)"));
  RETURN_IF_ERROR(insert.BindText(1, version.department));
  RETURN_IF_ERROR(insert.BindText(2, version.key));
  RETURN_IF_ERROR(insert.BindInt64(3, version.version));
  RETURN_IF_ERROR(insert.BindText(4, version.state));
  RETURN_IF_ERROR(insert.BindBlob(5, version.wrapped_material));
  RETURN_IF_ERROR(insert.BindBlob(6, version.hsm_object_id));
  RETURN_IF_ERROR(insert.BindBlob(7, version.public_key_spki));
  RETURN_IF_ERROR(insert.BindBlob(8, version.root_key_id));
  RETURN_IF_ERROR(insert.BindInt64(9, TimeToMicros(version.created)));
  RETURN_IF_ERROR(insert.BindInt64(10, TimeToMicros(version.destroyed)));
  RETURN_IF_ERROR(insert.BindInt64(11, version.destruction_id));
  return InsertStatus(insert.Run(), absl::StrCat("version ", version.version, " of key ",
                                                 KeyPath(version.department, version.key)));
}

absl::StatusOr<KeyRecord> SqliteStore::CreateKey(const KeyRecord& key,
                                                 const KeyVersionRecord& first_version) {
  RETURN_IF_ERROR(CheckNames(key.department, key.name));
  if (first_version.state != kVersionEnabled) {
    return absl::InvalidArgumentError("a key's first version must be enabled");
  }
  RETURN_IF_ERROR(CheckRotationPeriod(key.rotation_period));
  RETURN_IF_ERROR(sqlite::CheckKeyPolicy(key));
  if (key.origin != kKeyGenerated && key.origin != kKeyImported) {
    return absl::InvalidArgumentError(absl::StrCat("unknown key origin '", key.origin, "'"));
  }
  KeyRecord stored = key;
  stored.primary_version = 1;
  stored.created = StoredTime(key.created);
  stored.min_decrypt_version = 0;
  stored.rotation_period = absl::Seconds(absl::ToInt64Seconds(key.rotation_period));
  stored.next_rotation = StoredTime(key.next_rotation);
  KeyVersionRecord version = first_version;
  version.department = key.department;
  version.key = key.name;
  version.version = 1;
  version.created = StoredTime(first_version.created);
  version.destroyed = absl::InfinitePast();  // only FinishDestruction sets these
  version.destruction_id = 0;

  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_, Mode::kWrite));
  RETURN_IF_ERROR(CheckDepartmentExists(db_, key.department));
  ASSIGN_OR_RETURN(Statement insert,
                   Statement::Prepare(db_,
                                      "INSERT INTO keys (department, name, kind, "
                                      "protection_level, primary_version, last_version, "
                                      "description, created_us, data_level, "
                                      "sharing_class, allowed_operations, "
                                      "shared_operations, allowed_purposes, "
                                      "rotation_period_s, next_rotation_us, origin) "
                                      "VALUES (?1, ?2, ?3, ?4, 1, 1, ?5, ?6, ?7, ?8, ?9, "
                                      "?10, ?11, ?12, ?13, ?14)"));
  RETURN_IF_ERROR(insert.BindText(1, stored.department));
  RETURN_IF_ERROR(insert.BindText(2, stored.name));
  RETURN_IF_ERROR(insert.BindText(3, stored.kind));
  RETURN_IF_ERROR(insert.BindText(4, stored.protection_level));
  RETURN_IF_ERROR(insert.BindText(5, stored.description));
  RETURN_IF_ERROR(insert.BindInt64(6, TimeToMicros(stored.created)));
  RETURN_IF_ERROR(sqlite::BindKeyPolicy(insert, 7, stored));
  RETURN_IF_ERROR(insert.BindInt64(12, absl::ToInt64Seconds(stored.rotation_period)));
  RETURN_IF_ERROR(insert.BindInt64(13, TimeToMicros(stored.next_rotation)));
  RETURN_IF_ERROR(insert.BindText(14, stored.origin));
  RETURN_IF_ERROR(
      InsertStatus(insert.Run(), absl::StrCat("key ", KeyPath(key.department, key.name))));
  RETURN_IF_ERROR(InsertKeyVersion(version));
  RETURN_IF_ERROR(txn.Commit());
  return stored;
}

absl::StatusOr<KeyRecord> SqliteStore::GetKey(absl::string_view department,
                                              absl::string_view name) {
  RETURN_IF_ERROR(CheckNames(department, name));
  absl::MutexLock lock(&mu_);
  return ReadKey(db_, department, name);
}

absl::StatusOr<std::vector<KeyRecord>> SqliteStore::ListKeys(absl::string_view department) {
  RETURN_IF_ERROR(CheckName("department", department));
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_, Mode::kRead));
  RETURN_IF_ERROR(CheckDepartmentExists(db_, department));
  ASSIGN_OR_RETURN(Statement select,
                   PrepareSelect(db_, kSelectKey, "WHERE department = ?1 ORDER BY name"));
  RETURN_IF_ERROR(select.BindText(1, department));
  std::vector<KeyRecord> keys;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    keys.push_back(KeyFromRow(select));
  }
  RETURN_IF_ERROR(txn.Commit());
  return keys;
}

absl::StatusOr<KeyVersionRecord> SqliteStore::AddKeyVersion(absl::string_view department,
                                                            absl::string_view key,
                                                            const KeyVersionRecord& version,
                                                            bool make_primary) {
  RETURN_IF_ERROR(CheckNames(department, key));
  if (version.state != kVersionEnabled && version.state != kVersionDisabled) {
    return absl::InvalidArgumentError("a new key version must be enabled or disabled");
  }
  if (make_primary && version.state != kVersionEnabled) {
    return absl::FailedPreconditionError("only an enabled version can become primary");
  }
  KeyVersionRecord stored = version;
  stored.department = std::string(department);
  stored.key = std::string(key);
  stored.created = StoredTime(version.created);
  stored.destroyed = absl::InfinitePast();  // only FinishDestruction sets these
  stored.destruction_id = 0;

  absl::MutexLock lock(&mu_);
  // The write lock is held from here to Commit, so no other connection can take the same number.
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_, Mode::kWrite));
  ASSIGN_OR_RETURN(Statement last, Statement::Prepare(db_,
                                                      "SELECT last_version FROM keys "
                                                      "WHERE department = ?1 AND name = ?2"));
  RETURN_IF_ERROR(last.BindText(1, department));
  RETURN_IF_ERROR(last.BindText(2, key));
  ASSIGN_OR_RETURN(bool row, last.Step());
  if (!row) {
    return absl::NotFoundError(absl::StrCat("key ", KeyPath(department, key), " not found"));
  }
  const int64_t last_version = last.ColumnInt64(0);
  if (last_version >= std::numeric_limits<int32_t>::max()) {
    return absl::ResourceExhaustedError(
        absl::StrCat("key ", KeyPath(department, key), " has no version numbers left"));
  }
  stored.version = static_cast<int32_t>(last_version + 1);
  RETURN_IF_ERROR(InsertKeyVersion(stored));
  ASSIGN_OR_RETURN(Statement update,
                   Statement::Prepare(db_,
                                      "UPDATE keys SET last_version = ?3, primary_version = "
                                      "CASE WHEN ?4 THEN ?3 ELSE primary_version END "
                                      "WHERE department = ?1 AND name = ?2"));
  RETURN_IF_ERROR(update.BindText(1, department));
  RETURN_IF_ERROR(update.BindText(2, key));
  RETURN_IF_ERROR(update.BindInt64(3, stored.version));
  RETURN_IF_ERROR(update.BindInt64(4, make_primary ? 1 : 0));
  RETURN_IF_ERROR(update.Run());
  RETURN_IF_ERROR(txn.Commit());
  return stored;
}

absl::StatusOr<KeyVersionRecord> SqliteStore::GetKeyVersion(absl::string_view department,
                                                            absl::string_view key,
                                                            int32_t version) {
  RETURN_IF_ERROR(CheckNames(department, key));
  absl::MutexLock lock(&mu_);
  return ReadKeyVersion(department, key, version);
}

absl::StatusOr<std::vector<KeyVersionRecord>> SqliteStore::ListKeyVersions(
    absl::string_view department, absl::string_view key) {
  RETURN_IF_ERROR(CheckNames(department, key));
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_, Mode::kRead));
  RETURN_IF_ERROR(ReadKey(db_, department, key).status());
  ASSIGN_OR_RETURN(Statement select,
                   PrepareSelect(db_, kSelectKeyVersion,
                                 "WHERE department = ?1 AND key_name = ?2 ORDER BY version"));
  RETURN_IF_ERROR(select.BindText(1, department));
  RETURN_IF_ERROR(select.BindText(2, key));
  std::vector<KeyVersionRecord> versions;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    versions.push_back(KeyVersionFromRow(select));
  }
  RETURN_IF_ERROR(txn.Commit());
  return versions;
}

absl::StatusOr<KeyRecord> SqliteStore::SetPrimaryVersion(absl::string_view department,
                                                         absl::string_view key, int32_t version) {
  RETURN_IF_ERROR(CheckNames(department, key));
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_, Mode::kWrite));
  ASSIGN_OR_RETURN(KeyVersionRecord current, ReadKeyVersion(department, key, version));
  if (current.state != kVersionEnabled) {
    return absl::FailedPreconditionError(absl::StrCat("version ", version, " of key ",
                                                      KeyPath(department, key), " is ",
                                                      current.state, ", not enabled"));
  }
  // A primary below the minimum decrypt version would encrypt what it then refuses to decrypt.
  ASSIGN_OR_RETURN(KeyRecord key_record, ReadKey(db_, department, key));
  if (version < key_record.min_decrypt_version) {
    return absl::FailedPreconditionError(
        absl::StrCat("version ", version, " of key ", KeyPath(department, key),
                     " is below its minimum decrypt version ", key_record.min_decrypt_version,
                     "; lower that first"));
  }
  // A version about to be shredded must not become the one new data depends on.
  RETURN_IF_ERROR(sqlite::CheckNoOpenDestruction(db_, department, key, version));
  ASSIGN_OR_RETURN(KeyRecord updated, SetKeyColumn(department, key, "primary_version", version));
  RETURN_IF_ERROR(txn.Commit());
  return updated;
}

absl::StatusOr<KeyVersionRecord> SqliteStore::SetVersionState(absl::string_view department,
                                                              absl::string_view key,
                                                              int32_t version,
                                                              absl::string_view state) {
  RETURN_IF_ERROR(CheckNames(department, key));
  if (!IsKnownState(state)) {
    return absl::InvalidArgumentError(absl::StrCat("unknown key version state '", state, "'"));
  }
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_, Mode::kWrite));
  ASSIGN_OR_RETURN(KeyVersionRecord updated, ReadKeyVersion(department, key, version));
  if (updated.state == state) {
    RETURN_IF_ERROR(txn.Commit());
    return updated;
  }
  const std::string what = absl::StrCat("version ", version, " of key ", KeyPath(department, key));
  if (updated.state == kVersionDestroyed) {
    return absl::FailedPreconditionError(absl::StrCat(what, " is destroyed"));
  }
  ASSIGN_OR_RETURN(KeyRecord parent, ReadKey(db_, department, key));
  if (parent.primary_version == version) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, " is the primary version; make another version primary first"));
  }
  ASSIGN_OR_RETURN(Statement update,
                   Statement::Prepare(db_,
                                      "UPDATE key_versions SET state = ?4, "
                                      "wrapped_material = CASE WHEN ?4 = 'destroyed' "
                                      "THEN x'' ELSE wrapped_material END "
                                      "WHERE department = ?1 AND key_name = ?2 "
                                      "AND version = ?3"));
  RETURN_IF_ERROR(update.BindText(1, department));
  RETURN_IF_ERROR(update.BindText(2, key));
  RETURN_IF_ERROR(update.BindInt64(3, version));
  RETURN_IF_ERROR(update.BindText(4, state));
  RETURN_IF_ERROR(update.Run());
  RETURN_IF_ERROR(txn.Commit());
  updated.state = std::string(state);
  if (state == kVersionDestroyed) {
    updated.wrapped_material.clear();
    TruncateWal();
  }
  return updated;
}

absl::StatusOr<KeyRecord> SqliteStore::UpdateKeyPolicy(absl::string_view department,
                                                       absl::string_view key,
                                                       const KeyRecord& policy) {
  RETURN_IF_ERROR(CheckNames(department, key));
  RETURN_IF_ERROR(sqlite::CheckKeyPolicy(policy));
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_, Mode::kWrite));
  RETURN_IF_ERROR(ReadKey(db_, department, key).status());
  ASSIGN_OR_RETURN(Statement update,
                   Statement::Prepare(db_,
                                      "UPDATE keys SET data_level = ?3, sharing_class = ?4, "
                                      "allowed_operations = ?5, shared_operations = ?6, "
                                      "allowed_purposes = ?7 "
                                      "WHERE department = ?1 AND name = ?2"));
  RETURN_IF_ERROR(update.BindText(1, department));
  RETURN_IF_ERROR(update.BindText(2, key));
  RETURN_IF_ERROR(sqlite::BindKeyPolicy(update, 3, policy));
  RETURN_IF_ERROR(update.Run());
  ASSIGN_OR_RETURN(KeyRecord updated, ReadKey(db_, department, key));
  RETURN_IF_ERROR(txn.Commit());
  return updated;
}

absl::StatusOr<KeyRecord> SqliteStore::SetKeyColumn(absl::string_view department,
                                                    absl::string_view key, absl::string_view column,
                                                    int64_t value) {
  ASSIGN_OR_RETURN(Statement update,
                   Statement::Prepare(db_, absl::StrCat("UPDATE keys SET ", column,
                                                        " = ?3 WHERE department = ?1 AND "
                                                        "name = ?2")));
  RETURN_IF_ERROR(update.BindText(1, department));
  RETURN_IF_ERROR(update.BindText(2, key));
  RETURN_IF_ERROR(update.BindInt64(3, value));
  RETURN_IF_ERROR(update.Run());
  return ReadKey(db_, department, key);
}

absl::StatusOr<KeyRecord> SqliteStore::SetMinDecryptVersion(absl::string_view department,
                                                            absl::string_view key,
                                                            int32_t version) {
  RETURN_IF_ERROR(CheckNames(department, key));
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_, Mode::kWrite));
  ASSIGN_OR_RETURN(KeyRecord current, ReadKey(db_, department, key));
  if (version < 0 || version > current.primary_version) {
    return absl::FailedPreconditionError(
        absl::StrCat("the minimum decrypt version must be between 0 and the primary version ",
                     current.primary_version, " of ", KeyPath(department, key)));
  }
  ASSIGN_OR_RETURN(KeyRecord updated,
                   SetKeyColumn(department, key, "min_decrypt_version", version));
  RETURN_IF_ERROR(txn.Commit());
  return updated;
}

absl::StatusOr<KeyRecord> SqliteStore::SetRotationSchedule(absl::string_view department,
                                                           absl::string_view key,
                                                           absl::Duration period, absl::Time next) {
  RETURN_IF_ERROR(CheckNames(department, key));
  RETURN_IF_ERROR(CheckRotationPeriod(period));
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_, Mode::kWrite));
  RETURN_IF_ERROR(ReadKey(db_, department, key).status());
  ASSIGN_OR_RETURN(Statement update, Statement::Prepare(db_,
                                                        "UPDATE keys SET rotation_period_s = ?3, "
                                                        "next_rotation_us = ?4 "
                                                        "WHERE department = ?1 AND name = ?2"));
  RETURN_IF_ERROR(update.BindText(1, department));
  RETURN_IF_ERROR(update.BindText(2, key));
  RETURN_IF_ERROR(update.BindInt64(3, absl::ToInt64Seconds(period)));
  RETURN_IF_ERROR(update.BindInt64(4, TimeToMicros(next)));
  RETURN_IF_ERROR(update.Run());
  ASSIGN_OR_RETURN(KeyRecord updated, ReadKey(db_, department, key));
  RETURN_IF_ERROR(txn.Commit());
  return updated;
}

absl::StatusOr<std::vector<KeyRecord>> SqliteStore::ListDueRotations(absl::Time now,
                                                                     int32_t limit) {
  if (limit < 0) return absl::InvalidArgumentError("limit must not be negative");
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Statement select,
                   sqlite::PrepareSelect(db_, sqlite::kSelectKey,
                                         "WHERE next_rotation_us <= ?1 "
                                         "ORDER BY next_rotation_us, department, name LIMIT ?2"));
  RETURN_IF_ERROR(select.BindInt64(1, TimeToMicros(now)));
  RETURN_IF_ERROR(select.BindInt64(2, limit));
  std::vector<KeyRecord> due;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    due.push_back(sqlite::KeyFromRow(select));
  }
  return due;
}

absl::StatusOr<bool> SqliteStore::ClaimRotation(absl::string_view department, absl::string_view key,
                                                absl::Time expected, absl::Time next) {
  RETURN_IF_ERROR(CheckNames(department, key));
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Statement update, Statement::Prepare(db_,
                                                        "UPDATE keys SET next_rotation_us = ?4 "
                                                        "WHERE department = ?1 AND name = ?2 "
                                                        "AND next_rotation_us = ?3"));
  RETURN_IF_ERROR(update.BindText(1, department));
  RETURN_IF_ERROR(update.BindText(2, key));
  RETURN_IF_ERROR(update.BindInt64(3, TimeToMicros(expected)));
  RETURN_IF_ERROR(update.BindInt64(4, TimeToMicros(next)));
  RETURN_IF_ERROR(update.Run());
  return update.Changes() == 1;
}

void SqliteStore::TruncateWal() {
  // The destruction is committed either way; a checkpoint that cannot finish now (another
  // replica is reading) leaves the old page images for the next one.
  sqlite3_wal_checkpoint_v2(db_, "main", SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
}

}  // namespace yinjian::store
