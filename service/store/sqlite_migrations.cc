#include "service/store/sqlite_migrations.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/status_macros.h"
#include "service/store/sqlite_statement.h"

namespace yinjian::store {
namespace {

// Step 1. Names are TEXT; CKA_IDs, wrapped material and DER are BLOBs; times are microseconds
// since the Unix epoch. keys.last_version counts every version number ever handed out, so a
// number is never reused. The CHECKs restate the store's rules so that no code path (or hand
// edit) can leave material on a destroyed version.
constexpr absl::string_view kStep1Sql = R"sql(
CREATE TABLE departments (
  name         TEXT    NOT NULL PRIMARY KEY CHECK (name <> ''),
  display_name TEXT    NOT NULL,
  token_label  TEXT    NOT NULL,
  root_key_id  BLOB    NOT NULL,
  created_us   INTEGER NOT NULL
) STRICT;

CREATE TABLE keys (
  department       TEXT    NOT NULL REFERENCES departments (name),
  name             TEXT    NOT NULL CHECK (name <> ''),
  kind             TEXT    NOT NULL,
  protection_level TEXT    NOT NULL,
  primary_version  INTEGER NOT NULL CHECK (primary_version >= 1),
  last_version     INTEGER NOT NULL CHECK (last_version >= primary_version),
  description      TEXT    NOT NULL,
  created_us       INTEGER NOT NULL,
  PRIMARY KEY (department, name)
) STRICT;

CREATE TABLE key_versions (
  department       TEXT    NOT NULL,
  key_name         TEXT    NOT NULL,
  version          INTEGER NOT NULL CHECK (version >= 1),
  state            TEXT    NOT NULL CHECK (state IN ('enabled', 'disabled', 'destroyed')),
  wrapped_material BLOB    NOT NULL,
  hsm_object_id    BLOB    NOT NULL,
  public_key_spki  BLOB    NOT NULL,
  root_key_id      BLOB    NOT NULL,
  created_us       INTEGER NOT NULL,
  PRIMARY KEY (department, key_name, version),
  FOREIGN KEY (department, key_name) REFERENCES keys (department, name),
  CHECK (state <> 'destroyed' OR length(wrapped_material) = 0)
) STRICT;
)sql";

// Step 2. Key policy (R2, R5) on keys, principals with their certificates (R7), and grants (R5,
// R6). Lists (roles, operations, purposes, approvers) are TEXT with items joined by '\n', ''
// for none. Times that may be unset or unbounded (disabled_us, revoked_us, activated_us,
// not_after_us, expires_us) hold INT64 min for InfinitePast and INT64 max for InfiniteFuture.
// grantee_principal is '' for a department-wide grant, so it cannot reference principals; the
// store checks it. AUTOINCREMENT: a grant id is never reused, even after a row is deleted.
constexpr absl::string_view kStep2Sql = R"sql(
ALTER TABLE keys ADD COLUMN data_level TEXT NOT NULL DEFAULT 'general'
  CHECK (data_level IN ('general', 'important', 'core'));
ALTER TABLE keys ADD COLUMN sharing_class TEXT NOT NULL DEFAULT 'none'
  CHECK (sharing_class IN ('none', 'conditional', 'unconditional'));
ALTER TABLE keys ADD COLUMN allowed_operations TEXT NOT NULL DEFAULT '';
ALTER TABLE keys ADD COLUMN shared_operations  TEXT NOT NULL DEFAULT '';
ALTER TABLE keys ADD COLUMN allowed_purposes   TEXT NOT NULL DEFAULT '';

CREATE TABLE principals (
  name        TEXT    NOT NULL PRIMARY KEY CHECK (name <> ''),
  department  TEXT    NOT NULL REFERENCES departments (name),
  roles       TEXT    NOT NULL,
  state       TEXT    NOT NULL CHECK (state IN ('enabled', 'disabled')),
  created_by  TEXT    NOT NULL,
  created_us  INTEGER NOT NULL,
  disabled_us INTEGER NOT NULL
) STRICT;

CREATE TABLE certificates (
  fingerprint  TEXT    NOT NULL PRIMARY KEY CHECK (fingerprint <> ''),
  principal    TEXT    NOT NULL REFERENCES principals (name),
  subject      TEXT    NOT NULL,
  not_after_us INTEGER NOT NULL,
  state        TEXT    NOT NULL CHECK (state IN ('active', 'revoked')),
  added_us     INTEGER NOT NULL,
  revoked_us   INTEGER NOT NULL
) STRICT;

CREATE INDEX certificates_by_principal ON certificates (principal);

CREATE TABLE grants (
  id                 INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  key_department     TEXT    NOT NULL,
  key_name           TEXT    NOT NULL,
  grantee_principal  TEXT    NOT NULL,
  grantee_department TEXT    NOT NULL REFERENCES departments (name),
  operations         TEXT    NOT NULL,
  purposes           TEXT    NOT NULL,
  expires_us         INTEGER NOT NULL,
  max_uses           INTEGER NOT NULL CHECK (max_uses >= 0),
  uses               INTEGER NOT NULL CHECK (uses >= 0 AND (max_uses = 0 OR uses <= max_uses)),
  state              TEXT    NOT NULL CHECK (state IN ('pending', 'active', 'revoked')),
  required_approvals INTEGER NOT NULL CHECK (required_approvals >= 1),
  justification      TEXT    NOT NULL,
  requested_by       TEXT    NOT NULL,
  requested_us       INTEGER NOT NULL,
  approved_by        TEXT    NOT NULL,
  activated_us       INTEGER NOT NULL,
  revoked_by         TEXT    NOT NULL,
  revoke_reason      TEXT    NOT NULL,
  revoked_us         INTEGER NOT NULL,
  FOREIGN KEY (key_department, key_name) REFERENCES keys (department, name)
) STRICT;

CREATE INDEX grants_by_key ON grants (key_department, key_name);
CREATE INDEX grants_by_grantee_principal ON grants (grantee_principal);
CREATE INDEX grants_by_grantee_department ON grants (grantee_department);
)sql";

