#include "service/store/sqlite_migrations.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "service/store/sqlite_store.h"
#include "tests/service/store/raw_sqlite.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::store {
namespace {

using ::testing::HasSubstr;
using ::yinjian::testing::TempDir;

const int32_t kShipped = static_cast<int32_t>(SqliteMigrations().size());

// The shipped steps plus `extra` (numbered from kShipped + 1 by the caller).
std::vector<SqliteMigration> ShippedPlus(std::vector<SqliteMigration> extra) {
  std::vector<SqliteMigration> steps(SqliteMigrations().begin(), SqliteMigrations().end());
  steps.insert(steps.end(), extra.begin(), extra.end());
  return steps;
}

class SqliteMigrationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
    dir_ = std::make_unique<TempDir>(std::move(dir));
    path_ = dir_->File("store.db");
  }

  // Applied steps as "version:name" lines in order.
  std::string AppliedSteps() {
    testing::RawSqlite db(path_);
    return db.QueryText(
        "SELECT group_concat(version || ':' || name, ',') FROM "
        "(SELECT version, name FROM schema_migrations ORDER BY version)");
  }

  std::string ShippedSteps() {
    std::string joined;
    for (const SqliteMigration& step : SqliteMigrations()) {
      absl::StrAppend(&joined, joined.empty() ? "" : ",", step.version, ":", step.name);
    }
    return joined;
  }

  std::unique_ptr<TempDir> dir_;
  std::string path_;
};

TEST_F(SqliteMigrationsTest, ShippedStepsAreValid) {
  ASSERT_GE(kShipped, 1);
  YJ_EXPECT_OK(ValidateMigrations(SqliteMigrations()));
}

TEST_F(SqliteMigrationsTest, ValidateRejectsGapsAndBlanks) {
  EXPECT_EQ(ValidateMigrations(std::vector<SqliteMigration>{{2, "two", "SELECT 1"}}).code(),
            absl::StatusCode::kInternal);
  EXPECT_EQ(ValidateMigrations(std::vector<SqliteMigration>{{1, "", "SELECT 1"}}).code(),
            absl::StatusCode::kInternal);
  EXPECT_EQ(ValidateMigrations(std::vector<SqliteMigration>{{1, "one", ""}}).code(),
            absl::StatusCode::kInternal);
  YJ_EXPECT_OK(ValidateMigrations({}));
}

TEST_F(SqliteMigrationsTest, OpeningThreeTimesAppliesEachStepOnce) {
  for (int i = 0; i < 3; ++i) {
    YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(path_));
    EXPECT_EQ(store->SchemaVersion(), kShipped);
  }
  EXPECT_EQ(AppliedSteps(), ShippedSteps());
  testing::RawSqlite db(path_);
  EXPECT_EQ(db.QueryInt("SELECT count(*) FROM schema_migrations"), kShipped);
  EXPECT_GT(db.QueryInt("SELECT min(applied_us) FROM schema_migrations"), 0);
}

TEST_F(SqliteMigrationsTest, ConcurrentOpensOfAFreshFileApplyEachStepOnce) {
  std::vector<absl::Status> results(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = SqliteStore::Open(path_).status(); });
  }
  for (std::thread& thread : threads) thread.join();
  for (const absl::Status& result : results) YJ_EXPECT_OK(result);
  EXPECT_EQ(AppliedSteps(), ShippedSteps());
}

TEST_F(SqliteMigrationsTest, ANewStepUpgradesAnOldDatabaseKeepingItsData) {
  {
    YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(path_));
    YJ_ASSERT_OK(store->CreateDepartment({.name = "tax", .display_name = "Tax"}));
  }
  const std::vector<SqliteMigration> next = ShippedPlus(
      {{kShipped + 1, "test_principals",
        "CREATE TABLE test_principals (name TEXT NOT NULL PRIMARY KEY) STRICT;"
        "INSERT INTO test_principals (name) SELECT name FROM departments;"}});
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteStore> store,
                          SqliteStore::OpenWithMigrations(path_, {}, next));
  EXPECT_EQ(store->SchemaVersion(), kShipped + 1);
  YJ_ASSERT_OK_AND_ASSIGN(DepartmentRecord tax, store->GetDepartment("tax"));
  EXPECT_EQ(tax.display_name, "Tax");
  testing::RawSqlite db(path_);
  EXPECT_EQ(db.QueryText("SELECT name FROM test_principals"), "tax");
  EXPECT_EQ(AppliedSteps(), absl::StrCat(ShippedSteps(), ",", kShipped + 1, ":test_principals"));
}

