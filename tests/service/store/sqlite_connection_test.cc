#include "service/store/sqlite_connection.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "service/store/sqlite_store.h"
#include "tests/service/store/raw_sqlite.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::store {
namespace {

using ::testing::HasSubstr;
using ::yinjian::testing::TempDir;

mode_t ModeOf(const std::string& path) {
  struct stat st = {};
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

class SqliteConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
    dir_ = std::make_unique<TempDir>(std::move(dir));
  }
  std::unique_ptr<TempDir> dir_;
};

// Sets the umask for one scope (tests run on one thread here).
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : saved_(umask(mask)) {}
  ~ScopedUmask() { umask(saved_); }

 private:
  mode_t saved_;
};

class SqliteFileModeTest : public SqliteConnectionTest,
                           public ::testing::WithParamInterface<mode_t> {};

TEST_P(SqliteFileModeTest, NewDatabaseFilesAreOwnerOnlyWhateverTheUmask) {
  const std::string path = dir_->File("store.db");
  {
    ScopedUmask mask(GetParam());
    YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(path));
    YJ_ASSERT_OK(store->CreateDepartment({.name = "tax"}));
    EXPECT_EQ(ModeOf(path), 0600u);
    // SQLite gives its WAL and shared-memory files the database file's mode.
    EXPECT_EQ(ModeOf(path + "-wal"), 0600u);
    EXPECT_EQ(ModeOf(path + "-shm"), 0600u);
  }
}

INSTANTIATE_TEST_SUITE_P(Umasks, SqliteFileModeTest, ::testing::Values(0, 022, 0277));

TEST_F(SqliteConnectionTest, AnExistingFileKeepsItsMode) {
  const std::string path = dir_->File("store.db");
  { YJ_ASSERT_OK(OpenSqliteConnection(path, absl::Seconds(1)).status()); }
  ASSERT_EQ(chmod(path.c_str(), 0640), 0);
  YJ_ASSERT_OK(OpenSqliteConnection(path, absl::Seconds(1)).status());
  EXPECT_EQ(ModeOf(path), 0640u);
}

TEST_F(SqliteConnectionTest, JournalIsWalAndSettingsAreDurable) {
  const std::string path = dir_->File("store.db");
  YJ_ASSERT_OK_AND_ASSIGN(SqliteConnection db, OpenSqliteConnection(path, absl::Seconds(1)));
  testing::RawSqlite same(path);
  // journal_mode is a property of the file: another connection sees it.
  EXPECT_EQ(same.QueryText("PRAGMA journal_mode"), "wal");

  // The rest are per connection: ask the store's own.
  auto query_int = [&](const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db.get(), sql, -1, &stmt, nullptr), SQLITE_OK) << sql;
    EXPECT_EQ(sqlite3_step(stmt), SQLITE_ROW) << sql;
    const int64_t value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return value;
  };
  EXPECT_EQ(query_int("PRAGMA synchronous"), 2) << "want FULL";
  EXPECT_EQ(query_int("PRAGMA foreign_keys"), 1);
  EXPECT_EQ(query_int("PRAGMA secure_delete"), 1);
  EXPECT_EQ(query_int("PRAGMA busy_timeout"), 1000);
}

TEST_F(SqliteConnectionTest, GarbageFileIsRefusedAndLeftAlone) {
  std::vector<uint8_t> garbage(4096);
  std::mt19937 random(20240611);
  for (uint8_t& byte : garbage) byte = static_cast<uint8_t>(random());
  YJ_ASSERT_OK_AND_ASSIGN(std::string path, dir_->WriteFile("garbage.db", garbage));

  const absl::Status status = SqliteStore::Open(path).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(status.message(), HasSubstr(path));
  EXPECT_THAT(status.message(), HasSubstr("not a SQLite database"));
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> after, dir_->ReadFile("garbage.db"));
  EXPECT_EQ(after, garbage);
}