// Step 3. The audit log (R9, R10): entries with the copies of their fields that QueryAudit
// filters on, the hashes of the Merkle tree's complete subtrees, and signed checkpoints.
// audit_entries.idx is the rowid, so max(idx) + 1 (the log's size) is one B-tree descent.
// key_name holds "department/key" or ''. Times are microseconds as in step 1.
//
// The triggers make the three tables append-only for every writer, not only the store: an
// UPDATE or DELETE aborts, and so does an INSERT that would replace a row (INSERT OR REPLACE
// deletes without firing DELETE triggers); re-inserting an identical node or checkpoint is
// left to the INSERT's own conflict clause. Whoever can write the file can still drop the
// triggers and then edit rows; that is what the Merkle tree and the signed checkpoints
// detect (audit verify), not what these triggers prevent.
constexpr absl::string_view kStep3Sql = R"sql(
CREATE TABLE audit_entries (
  idx        INTEGER PRIMARY KEY CHECK (idx >= 0),
  entry      BLOB    NOT NULL,
  leaf_hash  BLOB    NOT NULL CHECK (length(leaf_hash) = 32),
  time_us    INTEGER NOT NULL,
  principal  TEXT    NOT NULL,
  department TEXT    NOT NULL,
  operation  TEXT    NOT NULL,
  key_name   TEXT    NOT NULL,
  decision   TEXT    NOT NULL,
  result     TEXT    NOT NULL
) STRICT;

CREATE INDEX audit_entries_by_principal  ON audit_entries (principal);
CREATE INDEX audit_entries_by_department ON audit_entries (department);
CREATE INDEX audit_entries_by_key_name   ON audit_entries (key_name);
CREATE INDEX audit_entries_by_operation  ON audit_entries (operation);
CREATE INDEX audit_entries_by_time_us    ON audit_entries (time_us);

CREATE TABLE audit_nodes (
  level INTEGER NOT NULL CHECK (level >= 0 AND level < 63),
  idx   INTEGER NOT NULL CHECK (idx >= 0),
  hash  BLOB    NOT NULL CHECK (length(hash) = 32),
  PRIMARY KEY (level, idx)
) STRICT, WITHOUT ROWID;

CREATE TABLE audit_checkpoints (
  size       INTEGER NOT NULL PRIMARY KEY CHECK (size >= 0),
  root_hash  BLOB    NOT NULL CHECK (length(root_hash) = 32),
  note       TEXT    NOT NULL,
  created_us INTEGER NOT NULL
) STRICT;

CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_entries_no_replace BEFORE INSERT ON audit_entries
WHEN EXISTS (SELECT 1 FROM audit_entries WHERE idx = NEW.idx)
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TRIGGER audit_nodes_no_update BEFORE UPDATE ON audit_nodes
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_nodes_no_delete BEFORE DELETE ON audit_nodes
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_nodes_no_replace BEFORE INSERT ON audit_nodes
WHEN EXISTS (SELECT 1 FROM audit_nodes
             WHERE level = NEW.level AND idx = NEW.idx AND hash IS NOT NEW.hash)
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_checkpoints_no_replace BEFORE INSERT ON audit_checkpoints
WHEN EXISTS (SELECT 1 FROM audit_checkpoints
             WHERE size = NEW.size AND (root_hash IS NOT NEW.root_hash
                                        OR note IS NOT NEW.note
                                        OR created_us IS NOT NEW.created_us))
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql";

// Step 4. Key lifecycle: the lowest version that may still decrypt or verify (0: any), and the
// rotation schedule. next_rotation_us is INT64 max for keys without one; the scheduler claims a
// due rotation by moving it forward with a compare-and-swap, so replicas never rotate twice.
constexpr absl::string_view kStep4Sql = R"sql(
ALTER TABLE keys ADD COLUMN min_decrypt_version INTEGER NOT NULL DEFAULT 0
  CHECK (min_decrypt_version >= 0);
ALTER TABLE keys ADD COLUMN rotation_period_s INTEGER NOT NULL DEFAULT 0
  CHECK (rotation_period_s >= 0);
ALTER TABLE keys ADD COLUMN next_rotation_us INTEGER NOT NULL DEFAULT 9223372036854775807;
CREATE INDEX keys_next_rotation ON keys (next_rotation_us);
)sql";

// Step 5. Supervised key destruction (R11). A request names a key and a version (0: every
// version of the key) and moves pending -> approved -> scheduled -> destroying -> destroyed, or
// to cancelled before destroying. approved_by is a list as in step 2; destroyed_versions lists
// the shredded version numbers ascending, one per line. Times are microseconds as in step 1;
// unset ones (approved_us, witnessed_us, cancelled_us, destroyed_us) hold INT64 min and an unset
// destroy_after_us INT64 max. AUTOINCREMENT: a request id is never reused. The partial unique
// index restates the store's rule of at most one open request per key.
//
// key_versions gains when a destruction request shredded the version and which one (INT64 min
// and 0 for every other version, including those destroyed by SetVersionState).
constexpr absl::string_view kStep5Sql = R"sql(
CREATE TABLE destructions (
  id                 INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  department         TEXT    NOT NULL CHECK (department <> ''),
  key_name           TEXT    NOT NULL CHECK (key_name <> ''),
  version            INTEGER NOT NULL CHECK (version >= 0),
  reason             TEXT    NOT NULL,
  state              TEXT    NOT NULL CHECK (state IN ('pending', 'approved', 'scheduled',
                                                       'destroying', 'destroyed', 'cancelled')),
  required_approvals INTEGER NOT NULL CHECK (required_approvals >= 1),
  requested_by       TEXT    NOT NULL,
  requested_us       INTEGER NOT NULL,
  approved_by        TEXT    NOT NULL,
  approved_us        INTEGER NOT NULL,
  witnessed_by       TEXT    NOT NULL,
  witnessed_us       INTEGER NOT NULL,
  destroy_after_us   INTEGER NOT NULL,
  cancelled_by       TEXT    NOT NULL,
  cancel_reason      TEXT    NOT NULL,
  cancelled_us       INTEGER NOT NULL,
  destroyed_us       INTEGER NOT NULL,
  destroyed_versions TEXT    NOT NULL,
  record             TEXT    NOT NULL,
  record_index       INTEGER NOT NULL CHECK (record_index >= -1),
  FOREIGN KEY (department, key_name) REFERENCES keys (department, name),
  CHECK (record = '' OR state = 'destroyed')
) STRICT;

CREATE INDEX destructions_due ON destructions (state, destroy_after_us);
CREATE INDEX destructions_by_key ON destructions (department, key_name);
CREATE UNIQUE INDEX destructions_one_open_per_key ON destructions (department, key_name)
  WHERE state IN ('pending', 'approved', 'scheduled', 'destroying');

ALTER TABLE key_versions ADD COLUMN destroyed_us INTEGER NOT NULL
  DEFAULT -9223372036854775808;
ALTER TABLE key_versions ADD COLUMN destruction_id INTEGER NOT NULL DEFAULT 0
  CHECK (destruction_id >= 0);
)sql";

