#include "service/store/sqlite_statement.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace yinjian::store {
namespace {

// The first few words of a statement, to say which one failed without dumping the SQL.
absl::string_view Abbreviate(absl::string_view sql) {
  constexpr size_t kMax = 48;
  return sql.size() <= kMax ? sql : sql.substr(0, kMax);
}

}  // namespace

std::string SqliteCodeName(int rc) {
  switch (rc & 0xff) {
    case SQLITE_OK: return "SQLITE_OK";
    case SQLITE_ERROR: return "SQLITE_ERROR";
    case SQLITE_INTERNAL: return "SQLITE_INTERNAL";
    case SQLITE_PERM: return "SQLITE_PERM";
    case SQLITE_ABORT: return "SQLITE_ABORT";
    case SQLITE_BUSY: return "SQLITE_BUSY";
    case SQLITE_LOCKED: return "SQLITE_LOCKED";
    case SQLITE_NOMEM: return "SQLITE_NOMEM";
    case SQLITE_READONLY: return "SQLITE_READONLY";
    case SQLITE_INTERRUPT: return "SQLITE_INTERRUPT";
    case SQLITE_IOERR: return "SQLITE_IOERR";
    case SQLITE_CORRUPT: return "SQLITE_CORRUPT";
    case SQLITE_NOTFOUND: return "SQLITE_NOTFOUND";
    case SQLITE_FULL: return "SQLITE_FULL";
    case SQLITE_CANTOPEN: return "SQLITE_CANTOPEN";
    case SQLITE_PROTOCOL: return "SQLITE_PROTOCOL";
    case SQLITE_SCHEMA: return "SQLITE_SCHEMA";
    case SQLITE_TOOBIG: return "SQLITE_TOOBIG";
    case SQLITE_CONSTRAINT: return "SQLITE_CONSTRAINT";
    case SQLITE_MISMATCH: return "SQLITE_MISMATCH";
    case SQLITE_MISUSE: return "SQLITE_MISUSE";
    case SQLITE_AUTH: return "SQLITE_AUTH";
    case SQLITE_RANGE: return "SQLITE_RANGE";
    case SQLITE_NOTADB: return "SQLITE_NOTADB";
    case SQLITE_ROW: return "SQLITE_ROW";
    case SQLITE_DONE: return "SQLITE_DONE";
    default: return absl::StrCat("SQLITE_", rc);
  }
}

absl::StatusCode SqliteCodeToStatusCode(int rc) {
  switch (rc) {
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_UNIQUE:
      return absl::StatusCode::kAlreadyExists;
    default:
      break;
  }
  switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
      return absl::StatusCode::kOk;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
      return absl::StatusCode::kUnavailable;
    case SQLITE_CONSTRAINT:
    case SQLITE_READONLY:
    case SQLITE_NOTADB:
    case SQLITE_MISMATCH:
      return absl::StatusCode::kFailedPrecondition;
    case SQLITE_CORRUPT:
      return absl::StatusCode::kDataLoss;
    case SQLITE_NOMEM:
      return absl::StatusCode::kResourceExhausted;
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
      return absl::StatusCode::kInvalidArgument;
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return absl::StatusCode::kPermissionDenied;
    case SQLITE_INTERRUPT:
      return absl::StatusCode::kCancelled;
    default:
      return absl::StatusCode::kInternal;
  }
}

absl::Status SqliteStatus(sqlite3* db, int rc, absl::string_view context) {
  const absl::StatusCode code = SqliteCodeToStatusCode(rc);
  if (code == absl::StatusCode::kOk) return absl::OkStatus();
  const char* message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return absl::Status(code, absl::StrCat(context, ": ", message, " (", SqliteCodeName(rc), ")"));
}

absl::Status ExecSql(sqlite3* db, absl::string_view sql) {
  const std::string terminated(sql);
  const int rc = sqlite3_exec(db, terminated.c_str(), nullptr, nullptr, nullptr);
  return SqliteStatus(db, rc, Abbreviate(sql));
}

absl::StatusOr<Statement> Statement::Prepare(sqlite3* db, absl::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return SqliteStatus(db, rc, absl::StrCat("prepare ", Abbreviate(sql)));
  }
  if (stmt == nullptr) {
    return absl::InternalError(absl::StrCat("no SQL statement in: ", Abbreviate(sql)));
  }
  return Statement(db, stmt);
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), idle_(other.idle_) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    Release();
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
    idle_ = other.idle_;
  }
  return *this;
}