TEST_F(SqliteMigrationsTest, AFailingStepChangesNothing) {
  { YJ_ASSERT_OK(SqliteStore::Open(path_).status()); }
  const std::vector<SqliteMigration> broken = ShippedPlus(
      {{kShipped + 1, "half_done",
        "CREATE TABLE half_done (x INTEGER) STRICT; INSERT INTO no_such_table VALUES (1);"}});
  const absl::Status status = SqliteStore::OpenWithMigrations(path_, {}, broken).status();
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("half_done"));
  EXPECT_THAT(status.message(), HasSubstr(path_));

  testing::RawSqlite db(path_);
  EXPECT_EQ(db.QueryInt("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'"), 0);
  EXPECT_EQ(AppliedSteps(), ShippedSteps());
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(path_));
  EXPECT_EQ(store->SchemaVersion(), kShipped);
}

TEST_F(SqliteMigrationsTest, ADatabaseFromTheFutureIsRefused) {
  { YJ_ASSERT_OK(SqliteStore::Open(path_).status()); }
  {
    testing::RawSqlite db(path_);
    ASSERT_TRUE(db.Exec(absl::StrCat("INSERT INTO schema_migrations (version, name, applied_us) "
                                     "VALUES (", kShipped + 1, ", 'from_the_future', 1)")));
  }
  const absl::Status status = SqliteStore::Open(path_).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(status.message(), HasSubstr("newer"));
  EXPECT_THAT(status.message(), HasSubstr(path_));
  // Nothing was rolled back or dropped.
  testing::RawSqlite db(path_);
  EXPECT_EQ(db.QueryInt("SELECT max(version) FROM schema_migrations"), kShipped + 1);
}

TEST_F(SqliteMigrationsTest, ADifferentHistoryIsRefused) {
  { YJ_ASSERT_OK(SqliteStore::Open(path_).status()); }
  {
    testing::RawSqlite db(path_);
    ASSERT_TRUE(db.Exec("UPDATE schema_migrations SET name = 'someone_elses' WHERE version = 1"));
  }
  const absl::Status status = SqliteStore::Open(path_).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(status.message(), HasSubstr("someone_elses"));
}

TEST_F(SqliteMigrationsTest, AnotherApplicationsDatabaseIsRefusedUntouched) {
  {
    testing::RawSqlite db(path_);
    ASSERT_TRUE(db.Exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY)"));
  }
  const absl::Status status = SqliteStore::Open(path_).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  testing::RawSqlite db(path_);
  EXPECT_EQ(db.QueryInt("SELECT count(*) FROM sqlite_master WHERE type = 'table'"), 1);
}

TEST_F(SqliteMigrationsTest, TheSchemaEnforcesCryptoShreddingItself) {
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(path_));
  YJ_ASSERT_OK(store->CreateDepartment({.name = "tax"}));
  YJ_ASSERT_OK(store->CreateKey({.department = "tax", .name = "k"},
                                {.state = kVersionEnabled, .wrapped_material = "wrapped"})
                   .status());
  testing::RawSqlite db(path_);
  // A hand edit cannot mark a version destroyed while keeping its material ...
  EXPECT_NE(sqlite3_exec(db.db(),
                         "UPDATE key_versions SET state = 'destroyed' WHERE key_name = 'k'",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  // ... nor invent a state, nor a version for a key that does not exist.
  EXPECT_NE(sqlite3_exec(db.db(), "UPDATE key_versions SET state = 'paused'", nullptr, nullptr,
                         nullptr),
            SQLITE_OK);
  ASSERT_TRUE(db.Exec("PRAGMA foreign_keys = ON"));
  EXPECT_NE(sqlite3_exec(db.db(),
                         "INSERT INTO key_versions VALUES ('tax', 'ghost', 1, 'enabled', x'', "
                         "x'', x'', x'', 0)",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  EXPECT_EQ(db.QueryText("SELECT state FROM key_versions WHERE key_name = 'k'"), "enabled");
}

TEST_F(SqliteMigrationsTest, ReadSchemaVersionOfAnEmptyDatabaseIsZero) {
  testing::RawSqlite db(path_);
  YJ_ASSERT_OK_AND_ASSIGN(int32_t version, ReadSchemaVersion(db.db()));
  EXPECT_EQ(version, 0);
  YJ_ASSERT_OK_AND_ASSIGN(version, ApplySqliteMigrations(db.db(), SqliteMigrations()));
  EXPECT_EQ(version, kShipped);
  YJ_ASSERT_OK_AND_ASSIGN(version, ReadSchemaVersion(db.db()));
  EXPECT_EQ(version, kShipped);
}

}  // namespace
}  // namespace yinjian::store
