#include "service/store/sqlite_connection.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "service/store/sqlite_statement.h"

namespace yinjian::store {
namespace {

// Creates the file with mode 0600 (fchmod restores what the umask removed) or checks that an
// existing one opens for writing, so SQLite never creates it 0644 and never silently falls back
// to read-only.
absl::Status CreateOrCheckFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd >= 0) {
    const int chmod_rc = fchmod(fd, S_IRUSR | S_IWUSR);
    const int chmod_errno = errno;
    close(fd);
    if (chmod_rc != 0) {
      return absl::ErrnoToStatus(chmod_errno, absl::StrCat("cannot set mode 0600 on ", path));
    }
    return absl::OkStatus();
  }
  if (errno != EEXIST) {
    return absl::ErrnoToStatus(errno, absl::StrCat("cannot create database file ", path));
  }
  fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    return absl::ErrnoToStatus(errno,
                               absl::StrCat("cannot open database file ", path, " for writing"));
  }
  close(fd);
  return absl::OkStatus();
}

// Sets the file's journal to WAL and returns the mode SQLite reports. Converting a fresh file
// takes an exclusive lock, and when replicas start together SQLite may report SQLITE_BUSY for it
// without consulting the busy handler; so retry, backing off, until the busy timeout.
absl::StatusOr<std::string> SetWalMode(sqlite3* db, absl::Duration busy_timeout) {
  const absl::Time deadline = absl::Now() + busy_timeout;
  absl::Duration backoff = absl::Milliseconds(1);
  for (;;) {
    ASSIGN_OR_RETURN(Statement wal, Statement::Prepare(db, "PRAGMA journal_mode = WAL"));
    absl::StatusOr<bool> row = wal.Step();
    if (row.ok()) return *row ? wal.ColumnText(0) : std::string();
    const int code = sqlite3_errcode(db);
    if ((code != SQLITE_BUSY && code != SQLITE_LOCKED) || absl::Now() >= deadline) {
      return row.status();
    }
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Milliseconds(50));
  }
}

// Per-connection settings, then WAL (a property of the file). The journal_mode PRAGMA is the
// first statement that reads the file, so a file that is not a database fails there.
absl::Status Configure(sqlite3* db, absl::Duration busy_timeout) {
  RETURN_IF_ERROR(SqliteStatus(db, sqlite3_extended_result_codes(db, 1), "extended result codes"));
  // Before anything takes a lock: another replica may be converting a fresh file to WAL.
  const int timeout_ms = static_cast<int>(absl::ToInt64Milliseconds(busy_timeout));
  RETURN_IF_ERROR(SqliteStatus(db, sqlite3_busy_timeout(db, timeout_ms), "busy timeout"));
  RETURN_IF_ERROR(ExecSql(db, "PRAGMA foreign_keys = ON"));
  ASSIGN_OR_RETURN(std::string mode, SetWalMode(db, busy_timeout));
  if (mode != "wal") {
    return absl::FailedPreconditionError("cannot switch the journal to WAL mode");
  }
  // FULL: a commit is durable once it returns, not just consistent.
  RETURN_IF_ERROR(ExecSql(db, "PRAGMA synchronous = FULL"));
  // Freed space (e.g. a destroyed version's wrapped material) is overwritten with zeros.
  RETURN_IF_ERROR(ExecSql(db, "PRAGMA secure_delete = ON"));
  if (sqlite3_db_readonly(db, "main") == 1) {
    return absl::FailedPreconditionError("opened read-only");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SqliteConnection> OpenSqliteConnection(const std::string& path,
                                                      absl::Duration busy_timeout) {
  if (path.empty()) return absl::InvalidArgumentError("empty database path");
  RETURN_IF_ERROR(CreateOrCheckFile(path));
  sqlite3* raw_db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw_db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, nullptr);
  SqliteConnection db(raw_db);  // sqlite3_open_v2 may allocate a handle even when it fails
  absl::Status status = SqliteStatus(db.get(), rc, "open");
  if (status.ok()) status = Configure(db.get(), busy_timeout);
  if (status.ok()) return db;
  if ((sqlite3_extended_errcode(db.get()) & 0xff) == SQLITE_NOTADB) {
    return absl::FailedPreconditionError(
        absl::StrCat("database ", path, " is not a SQLite database"));
  }
  return absl::Status(status.code(), absl::StrCat("database ", path, ": ", status.message()));
}

}  // namespace yinjian::store
