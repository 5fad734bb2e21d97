// Opening a SQLite connection the way the store needs it: the file created with mode 0600,
// WAL journal, synchronous=FULL, foreign keys enforced, freed space zeroed, and a busy timeout
// so several replicas can share the file.
#ifndef YINJIAN_SERVICE_STORE_SQLITE_CONNECTION_H_
#define YINJIAN_SERVICE_STORE_SQLITE_CONNECTION_H_

#include <sqlite3.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace yinjian::store {

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using SqliteConnection = std::unique_ptr<sqlite3, SqliteCloser>;

// Opens `path` read-write, creating it (mode 0600 whatever the umask) if missing; an existing
// file keeps its mode. The -wal and -shm files SQLite creates next to it copy the file's mode.
// Errors carry the path:
//   from errno (NOT_FOUND, PERMISSION_DENIED, ...) when the file cannot be created or opened for
//     writing, e.g. a missing or read-only directory
//   FAILED_PRECONDITION when the file is not a SQLite database
//   UNAVAILABLE when the file cannot be locked within `busy_timeout` or SQLite cannot open it
absl::StatusOr<SqliteConnection> OpenSqliteConnection(const std::string& path,
                                                      absl::Duration busy_timeout);

}  // namespace yinjian::store

#endif  // YINJIAN_SERVICE_STORE_SQLITE_CONNECTION_H_