// Step 6. Department root key rotation (R1, key lifecycle). A rotation records the department's
// root key before and after (CKA_IDs as BLOBs, as departments.root_key_id), who started it and
// when, how many versions needed re-wrapping then, and the last re-wrap. Times are microseconds
// as in step 1; finished_us holds INT64 min while the rotation runs. AUTOINCREMENT: a rotation id
// is never reused. The partial unique index restates the store's rule of at most one unfinished
// rotation per department.
//
// key_versions_wrapped indexes only versions holding wrapped material (not HSM-resident, not
// destroyed), in key and version order with their root: the rotation's "versions of a department
// not yet under root X" scans it without reading table rows and stops at its limit, and the count
// is answered from the index alone.
constexpr absl::string_view kStep6Sql = R"sql(
CREATE TABLE root_rotations (
  id               INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  department       TEXT    NOT NULL REFERENCES departments (name),
  old_root_key_id  BLOB    NOT NULL,
  new_root_key_id  BLOB    NOT NULL CHECK (length(new_root_key_id) > 0),
  started_by       TEXT    NOT NULL,
  started_us       INTEGER NOT NULL,
  versions_total   INTEGER NOT NULL CHECK (versions_total >= 0),
  last_progress_us INTEGER NOT NULL,
  finished_us      INTEGER NOT NULL,
  CHECK (old_root_key_id <> new_root_key_id)
) STRICT;

CREATE INDEX root_rotations_by_department ON root_rotations (department, id);
CREATE UNIQUE INDEX root_rotations_one_unfinished_per_department ON root_rotations (department)
  WHERE finished_us = -9223372036854775808;

CREATE INDEX key_versions_wrapped ON key_versions (department, key_name, version, root_key_id)
  WHERE length(wrapped_material) > 0;
)sql";

// Step 7. Where a key's material came from: 'generated' (by Yinjian) or 'imported' (bring your
// own key). Imported keys get new versions only by import.
constexpr absl::string_view kStep7Sql = R"sql(
ALTER TABLE keys ADD COLUMN origin TEXT NOT NULL DEFAULT 'generated'
  CHECK (origin IN ('generated', 'imported'));
)sql";

constexpr SqliteMigration kMigrations[] = {
    {.version = 1, .name = "departments_keys_key_versions", .sql = kStep1Sql},
    {.version = 2, .name = "principals_certificates_grants_key_policy", .sql = kStep2Sql},
    {.version = 3, .name = "audit_log", .sql = kStep3Sql},
    {.version = 4, .name = "key_lifecycle", .sql = kStep4Sql},
    {.version = 5, .name = "key_destruction", .sql = kStep5Sql},
    {.version = 6, .name = "root_key_rotation", .sql = kStep6Sql},
    {.version = 7, .name = "key_origin", .sql = kStep7Sql},
};

constexpr absl::string_view kCreateMigrationsTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER NOT NULL PRIMARY KEY,
  name       TEXT    NOT NULL,
  applied_us INTEGER NOT NULL
) STRICT;
)sql";

struct AppliedStep {
  int32_t version;
  std::string name;
};

absl::StatusOr<std::vector<AppliedStep>> ReadAppliedSteps(sqlite3* db) {
  ASSIGN_OR_RETURN(Statement select,
                   Statement::Prepare(db,
                                      "SELECT version, name FROM schema_migrations "
                                      "ORDER BY version"));
  std::vector<AppliedStep> applied;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    applied.push_back(
        {.version = static_cast<int32_t>(select.ColumnInt64(0)), .name = select.ColumnText(1)});
  }
  return applied;
}

// FAILED_PRECONDITION unless the applied steps are a prefix of `steps`.
absl::Status CheckHistory(const std::vector<AppliedStep>& applied,
                          absl::Span<const SqliteMigration> steps) {
  for (size_t i = 0; i < applied.size(); ++i) {
    const AppliedStep& step = applied[i];
    if (step.version > static_cast<int32_t>(steps.size())) {
      return absl::FailedPreconditionError(absl::StrCat(
          "database schema version ", applied.back().version, " is newer than this binary's ",
          steps.size(), "; upgrade the server (or restore a matching backup)"));
    }
    if (step.version != static_cast<int32_t>(i) + 1) {
      return absl::FailedPreconditionError(absl::StrCat("schema_migrations is missing step ", i + 1,
                                                        "; the database was not built by Yinjian"));
    }
    if (step.name != steps[i].name) {
      return absl::FailedPreconditionError(absl::StrCat(
          "database schema step ", step.version, " is '", step.name, "', this binary's is '",
          steps[i].name, "'; the database has a different schema history"));
    }
  }
  return absl::OkStatus();
}

