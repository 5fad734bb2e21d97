// Direct SQLite access for the store's tests: look at and tamper with a database file the way an
// operator or another program could, bypassing SqliteStore.
#ifndef YINJIAN_TESTS_SERVICE_STORE_RAW_SQLITE_H_
#define YINJIAN_TESTS_SERVICE_STORE_RAW_SQLITE_H_

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdint>
#include <string>

#include "absl/strings/numbers.h"

namespace yinjian::store::testing {

class RawSqlite {
 public:
  // Opens (creating if missing) the database at `path`.
  explicit RawSqlite(const std::string& path) {
    const int rc =
        sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    EXPECT_EQ(rc, SQLITE_OK) << path;
    sqlite3_busy_timeout(db_, 5000);
  }
  RawSqlite(const RawSqlite&) = delete;
  RawSqlite& operator=(const RawSqlite&) = delete;
  ~RawSqlite() { sqlite3_close_v2(db_); }

  sqlite3* db() const { return db_; }

  // Runs constant SQL; false (with a test failure) if it fails.
  bool Exec(const std::string& sql) {
    char* error = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << (error != nullptr ? error : "");
    sqlite3_free(error);
    return rc == SQLITE_OK;
  }

  // The first column of the first row as text ("<no row>" if none, "<error>" on failure).
  std::string QueryText(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return "<error>";
    }
    std::string result = "<no row>";
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(stmt, 0);
      result = text == nullptr ? "" : reinterpret_cast<const char*>(text);
    } else if (rc != SQLITE_DONE) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      result = "<error>";
    }
    sqlite3_finalize(stmt);
    return result;
  }

  // The first column of the first row as an integer; -1 (with a test failure) if it is not one.
  int64_t QueryInt(const std::string& sql) {
    const std::string text = QueryText(sql);
    int64_t value = -1;
    if (!absl::SimpleAtoi(text, &value)) ADD_FAILURE() << sql << " returned " << text;
    return value;
  }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace yinjian::store::testing

#endif  // YINJIAN_TESTS_SERVICE_STORE_RAW_SQLITE_H_
