#include "service/store/sqlite_root_rotations.h"

#include <optional>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "service/store/sqlite_rows.h"
#include "service/store/sqlite_statement.h"

namespace yinjian::store::sqlite {
namespace {

using Mode = Transaction::Mode;

// A running rotation's finished_us, for binding.
int64_t RunningMicros() { return TimeToMicros(absl::InfinitePast()); }

// "root key rotation 3 of department finance", for messages.
std::string Describe(const RootRotationRecord& rotation) {
  return absl::StrCat("root key rotation ", rotation.id, " of department ", rotation.department);
}

absl::StatusOr<RootRotationRecord> ReadRotation(sqlite3* db, int64_t id) {
  ASSIGN_OR_RETURN(Statement select, PrepareSelect(db, kSelectRootRotation, "WHERE id = ?1"));
  RETURN_IF_ERROR(select.BindInt64(1, id));
  ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return absl::NotFoundError(absl::StrCat("root key rotation ", id, " not found"));
  return RootRotationFromRow(select);
}

// The department's unfinished rotation, if any (the schema allows at most one).
absl::StatusOr<std::optional<RootRotationRecord>> FindUnfinished(sqlite3* db,
                                                                 absl::string_view department) {
  ASSIGN_OR_RETURN(Statement select, PrepareSelect(db, kSelectRootRotation,
                                                   "WHERE department = ?1 AND finished_us = ?2 "
                                                   "ORDER BY id LIMIT 1"));
  RETURN_IF_ERROR(select.BindText(1, department));
  RETURN_IF_ERROR(select.BindInt64(2, RunningMicros()));
  ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return std::optional<RootRotationRecord>();
  return std::optional<RootRotationRecord>(RootRotationFromRow(select));
}

absl::StatusOr<DepartmentRecord> ReadDepartment(sqlite3* db, absl::string_view name) {
  ASSIGN_OR_RETURN(Statement select, PrepareSelect(db, kSelectDepartment, "WHERE name = ?1"));
  RETURN_IF_ERROR(select.BindText(1, name));
  ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return absl::NotFoundError(absl::StrCat("department ", name, " not found"));
  return DepartmentFromRow(select);
}

// The condition on key_versions, with the department bound to ?1 and the root to ?2 (as a BLOB:
// a TEXT value never equals a BLOB column). Spelled as the key_versions_wrapped index's WHERE
// so that SQLite uses that partial index.
constexpr absl::string_view kNotWrappedUnder =
    "WHERE department = ?1 AND length(wrapped_material) > 0 AND root_key_id <> ?2 ";

// Inside the caller's transaction.
absl::StatusOr<int64_t> CountNotWrappedUnder(sqlite3* db, absl::string_view department,
                                             absl::string_view root_key_id) {
  ASSIGN_OR_RETURN(Statement count,
                   PrepareSelect(db, "SELECT count(*) FROM key_versions ", kNotWrappedUnder));
  RETURN_IF_ERROR(count.BindText(1, department));
  RETURN_IF_ERROR(count.BindBlob(2, root_key_id));
  ASSIGN_OR_RETURN(bool row, count.Step());
  if (!row) return absl::InternalError("SELECT count(*) returned no row");
  return count.ColumnInt64(0);
}

absl::Status InsertRotation(sqlite3* db, const RootRotationRecord& rotation) {
  ASSIGN_OR_RETURN(Statement insert,
                   Statement::Prepare(db,
                                      "INSERT INTO root_rotations (department, "
                                      "old_root_key_id, new_root_key_id, started_by, "
                                      "started_us, versions_total, last_progress_us, "
                                      "finished_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
  RETURN_IF_ERROR(insert.BindText(1, rotation.department));
  RETURN_IF_ERROR(insert.BindBlob(2, rotation.old_root_key_id));
  RETURN_IF_ERROR(insert.BindBlob(3, rotation.new_root_key_id));
  RETURN_IF_ERROR(insert.BindText(4, rotation.started_by));
  RETURN_IF_ERROR(insert.BindInt64(5, TimeToMicros(rotation.started)));
  RETURN_IF_ERROR(insert.BindInt64(6, rotation.versions_total));
  RETURN_IF_ERROR(insert.BindInt64(7, TimeToMicros(rotation.last_progress)));
  RETURN_IF_ERROR(insert.BindInt64(8, TimeToMicros(rotation.finished)));
  // Only the one-unfinished-per-department index can conflict: ids are never reused.
  return InsertStatus(insert.Run(), absl::StrCat("an unfinished root key rotation of department ",
                                                 rotation.department));
}

absl::Status SetDepartmentRoot(sqlite3* db, absl::string_view department,
                               absl::string_view root_key_id) {
  ASSIGN_OR_RETURN(
      Statement update,
      Statement::Prepare(db, "UPDATE departments SET root_key_id = ?2 WHERE name = ?1"));
  RETURN_IF_ERROR(update.BindText(1, department));
  RETURN_IF_ERROR(update.BindBlob(2, root_key_id));
  return update.Run();
}

}  // namespace

absl::StatusOr<RootRotationRecord> BeginRootRotation(sqlite3* db, absl::string_view department,
                                                     absl::string_view new_root_key_id,
                                                     absl::string_view by, absl::Time when) {
  RETURN_IF_ERROR(CheckName("department", department));
  RETURN_IF_ERROR(CheckName("starter", by));
  if (new_root_key_id.empty()) return absl::InvalidArgumentError("empty new root key id");

  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db, Mode::kWrite));
  ASSIGN_OR_RETURN(DepartmentRecord current, ReadDepartment(db, department));
  ASSIGN_OR_RETURN(std::optional<RootRotationRecord> running, FindUnfinished(db, department));
  if (running.has_value()) {
    return absl::FailedPreconditionError(
        absl::StrCat("department ", department, " already has unfinished ", Describe(*running)));
  }
  if (current.root_key_id == new_root_key_id) {
    return absl::FailedPreconditionError(
        absl::StrCat("department ", department, " already uses that root key"));
  }
  RootRotationRecord rotation;
  rotation.department = std::string(department);
  rotation.old_root_key_id = current.root_key_id;
  rotation.new_root_key_id = std::string(new_root_key_id);
  rotation.started_by = std::string(by);
  rotation.started = StoredTime(when);
  ASSIGN_OR_RETURN(rotation.versions_total, CountNotWrappedUnder(db, department, new_root_key_id));
  rotation.last_progress = rotation.started;
  rotation.finished = absl::InfinitePast();
  RETURN_IF_ERROR(InsertRotation(db, rotation));
  rotation.id = sqlite3_last_insert_rowid(db);
  RETURN_IF_ERROR(SetDepartmentRoot(db, department, new_root_key_id));
  RETURN_IF_ERROR(txn.Commit());
  return rotation;
}

absl::StatusOr<RootRotationRecord> LatestRootRotation(sqlite3* db, absl::string_view department) {
  RETURN_IF_ERROR(CheckName("department", department));
  ASSIGN_OR_RETURN(Statement select, PrepareSelect(db, kSelectRootRotation,
                                                   "WHERE department = ?1 ORDER BY id DESC "
                                                   "LIMIT 1"));
  RETURN_IF_ERROR(select.BindText(1, department));
  ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) {
    return absl::NotFoundError(
        absl::StrCat("department ", department, " has no root key rotation"));
  }
  return RootRotationFromRow(select);
}

