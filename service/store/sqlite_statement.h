// A thin RAII layer over the SQLite C API, used by SqliteStore and the migrations: result codes
// become absl::Status here and nowhere else, statements are always prepared and bound (values
// never go into SQL text), and a transaction rolls back unless committed.
//
// None of these types lock anything: the caller serialises use of the connection.
#ifndef YINJIAN_SERVICE_STORE_SQLITE_STATEMENT_H_
#define YINJIAN_SERVICE_STORE_SQLITE_STATEMENT_H_

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/node_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace yinjian::store {

class StatementCache;

// "SQLITE_BUSY", "SQLITE_CONSTRAINT", ... for a (possibly extended) result code's primary code.
std::string SqliteCodeName(int rc);

// The canonical code for a result code:
//   BUSY, LOCKED, FULL, CANTOPEN, PROTOCOL      -> UNAVAILABLE (retry later or fix the disk)
//   CONSTRAINT_PRIMARYKEY / _UNIQUE             -> ALREADY_EXISTS
//   other CONSTRAINT, READONLY, NOTADB, MISMATCH -> FAILED_PRECONDITION
//   CORRUPT                                     -> DATA_LOSS
//   NOMEM                                       -> RESOURCE_EXHAUSTED
//   TOOBIG, RANGE                               -> INVALID_ARGUMENT
//   PERM, AUTH                                  -> PERMISSION_DENIED
//   INTERRUPT                                   -> CANCELLED
//   anything else (IOERR, ERROR, MISUSE ...)    -> INTERNAL
absl::StatusCode SqliteCodeToStatusCode(int rc);

// OK for SQLITE_OK/ROW/DONE; otherwise "<context>: <sqlite message> (SQLITE_X)". The message
// is the connection's (sqlite3_errmsg) when `db` is given, so call it before the next call on
// the connection. SQLite messages name tables and columns, never bound values.
absl::Status SqliteStatus(sqlite3* db, int rc, absl::string_view context);

// Runs SQL without parameters (PRAGMAs, BEGIN/COMMIT, schema DDL; several statements allowed).
absl::Status ExecSql(sqlite3* db, absl::string_view sql);

// One prepared statement. Bind* indexes start at 1, Column* at 0. One from
// StatementCache::Prepare goes back to its cache when destroyed; any other is finalized.
class Statement {
 public:
  // Prepares the first statement of `sql`. The error names the statement's first words.
  static absl::StatusOr<Statement> Prepare(sqlite3* db, absl::string_view sql);

  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Binding copies the value. A blob may be empty (stored as a zero-length blob, not NULL).
  absl::Status BindText(int index, absl::string_view value);
  absl::Status BindBlob(int index, absl::string_view bytes);
  absl::Status BindInt64(int index, int64_t value);

  // Steps once: true with a row to read, false when done.
  absl::StatusOr<bool> Step();
  // Steps once and expects no row (INSERT/UPDATE/DELETE).
  absl::Status Run();
  // Makes the statement ready to step again from the start, keeping its bindings, so one
  // prepared statement serves many rows: bind, Run, Reset, bind ... Call it after a successful
  // Step or Run (after a failed one it returns that failure again).
  absl::Status Reset();
  // The number of rows the last INSERT/UPDATE/DELETE on the connection changed.
  int64_t Changes() const;

  int64_t ColumnInt64(int column) const;
  std::string ColumnText(int column) const;
  std::string ColumnBlob(int column) const;

 private:
  friend class StatementCache;
  Statement(sqlite3* db, sqlite3_stmt* stmt, std::vector<sqlite3_stmt*>* idle = nullptr)
      : db_(db), stmt_(stmt), idle_(idle) {}
  absl::Status BindResult(int rc, int index);
  // Finalizes the statement, or resets it and gives it back to its cache.
  void Release();

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  std::vector<sqlite3_stmt*>* idle_;  // the cache's idle statements of this SQL, or null
};

// The prepared statements of one connection, kept for reuse. Preparing parses and plans the SQL
// (and compiles the table's triggers into an INSERT), which costs more than running a one-row
// INSERT or a lookup by primary key; the audit log's commit runs five statements per batch.
// Not thread-safe: the caller serialises use of the connection, as for the connection itself.
// Kept statements hold no bindings (they are cleared when a statement comes back), so no
// value outlives its use here.
class StatementCache {
 public:
  explicit StatementCache(sqlite3* db) : db_(db) {}
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;
  // Finalizes the kept statements; every Statement from Prepare must be gone by then.
  ~StatementCache();

  // A statement for `sql`, at its start and with no bindings: a kept one, or newly prepared.
  // Several may be in use at once for the same SQL. Errors as Statement::Prepare.
  absl::StatusOr<Statement> Prepare(absl::string_view sql);

  sqlite3* db() const { return db_; }

 private:
  sqlite3* const db_;
  // By SQL text; node_hash_map keeps each vector where Statement::idle_ points.
  absl::node_hash_map<std::string, std::vector<sqlite3_stmt*>> idle_;
};

// BEGIN IMMEDIATE (write: takes the database's write lock up front, waiting up to the busy
// timeout, so the read-then-write inside never fails half-way with SQLITE_BUSY) or BEGIN
// (read: a consistent snapshot). Rolls back in the destructor unless Commit succeeded.
class Transaction {
 public:
  enum class Mode { kRead, kWrite };
  static absl::StatusOr<Transaction> Begin(sqlite3* db, Mode mode);
  // The same, with BEGIN and COMMIT prepared once in `cache`, which must outlive the
  // transaction.
  static absl::StatusOr<Transaction> Begin(StatementCache& cache, Mode mode);

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  absl::Status Commit();

 private:
  Transaction(sqlite3* db, StatementCache* cache) : db_(db), cache_(cache) {}

  sqlite3* db_;            // null once committed, rolled back or moved from
  StatementCache* cache_;  // where COMMIT is prepared, or null
};

}  // namespace yinjian::store

#endif  // YINJIAN_SERVICE_STORE_SQLITE_STATEMENT_H_
