#include "service/store/sqlite_statement.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "tests/service/store/raw_sqlite.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::store {
namespace {

using ::testing::HasSubstr;
using ::yinjian::testing::TempDir;

TEST(SqliteCodeTest, ResultCodesMapToCanonicalCodes) {
  EXPECT_EQ(SqliteCodeToStatusCode(SQLITE_OK), absl::StatusCode::kOk);
  EXPECT_EQ(SqliteCodeToStatusCode(SQLITE_DONE), absl::StatusCode::kOk);
  EXPECT_EQ(SqliteCodeToStatusCode(SQLITE_BUSY), absl::StatusCode::kUnavailable);
  EXPECT_EQ(SqliteCodeToStatusCode(SQLITE_BUSY_SNAPSHOT), absl::StatusCode::kUnavailable);
  EXPECT_EQ(SqliteCodeToStatusCode(SQLITE_LOCKED), absl::StatusCode::kUnavailable);
  EXPECT_EQ(SqliteCodeToStatusCode(SQLITE_FULL), absl::StatusCode::kUnavailable);
  EXPECT_EQ(SqliteCodeToStatusCode(SQLITE_IOERR_FSYNC), absl::StatusCode::kInternal);
  EXPECT_EQ(SqliteCodeToStatusCode(SQLITE_CONSTRAINT_PRIMARYKEY),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(SqliteCodeToStatusCode(SQLITE_CONSTRAINT_UNIQUE), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(SqliteCodeToStatusCode(SQLITE_CONSTRAINT_FOREIGNKEY),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(SqliteCodeToStatusCode(SQLITE_CONSTRAINT_CHECK),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(SqliteCodeToStatusCode(SQLITE_NOTADB), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(SqliteCodeToStatusCode(SQLITE_CORRUPT), absl::StatusCode::kDataLoss);
  EXPECT_EQ(SqliteCodeName(SQLITE_BUSY_SNAPSHOT), "SQLITE_BUSY");
}

class SqliteStatementTest : public ::testing::Test {
 protected:
  void SetUp() override {
    YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
    dir_ = std::make_unique<TempDir>(std::move(dir));
    raw_ = std::make_unique<testing::RawSqlite>(dir_->File("t.db"));
    sqlite3_extended_result_codes(db(), 1);  // as OpenSqliteConnection does
    ASSERT_TRUE(raw_->Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB, s TEXT)"));
  }
  sqlite3* db() { return raw_->db(); }

  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<testing::RawSqlite> raw_;
};

TEST_F(SqliteStatementTest, EmptyBlobIsStoredAsABlobNotNull) {
  YJ_ASSERT_OK_AND_ASSIGN(Statement insert,
                          Statement::Prepare(db(), "INSERT INTO t (id, b, s) VALUES (?1, ?2, ?3)"));
  YJ_ASSERT_OK(insert.BindInt64(1, 1));
  YJ_ASSERT_OK(insert.BindBlob(2, absl::string_view()));
  YJ_ASSERT_OK(insert.BindText(3, absl::string_view()));
  YJ_ASSERT_OK(insert.Run());
  EXPECT_EQ(raw_->QueryText("SELECT typeof(b) || ',' || typeof(s) FROM t"), "blob,text");
}

TEST_F(SqliteStatementTest, BlobsRoundTripWithZeroBytes) {
  const std::string bytes("\x00\x01\xff\x00", 4);
  YJ_ASSERT_OK_AND_ASSIGN(Statement insert,
                          Statement::Prepare(db(), "INSERT INTO t (id, b) VALUES (1, ?1)"));
  YJ_ASSERT_OK(insert.BindBlob(1, bytes));
  YJ_ASSERT_OK(insert.Run());
  YJ_ASSERT_OK_AND_ASSIGN(Statement select, Statement::Prepare(db(), "SELECT b FROM t"));
  YJ_ASSERT_OK_AND_ASSIGN(bool row, select.Step());
  ASSERT_TRUE(row);
  EXPECT_EQ(select.ColumnBlob(0), bytes);
}

TEST_F(SqliteStatementTest, ConstraintErrorsNameTheCodeNotTheValues) {
  ASSERT_TRUE(raw_->Exec("INSERT INTO t (id, s) VALUES (1, 'x')"));
  YJ_ASSERT_OK_AND_ASSIGN(Statement insert,
                          Statement::Prepare(db(), "INSERT INTO t (id, s) VALUES (1, ?1)"));
  YJ_ASSERT_OK(insert.BindText(1, "secret-value"));
  const absl::Status status = insert.Run();
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists) << status;
  EXPECT_THAT(status.message(), HasSubstr("SQLITE_CONSTRAINT"));
  EXPECT_THAT(std::string(status.message()), ::testing::Not(HasSubstr("secret-value")));
}

TEST_F(SqliteStatementTest, BadSqlFailsToPrepare) {
  const absl::Status status = Statement::Prepare(db(), "SELEKT 1").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
  EXPECT_THAT(status.message(), HasSubstr("SELEKT"));
}

TEST_F(SqliteStatementTest, ResetRunsOneStatementForManyRows) {
  YJ_ASSERT_OK_AND_ASSIGN(Statement insert,
                          Statement::Prepare(db(),
                                             "INSERT INTO t (id, s) VALUES (?1, ?2) "
                                             "ON CONFLICT DO NOTHING"));
  for (int64_t id : {1, 2, 3}) {
    YJ_ASSERT_OK(insert.BindInt64(1, id));
    YJ_ASSERT_OK(insert.BindText(2, absl::StrCat("row ", id)));
    YJ_ASSERT_OK(insert.Run());
    EXPECT_EQ(insert.Changes(), 1);
    YJ_ASSERT_OK(insert.Reset());
  }
  // A conflict that ON CONFLICT DO NOTHING skips changes no row.
  YJ_ASSERT_OK(insert.BindInt64(1, 2));
  YJ_ASSERT_OK(insert.Run());
  EXPECT_EQ(insert.Changes(), 0);
  EXPECT_EQ(raw_->QueryText("SELECT group_concat(s, ',') FROM (SELECT s FROM t ORDER BY id)"),
            "row 1,row 2,row 3");
}

TEST_F(SqliteStatementTest, UncommittedTransactionRollsBack) {
  {
    YJ_ASSERT_OK_AND_ASSIGN(Transaction txn, Transaction::Begin(db(), Transaction::Mode::kWrite));
    YJ_ASSERT_OK(ExecSql(db(), "INSERT INTO t (id) VALUES (1)"));
  }
  EXPECT_EQ(raw_->QueryInt("SELECT count(*) FROM t"), 0);
  {
    YJ_ASSERT_OK_AND_ASSIGN(Transaction txn, Transaction::Begin(db(), Transaction::Mode::kWrite));
    YJ_ASSERT_OK(ExecSql(db(), "INSERT INTO t (id) VALUES (2)"));
    YJ_ASSERT_OK(txn.Commit());
  }
  EXPECT_EQ(raw_->QueryInt("SELECT count(*) FROM t"), 1);
}

// The statements prepared on `db` and not yet finalized (kept in a cache or in use).
int LiveStatements(sqlite3* db) {
  int count = 0;
  for (sqlite3_stmt* stmt = sqlite3_next_stmt(db, nullptr); stmt != nullptr;
       stmt = sqlite3_next_stmt(db, stmt)) {
    ++count;
  }
  return count;
}

// How many of them are part-way through a result (they would hold a read transaction open).
int BusyStatements(sqlite3* db) {
  int count = 0;
  for (sqlite3_stmt* stmt = sqlite3_next_stmt(db, nullptr); stmt != nullptr;
       stmt = sqlite3_next_stmt(db, stmt)) {
    count += sqlite3_stmt_busy(stmt) != 0 ? 1 : 0;
  }
  return count;
}

TEST_F(SqliteStatementTest, CachedStatementComesBackAtItsStartWithNoBindings) {
  StatementCache cache(db());
  for (int round = 0; round < 3; ++round) {
    YJ_ASSERT_OK_AND_ASSIGN(Statement select, cache.Prepare("SELECT ?1 IS NULL, ?1"));
    YJ_ASSERT_OK_AND_ASSIGN(bool row, select.Step());
    ASSERT_TRUE(row);
    // The previous round's value is gone: a kept statement holds no bindings.
    EXPECT_EQ(select.ColumnInt64(0), 1) << "round " << round;
    YJ_ASSERT_OK(select.Reset());
    YJ_ASSERT_OK(select.BindText(1, absl::StrCat("secret ", round)));
    YJ_ASSERT_OK_AND_ASSIGN(row, select.Step());
    ASSERT_TRUE(row);
    EXPECT_EQ(select.ColumnText(1), absl::StrCat("secret ", round));
  }
  // Prepared once, used three times.
  EXPECT_EQ(LiveStatements(db()), 1);
}

TEST_F(SqliteStatementTest, CacheServesTheSameSqlTwiceAtOnce) {
  StatementCache cache(db());
  {
    YJ_ASSERT_OK_AND_ASSIGN(Statement first, cache.Prepare("SELECT ?1"));
    YJ_ASSERT_OK_AND_ASSIGN(Statement second, cache.Prepare("SELECT ?1"));
    YJ_ASSERT_OK(first.BindInt64(1, 1));
    YJ_ASSERT_OK(second.BindInt64(1, 2));
    YJ_ASSERT_OK_AND_ASSIGN(bool row, first.Step());
    ASSERT_TRUE(row);
    YJ_ASSERT_OK_AND_ASSIGN(row, second.Step());
    ASSERT_TRUE(row);
    EXPECT_EQ(first.ColumnInt64(0), 1);
    EXPECT_EQ(second.ColumnInt64(0), 2);
  }
  EXPECT_EQ(LiveStatements(db()), 2);
  YJ_ASSERT_OK_AND_ASSIGN(Statement again, cache.Prepare("SELECT ?1"));
  EXPECT_EQ(LiveStatements(db()), 2);  // one of the two kept, not a third
}

TEST_F(SqliteStatementTest, CachedStatementLeftPartWayIsResetWhenItComesBack) {
  ASSERT_TRUE(raw_->Exec("INSERT INTO t (id) VALUES (1), (2), (3)"));
  StatementCache cache(db());
  {
    YJ_ASSERT_OK_AND_ASSIGN(Statement select, cache.Prepare("SELECT id FROM t ORDER BY id"));
    YJ_ASSERT_OK_AND_ASSIGN(bool row, select.Step());
    ASSERT_TRUE(row);
    YJ_ASSERT_OK_AND_ASSIGN(row, select.Step());
    ASSERT_TRUE(row);
    EXPECT_EQ(select.ColumnInt64(0), 2);
    EXPECT_EQ(BusyStatements(db()), 1);
  }
  // No read left open by the kept statement, and it starts again from the first row.
  EXPECT_EQ(BusyStatements(db()), 0);
  YJ_ASSERT_OK_AND_ASSIGN(Statement select, cache.Prepare("SELECT id FROM t ORDER BY id"));
  YJ_ASSERT_OK_AND_ASSIGN(bool row, select.Step());
  ASSERT_TRUE(row);
  EXPECT_EQ(select.ColumnInt64(0), 1);
}

TEST_F(SqliteStatementTest, CachedStatementAfterAFailedStepWorksAgain) {
  ASSERT_TRUE(raw_->Exec("INSERT INTO t (id) VALUES (1)"));
  StatementCache cache(db());
  {
    YJ_ASSERT_OK_AND_ASSIGN(Statement insert, cache.Prepare("INSERT INTO t (id) VALUES (?1)"));
    YJ_ASSERT_OK(insert.BindInt64(1, 1));
    EXPECT_EQ(insert.Run().code(), absl::StatusCode::kAlreadyExists);
  }
  YJ_ASSERT_OK_AND_ASSIGN(Statement insert, cache.Prepare("INSERT INTO t (id) VALUES (?1)"));
  YJ_ASSERT_OK(insert.BindInt64(1, 2));
  YJ_EXPECT_OK(insert.Run());
  EXPECT_EQ(raw_->QueryInt("SELECT count(*) FROM t"), 2);
  EXPECT_EQ(LiveStatements(db()), 1);
}

TEST_F(SqliteStatementTest, CachedTransactionCommitsOrRollsBack) {
  StatementCache cache(db());
  {
    YJ_ASSERT_OK_AND_ASSIGN(Transaction txn, Transaction::Begin(cache, Transaction::Mode::kWrite));
    YJ_ASSERT_OK(ExecSql(db(), "INSERT INTO t (id) VALUES (1)"));
  }
  EXPECT_EQ(raw_->QueryInt("SELECT count(*) FROM t"), 0);
  for (int64_t id : {2, 3}) {
    YJ_ASSERT_OK_AND_ASSIGN(Transaction txn, Transaction::Begin(cache, Transaction::Mode::kWrite));
    YJ_ASSERT_OK(ExecSql(db(), absl::StrCat("INSERT INTO t (id) VALUES (", id, ")")));
    YJ_ASSERT_OK(txn.Commit());
  }
  EXPECT_EQ(raw_->QueryInt("SELECT count(*) FROM t"), 2);
  EXPECT_EQ(LiveStatements(db()), 2);  // BEGIN IMMEDIATE and COMMIT, each prepared once
}

TEST_F(SqliteStatementTest, CacheFinalizesWhatItKeeps) {
  {
    StatementCache cache(db());
    YJ_ASSERT_OK_AND_ASSIGN(Statement a, cache.Prepare("SELECT 1"));
    YJ_ASSERT_OK_AND_ASSIGN(Statement b, cache.Prepare("SELECT 2"));
  }
  EXPECT_EQ(LiveStatements(db()), 0);
}

TEST_F(SqliteStatementTest, CacheReportsBadSql) {
  StatementCache cache(db());
  const absl::Status status = cache.Prepare("SELEKT 1").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
  EXPECT_THAT(status.message(), HasSubstr("SELEKT"));
  EXPECT_EQ(LiveStatements(db()), 0);
}

}  // namespace
}  // namespace yinjian::store