TEST_F(SqliteConnectionTest, MissingDirectoryIsNotFoundWithThePath) {
  const std::string path = dir_->File("no/such/dir/store.db");
  const absl::Status status = SqliteStore::Open(path).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound) << status;
  EXPECT_THAT(status.message(), HasSubstr(path));
}

TEST_F(SqliteConnectionTest, PathThroughARegularFileFails) {
  YJ_ASSERT_OK_AND_ASSIGN(std::string file, dir_->WriteFile("plain", "not a directory"));
  const std::string path = file + "/store.db";
  const absl::Status status = SqliteStore::Open(path).status();
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr(path));
  EXPECT_THAT(status.message(), HasSubstr("Not a directory"));
}

TEST_F(SqliteConnectionTest, DirectoryAsDatabaseFails) {
  const std::string path = dir_->File("subdir");
  ASSERT_TRUE(std::filesystem::create_directory(path));
  const absl::Status status = SqliteStore::Open(path).status();
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr(path));
}

TEST_F(SqliteConnectionTest, EmptyPathIsInvalid) {
  EXPECT_EQ(SqliteStore::Open("").status().code(), absl::StatusCode::kInvalidArgument);
}

// The status code of opening `path`, with a test failure unless the message names the path.
absl::StatusCode OpenCode(const std::string& path) {
  const absl::Status status = SqliteStore::Open(path).status();
  EXPECT_THAT(status.message(), HasSubstr(path));
  return status.code();
}

constexpr uid_t kNobody = 65534;

// OpenCode as an unprivileged user: directly if this process is not root (root ignores file and
// directory modes), else in a child process running as "nobody".
absl::StatusCode OpenCodeUnprivileged(const std::string& path) {
  if (geteuid() != 0) return OpenCode(path);
  const pid_t child = fork();
  if (child < 0) {
    ADD_FAILURE() << "fork failed";
    return absl::StatusCode::kUnknown;
  }
  if (child == 0) {
    if (setresgid(kNobody, kNobody, kNobody) != 0 || setresuid(kNobody, kNobody, kNobody) != 0) {
      _exit(100);
    }
    const absl::StatusCode code = OpenCode(path);
    _exit(static_cast<int>(code) + (::testing::Test::HasFailure() ? 50 : 0));
  }
  int wait_status = 0;
  if (waitpid(child, &wait_status, 0) != child || !WIFEXITED(wait_status)) {
    ADD_FAILURE() << "child did not exit normally";
    return absl::StatusCode::kUnknown;
  }
  const int code = WEXITSTATUS(wait_status);
  EXPECT_LT(code, 50) << "100: could not drop privileges; +50: the message lacks the path";
  return static_cast<absl::StatusCode>(code % 50);
}

TEST_F(SqliteConnectionTest, ReadOnlyDirectoryIsPermissionDenied) {
  const std::filesystem::path read_only = dir_->path() / "ro";
  ASSERT_TRUE(std::filesystem::create_directory(read_only));
  ASSERT_EQ(chmod(dir_->path().c_str(), 0755), 0);
  ASSERT_EQ(chmod(read_only.c_str(), 0555), 0);
  const std::string path = (read_only / "store.db").string();
  EXPECT_EQ(OpenCodeUnprivileged(path), absl::StatusCode::kPermissionDenied);
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(SqliteConnectionTest, ReadOnlyFileIsRefusedNotOpenedReadOnly) {
  const std::string path = dir_->File("store.db");
  { YJ_ASSERT_OK(SqliteStore::Open(path).status()); }
  ASSERT_EQ(chmod(dir_->path().c_str(), 0755), 0);
  ASSERT_EQ(chmod(path.c_str(), 0400), 0);
  if (geteuid() == 0) {
    ASSERT_EQ(chown(path.c_str(), kNobody, kNobody), 0);  // nobody's own read-only file
  }
  EXPECT_EQ(OpenCodeUnprivileged(path), absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace yinjian::store