// A database without recorded steps must hold no tables but schema_migrations: step 1 must not
// mix Yinjian's tables into some other application's database.
absl::Status CheckEmpty(sqlite3* db) {
  ASSIGN_OR_RETURN(Statement count,
                   Statement::Prepare(db,
                                      "SELECT count(*) FROM sqlite_master WHERE type = "
                                      "'table' AND name <> 'schema_migrations' "
                                      "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"));
  ASSIGN_OR_RETURN(bool row, count.Step());
  if (row && count.ColumnInt64(0) != 0) {
    return absl::FailedPreconditionError(
        "the database has tables but no Yinjian schema history; it belongs to something else");
  }
  return absl::OkStatus();
}

absl::Status RecordStep(sqlite3* db, const SqliteMigration& step) {
  ASSIGN_OR_RETURN(Statement insert,
                   Statement::Prepare(db,
                                      "INSERT INTO schema_migrations (version, name, "
                                      "applied_us) VALUES (?1, ?2, ?3)"));
  RETURN_IF_ERROR(insert.BindInt64(1, step.version));
  RETURN_IF_ERROR(insert.BindText(2, step.name));
  RETURN_IF_ERROR(insert.BindInt64(3, absl::ToUnixMicros(absl::Now())));
  return insert.Run();
}

// Applies the step after the database's current version, if any, in one write transaction.
// Returns the version the database is at afterwards and whether a step was applied.
absl::StatusOr<std::pair<int32_t, bool>> ApplyNextStep(sqlite3* db,
                                                       absl::Span<const SqliteMigration> steps) {
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db, Transaction::Mode::kWrite));
  RETURN_IF_ERROR(ExecSql(db, kCreateMigrationsTable));
  ASSIGN_OR_RETURN(std::vector<AppliedStep> applied, ReadAppliedSteps(db));
  RETURN_IF_ERROR(CheckHistory(applied, steps));
  if (applied.empty()) RETURN_IF_ERROR(CheckEmpty(db));
  const int32_t current = static_cast<int32_t>(applied.size());
  if (current == static_cast<int32_t>(steps.size())) {
    RETURN_IF_ERROR(txn.Commit());
    return std::make_pair(current, false);
  }
  const SqliteMigration& step = steps[current];
  if (absl::Status status = ExecSql(db, step.sql); !status.ok()) {
    return absl::Status(status.code(), absl::StrCat("schema step ", step.version, " (", step.name,
                                                    "): ", status.message()));
  }
  RETURN_IF_ERROR(RecordStep(db, step));
  RETURN_IF_ERROR(txn.Commit());
  return std::make_pair(step.version, true);
}

}  // namespace

absl::Span<const SqliteMigration> SqliteMigrations() { return kMigrations; }

absl::Status ValidateMigrations(absl::Span<const SqliteMigration> steps) {
  for (size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].version != static_cast<int32_t>(i) + 1) {
      return absl::InternalError(absl::StrCat("schema step at position ", i, " has version ",
                                              steps[i].version, ", want ", i + 1));
    }
    if (steps[i].name.empty() || steps[i].sql.empty()) {
      return absl::InternalError(
          absl::StrCat("schema step ", steps[i].version, " lacks a name or SQL"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int32_t> ApplySqliteMigrations(sqlite3* db,
                                              absl::Span<const SqliteMigration> steps) {
  RETURN_IF_ERROR(ValidateMigrations(steps));
  for (;;) {
    ASSIGN_OR_RETURN(auto result, ApplyNextStep(db, steps));
    if (!result.second) return result.first;
  }
}

absl::StatusOr<int32_t> ReadSchemaVersion(sqlite3* db) {
  ASSIGN_OR_RETURN(Statement exists,
                   Statement::Prepare(db,
                                      "SELECT count(*) FROM sqlite_master "
                                      "WHERE type = 'table' AND name = 'schema_migrations'"));
  ASSIGN_OR_RETURN(bool row, exists.Step());
  if (!row || exists.ColumnInt64(0) == 0) return 0;
  ASSIGN_OR_RETURN(Statement max, Statement::Prepare(db,
                                                     "SELECT coalesce(max(version), 0) "
                                                     "FROM schema_migrations"));
  ASSIGN_OR_RETURN(row, max.Step());
  if (!row) return absl::InternalError("SELECT max(version) returned no row");
  return static_cast<int32_t>(max.ColumnInt64(0));
}

}  // namespace yinjian::store