absl::StatusOr<std::vector<RootRotationRecord>> ListUnfinishedRootRotations(sqlite3* db) {
  ASSIGN_OR_RETURN(Statement select,
                   PrepareSelect(db, kSelectRootRotation, "WHERE finished_us = ?1 ORDER BY id"));
  RETURN_IF_ERROR(select.BindInt64(1, RunningMicros()));
  return ReadAll(select, &RootRotationFromRow);
}

absl::StatusOr<std::vector<KeyVersionRecord>> ListVersionsNotWrappedUnder(
    sqlite3* db, absl::string_view department, absl::string_view root_key_id, int32_t limit) {
  RETURN_IF_ERROR(CheckName("department", department));
  if (limit < 0) return absl::InvalidArgumentError("limit must not be negative");
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db, Mode::kRead));
  RETURN_IF_ERROR(CheckDepartmentExists(db, department));
  ASSIGN_OR_RETURN(
      Statement select,
      PrepareSelect(db, kSelectKeyVersion,
                    absl::StrCat(kNotWrappedUnder, "ORDER BY key_name, version LIMIT ?3")));
  RETURN_IF_ERROR(select.BindText(1, department));
  RETURN_IF_ERROR(select.BindBlob(2, root_key_id));
  RETURN_IF_ERROR(select.BindInt64(3, limit));
  ASSIGN_OR_RETURN(std::vector<KeyVersionRecord> versions, ReadAll(select, &KeyVersionFromRow));
  RETURN_IF_ERROR(txn.Commit());
  return versions;
}

absl::StatusOr<int64_t> CountVersionsNotWrappedUnder(sqlite3* db, absl::string_view department,
                                                     absl::string_view root_key_id) {
  RETURN_IF_ERROR(CheckName("department", department));
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db, Mode::kRead));
  RETURN_IF_ERROR(CheckDepartmentExists(db, department));
  ASSIGN_OR_RETURN(int64_t count, CountNotWrappedUnder(db, department, root_key_id));
  RETURN_IF_ERROR(txn.Commit());
  return count;
}

