// The SQLite schema as an ordered list of steps, and the code that brings a database up to date.
//
// Rules for the list (docs/store.md): it is append-only. A shipped step is never edited,
// reordered or removed; a change to the schema is a new step at the end with the next version.
// Every applied step is recorded in schema_migrations (version, name, applied time), so a
// database says exactly which steps built it.
#ifndef YINJIAN_SERVICE_STORE_SQLITE_MIGRATIONS_H_
#define YINJIAN_SERVICE_STORE_SQLITE_MIGRATIONS_H_

#include <sqlite3.h>

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace yinjian::store {

struct SqliteMigration {
  int32_t version;         // 1, 2, 3 ... in list order, no gaps
  absl::string_view name;  // short and stable; checked against the database's record
  absl::string_view sql;   // one or more statements without parameters
};

// The steps this binary knows, oldest first.
absl::Span<const SqliteMigration> SqliteMigrations();

// INTERNAL unless versions run 1, 2, 3 ... and every step has a name and SQL. A programming
// error, checked before anything touches a database.
absl::Status ValidateMigrations(absl::Span<const SqliteMigration> steps);

// Brings the database on `db` up to the last of `steps` and returns the resulting version.
// Each pending step runs in its own write transaction together with its schema_migrations row,
// so a step is applied completely or not at all, and replicas opening the same file at once
// apply each step exactly once (the version is re-read under the write lock).
//
// FAILED_PRECONDITION, changing nothing, if the database records a version newer than the last
// step (written by a newer binary) or a step whose name differs from this binary's step of the
// same version (a different schema history). The failing step's SQLite error otherwise.
absl::StatusOr<int32_t> ApplySqliteMigrations(sqlite3* db, absl::Span<const SqliteMigration> steps);

// The highest version recorded in schema_migrations; 0 for a database without that table.
absl::StatusOr<int32_t> ReadSchemaVersion(sqlite3* db);

}  // namespace yinjian::store

#endif  // YINJIAN_SERVICE_STORE_SQLITE_MIGRATIONS_H_
