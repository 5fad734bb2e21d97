// What the store tests share: a fresh store file per test, times that prove a record comes back
// as stored (microseconds), the code of a StatusOr, and the ids of a list of records.
#ifndef YINJIAN_TESTS_SERVICE_STORE_STORE_TEST_UTIL_H_
#define YINJIAN_TESTS_SERVICE_STORE_STORE_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/store/sqlite_store.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::store::testing {

// Sub-microsecond times prove that records come back as stored, not as given.
inline absl::Time SomeTime(int64_t seconds) {
  return absl::FromUnixSeconds(1700000000 + seconds) + absl::Nanoseconds(123456789);
}
inline absl::Time Stored(absl::Time t) { return absl::FromUnixMicros(absl::ToUnixMicros(t)); }

template <typename T>
absl::StatusCode CodeOf(const absl::StatusOr<T>& status_or) {
  return status_or.status().code();
}

// The `id` of each record, in order, for comparing lists.
template <typename Record>
std::vector<int64_t> Ids(const std::vector<Record>& records) {
  std::vector<int64_t> ids;
  for (const Record& record : records) ids.push_back(record.id);
  return ids;
}

// A fresh SQLite store per test at path_ (dir_/store.db), opened in SetUp; tests reopen it, or
// open a second connection (a replica), with SqliteStore::Open(path_).
class StoreFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    YJ_ASSERT_OK_AND_ASSIGN(yinjian::testing::TempDir dir, yinjian::testing::TempDir::Create());
    dir_ = std::make_unique<yinjian::testing::TempDir>(std::move(dir));
    path_ = dir_->File("store.db");
    YJ_ASSERT_OK_AND_ASSIGN(store_, SqliteStore::Open(path_));
  }

  std::unique_ptr<yinjian::testing::TempDir> dir_;
  std::string path_;
  std::unique_ptr<SqliteStore> store_;
};

}  // namespace yinjian::store::testing

#endif  // YINJIAN_TESTS_SERVICE_STORE_STORE_TEST_UTIL_H_