absl::StatusOr<std::vector<bool>> RewrapVersions(sqlite3* db,
                                                 absl::Span<const VersionRewrap> rewraps,
                                                 absl::Time when) {
  for (const VersionRewrap& rewrap : rewraps) {
    RETURN_IF_ERROR(CheckName("department", rewrap.department));
    RETURN_IF_ERROR(CheckName("key", rewrap.key));
    if (rewrap.new_root_key_id.empty()) {
      return absl::InvalidArgumentError("empty new root key id");
    }
    if (rewrap.new_wrapped_material.empty()) {
      return absl::InvalidArgumentError("empty re-wrapped key material");
    }
  }
  // One transaction for the batch: one durable commit serves every version in it.
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db, Mode::kWrite));
  // The compare and swap: a version destroyed (material erased) or re-wrapped by another
  // replica since the caller read it no longer matches.
  ASSIGN_OR_RETURN(Statement update,
                   Statement::Prepare(db,
                                      "UPDATE key_versions SET wrapped_material = ?5, "
                                      "root_key_id = ?6 WHERE department = ?1 "
                                      "AND key_name = ?2 AND version = ?3 "
                                      "AND root_key_id = ?4 AND length(wrapped_material) > 0"));
  ASSIGN_OR_RETURN(Statement exists, Statement::Prepare(db,
                                                        "SELECT 1 FROM key_versions "
                                                        "WHERE department = ?1 "
                                                        "AND key_name = ?2 AND version = ?3"));
  std::vector<bool> swapped;
  swapped.reserve(rewraps.size());
  std::set<std::string> progressed;
  for (const VersionRewrap& rewrap : rewraps) {
    RETURN_IF_ERROR(update.BindText(1, rewrap.department));
    RETURN_IF_ERROR(update.BindText(2, rewrap.key));
    RETURN_IF_ERROR(update.BindInt64(3, rewrap.version));
    RETURN_IF_ERROR(update.BindBlob(4, rewrap.expected_root_key_id));
    RETURN_IF_ERROR(update.BindBlob(5, rewrap.new_wrapped_material));
    RETURN_IF_ERROR(update.BindBlob(6, rewrap.new_root_key_id));
    RETURN_IF_ERROR(update.Run());
    const bool changed = update.Changes() > 0;
    RETURN_IF_ERROR(update.Reset());
    if (!changed) {
      RETURN_IF_ERROR(exists.BindText(1, rewrap.department));
      RETURN_IF_ERROR(exists.BindText(2, rewrap.key));
      RETURN_IF_ERROR(exists.BindInt64(3, rewrap.version));
      ASSIGN_OR_RETURN(bool row, exists.Step());
      RETURN_IF_ERROR(exists.Reset());
      if (!row) {
        return absl::NotFoundError(absl::StrCat("version ", rewrap.version, " of key ",
                                                KeyPath(rewrap.department, rewrap.key),
                                                " not found"));
      }
    } else {
      progressed.insert(rewrap.department);
    }
    swapped.push_back(changed);
  }
  ASSIGN_OR_RETURN(Statement progress,
                   Statement::Prepare(db,
                                      "UPDATE root_rotations SET last_progress_us = ?3 "
                                      "WHERE department = ?1 AND finished_us = ?2"));
  for (const std::string& department : progressed) {
    RETURN_IF_ERROR(progress.BindText(1, department));
    RETURN_IF_ERROR(progress.BindInt64(2, RunningMicros()));
    RETURN_IF_ERROR(progress.BindInt64(3, TimeToMicros(when)));
    RETURN_IF_ERROR(progress.Run());
    RETURN_IF_ERROR(progress.Reset());
  }
  RETURN_IF_ERROR(txn.Commit());
  return swapped;
}

absl::StatusOr<RootRotationRecord> FinishRootRotation(sqlite3* db, int64_t id, absl::Time when) {
  if (when == absl::InfinitePast()) {
    return absl::InvalidArgumentError("a rotation cannot finish at the infinite past");
  }
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db, Mode::kWrite));
  ASSIGN_OR_RETURN(RootRotationRecord rotation, ReadRotation(db, id));
  if (rotation.finished != absl::InfinitePast()) {
    return absl::FailedPreconditionError(absl::StrCat(Describe(rotation), " finished already at ",
                                                      absl::FormatTime(rotation.finished)));
  }
  rotation.finished = StoredTime(when);
  ASSIGN_OR_RETURN(Statement update, Statement::Prepare(db,
                                                        "UPDATE root_rotations SET finished_us = "
                                                        "?2 WHERE id = ?1"));
  RETURN_IF_ERROR(update.BindInt64(1, id));
  RETURN_IF_ERROR(update.BindInt64(2, TimeToMicros(rotation.finished)));
  RETURN_IF_ERROR(update.Run());
  RETURN_IF_ERROR(txn.Commit());
  return rotation;
}

}  // namespace yinjian::store::sqlite