Statement::~Statement() { Release(); }

void Statement::Release() {
  if (stmt_ == nullptr) return;
  if (idle_ == nullptr) {
    sqlite3_finalize(stmt_);
  } else {
    // reset returns the last step's error again, if there was one; the statement is reset
    // either way.
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    idle_->push_back(stmt_);
  }
  stmt_ = nullptr;
}

StatementCache::~StatementCache() {
  for (auto& [sql, statements] : idle_) {
    for (sqlite3_stmt* stmt : statements) sqlite3_finalize(stmt);
  }
}

absl::StatusOr<Statement> StatementCache::Prepare(absl::string_view sql) {
  auto found = idle_.find(sql);
  if (found != idle_.end() && !found->second.empty()) {
    sqlite3_stmt* stmt = found->second.back();
    found->second.pop_back();
    return Statement(db_, stmt, &found->second);
  }
  ASSIGN_OR_RETURN(Statement prepared, Statement::Prepare(db_, sql));
  std::vector<sqlite3_stmt*>* idle =
      found != idle_.end() ? &found->second : &idle_[std::string(sql)];
  return Statement(db_, std::exchange(prepared.stmt_, nullptr), idle);
}

absl::Status Statement::BindResult(int rc, int index) {
  return SqliteStatus(db_, rc, absl::StrCat("bind parameter ", index));
}

absl::Status Statement::BindText(int index, absl::string_view value) {
  return BindResult(sqlite3_bind_text64(stmt_, index, value.data() != nullptr ? value.data() : "",
                                        value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
                    index);
}

absl::Status Statement::BindBlob(int index, absl::string_view bytes) {
  // A null pointer would bind NULL rather than an empty blob.
  return BindResult(sqlite3_bind_blob64(stmt_, index, bytes.data() != nullptr ? bytes.data() : "",
                                        bytes.size(), SQLITE_TRANSIENT),
                    index);
}

absl::Status Statement::BindInt64(int index, int64_t value) {
  return BindResult(sqlite3_bind_int64(stmt_, index, value), index);
}

absl::StatusOr<bool> Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteStatus(db_, rc, Abbreviate(sqlite3_sql(stmt_)));
}

absl::Status Statement::Run() {
  absl::StatusOr<bool> row = Step();
  if (!row.ok()) return row.status();
  if (*row) {
    return absl::InternalError(
        absl::StrCat("statement returned a row: ", Abbreviate(sqlite3_sql(stmt_))));
  }
  return absl::OkStatus();
}

absl::Status Statement::Reset() {
  return SqliteStatus(db_, sqlite3_reset(stmt_), Abbreviate(sqlite3_sql(stmt_)));
}

int64_t Statement::Changes() const { return sqlite3_changes64(db_); }

int64_t Statement::ColumnInt64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::ColumnText(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  return text == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(text), size);
}

std::string Statement::ColumnBlob(int column) const {
  const void* blob = sqlite3_column_blob(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  return blob == nullptr ? std::string() : std::string(static_cast<const char*>(blob), size);
}

absl::StatusOr<Transaction> Transaction::Begin(sqlite3* db, Mode mode) {
  const absl::Status begun = ExecSql(db, mode == Mode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN");
  if (!begun.ok()) return begun;
  return Transaction(db, nullptr);
}

absl::StatusOr<Transaction> Transaction::Begin(StatementCache& cache, Mode mode) {
  ASSIGN_OR_RETURN(Statement begin,
                   cache.Prepare(mode == Mode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN"));
  RETURN_IF_ERROR(begin.Run());
  return Transaction(cache.db(), &cache);
}

Transaction::Transaction(Transaction&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), cache_(other.cache_) {}

Transaction::~Transaction() {
  // Best effort: if the rollback itself fails, SQLite has already rolled back (or the
  // connection is unusable and every later call will say so).
  if (db_ != nullptr) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

absl::Status Transaction::Commit() {
  absl::Status committed;
  if (cache_ != nullptr) {
    absl::StatusOr<Statement> commit = cache_->Prepare("COMMIT");
    committed = commit.ok() ? commit->Run() : commit.status();
  } else {
    committed = ExecSql(db_, "COMMIT");
  }
  // A failed COMMIT leaves the transaction open (e.g. SQLITE_BUSY); the destructor rolls back.
  if (committed.ok()) db_ = nullptr;
  return committed;
}

}  // namespace yinjian::store
