// SqliteStore: key versions: numbering (also under concurrency and across replicas), the
// primary version, version states, and destroyed material leaving no copy in the files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "service/store/records.h"
#include "service/store/sqlite_migrations.h"
#include "service/store/sqlite_store.h"
#include "tests/service/store/raw_sqlite.h"
#include "tests/service/store/record_printers.h"
#include "tests/service/store/sqlite_store_fixture.h"
#include "tests/support/status_test_macros.h"

namespace yinjian::store::testing {
namespace {

TEST_F(SqliteStoreTest, VersionsAreNumberedOneTwoThree) {
  CreateTaxPayroll();
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord v2,
                          store_->AddKeyVersion("tax", "payroll", Version("m2"), false));
  EXPECT_EQ(v2.version, 2);
  EXPECT_EQ(v2.department, "tax");
  EXPECT_EQ(v2.key, "payroll");
  YJ_ASSERT_OK_AND_ASSIGN(KeyRecord key, store_->GetKey("tax", "payroll"));
  EXPECT_EQ(key.primary_version, 1);

  KeyVersionRecord third = Version("m3");
  third.version = 99;  // ignored
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord v3,
                          store_->AddKeyVersion("tax", "payroll", third, true));
  EXPECT_EQ(v3.version, 3);
  YJ_ASSERT_OK_AND_ASSIGN(key, store_->GetKey("tax", "payroll"));
  EXPECT_EQ(key.primary_version, 3);

  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord got, store_->GetKeyVersion("tax", "payroll", 3));
  ExpectSameVersion(got, v3);
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<KeyVersionRecord> all,
                          store_->ListKeyVersions("tax", "payroll"));
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].version, 1);
  ExpectSameVersion(all[1], v2);
  ExpectSameVersion(all[2], v3);
}

TEST_F(SqliteStoreTest, AddKeyVersionErrors) {
  CreateTaxPayroll();
  EXPECT_EQ(store_->AddKeyVersion("tax", "nothing", Version("m"), false).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->AddKeyVersion("nobody", "payroll", Version("m"), false).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->AddKeyVersion("tax", "payroll", Version("", kVersionDestroyed), false)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->AddKeyVersion("tax", "payroll", Version("m", "bogus"), false).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      store_->AddKeyVersion("tax", "payroll", Version("m", kVersionDisabled), true).status().code(),
      absl::StatusCode::kFailedPrecondition);
  // None of the failures used up a number.
  YJ_ASSERT_OK_AND_ASSIGN(
      KeyVersionRecord v2,
      store_->AddKeyVersion("tax", "payroll", Version("m", kVersionDisabled), false));
  EXPECT_EQ(v2.version, 2);
  EXPECT_EQ(v2.state, kVersionDisabled);
  EXPECT_EQ(store_->GetKeyVersion("tax", "payroll", 3).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->ListKeyVersions("tax", "nothing").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(SqliteStoreTest, NumbersAreNotReusedAfterDestruction) {
  CreateTaxPayroll();
  YJ_ASSERT_OK(store_->AddKeyVersion("tax", "payroll", Version("m2"), false).status());
  YJ_ASSERT_OK(store_->SetVersionState("tax", "payroll", 2, kVersionDestroyed).status());
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord v3,
                          store_->AddKeyVersion("tax", "payroll", Version("m3"), false));
  EXPECT_EQ(v3.version, 3);
}

TEST_F(SqliteStoreTest, SetPrimaryVersionNeedsAnEnabledVersion) {
  CreateTaxPayroll();
  YJ_ASSERT_OK(store_->AddKeyVersion("tax", "payroll", Version("m2"), false).status());
  YJ_ASSERT_OK(
      store_->AddKeyVersion("tax", "payroll", Version("m3", kVersionDisabled), false).status());
  YJ_ASSERT_OK(store_->AddKeyVersion("tax", "payroll", Version("m4"), false).status());
  YJ_ASSERT_OK(store_->SetVersionState("tax", "payroll", 4, kVersionDestroyed).status());

  YJ_ASSERT_OK_AND_ASSIGN(KeyRecord key, store_->SetPrimaryVersion("tax", "payroll", 2));
  EXPECT_EQ(key.primary_version, 2);
  YJ_ASSERT_OK_AND_ASSIGN(key, store_->GetKey("tax", "payroll"));
  EXPECT_EQ(key.primary_version, 2);

  EXPECT_EQ(store_->SetPrimaryVersion("tax", "payroll", 3).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->SetPrimaryVersion("tax", "payroll", 4).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->SetPrimaryVersion("tax", "payroll", 5).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->SetPrimaryVersion("tax", "nothing", 1).status().code(),
            absl::StatusCode::kNotFound);
  YJ_ASSERT_OK_AND_ASSIGN(key, store_->GetKey("tax", "payroll"));
  EXPECT_EQ(key.primary_version, 2);
}

TEST_F(SqliteStoreTest, SetVersionStateRules) {
  CreateTaxPayroll();
  YJ_ASSERT_OK(store_->AddKeyVersion("tax", "payroll", Version("m2"), false).status());

  EXPECT_EQ(store_->SetVersionState("tax", "payroll", 2, "paused").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->SetVersionState("tax", "payroll", 9, kVersionDisabled).status().code(),
            absl::StatusCode::kNotFound);
  // The primary cannot leave "enabled".
  EXPECT_EQ(store_->SetVersionState("tax", "payroll", 1, kVersionDisabled).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->SetVersionState("tax", "payroll", 1, kVersionDestroyed).status().code(),
            absl::StatusCode::kFailedPrecondition);
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord v1, store_->GetKeyVersion("tax", "payroll", 1));
  EXPECT_EQ(v1.state, kVersionEnabled);
  EXPECT_EQ(v1.wrapped_material, "material-1");

  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord v2,
                          store_->SetVersionState("tax", "payroll", 2, kVersionDisabled));
  EXPECT_EQ(v2.state, kVersionDisabled);
  EXPECT_EQ(v2.wrapped_material, "m2");
  YJ_ASSERT_OK_AND_ASSIGN(v2, store_->SetVersionState("tax", "payroll", 2, kVersionEnabled));
  EXPECT_EQ(v2.state, kVersionEnabled);
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord again,
                          store_->SetVersionState("tax", "payroll", 2, kVersionEnabled));
  ExpectSameVersion(again, v2);

  // After a rotation the old primary can be disabled.
  YJ_ASSERT_OK(store_->SetPrimaryVersion("tax", "payroll", 2).status());
  YJ_ASSERT_OK_AND_ASSIGN(v1, store_->SetVersionState("tax", "payroll", 1, kVersionDisabled));
  EXPECT_EQ(v1.state, kVersionDisabled);
}

TEST_F(SqliteStoreTest, DestroyErasesMaterialForGood) {
  CreateTaxPayroll();
  YJ_ASSERT_OK(store_->AddKeyVersion("tax", "payroll", Version("m2"), false).status());
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord destroyed,
                          store_->SetVersionState("tax", "payroll", 2, kVersionDestroyed));
  EXPECT_EQ(destroyed.state, kVersionDestroyed);
  EXPECT_EQ(destroyed.wrapped_material, "");
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord got, store_->GetKeyVersion("tax", "payroll", 2));
  ExpectSameVersion(got, destroyed);
  // Identifiers stay: the record says what existed and what the HSM held.
  EXPECT_EQ(got.hsm_object_id, Version("").hsm_object_id);
  EXPECT_EQ(got.public_key_spki, Version("").public_key_spki);

  for (const char* state : {kVersionEnabled, kVersionDisabled}) {
    const absl::Status status = store_->SetVersionState("tax", "payroll", 2, state).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << state << ": " << status;
  }
  YJ_EXPECT_OK(store_->SetVersionState("tax", "payroll", 2, kVersionDestroyed).status());
  YJ_ASSERT_OK_AND_ASSIGN(got, store_->GetKeyVersion("tax", "payroll", 2));
  EXPECT_EQ(got.state, kVersionDestroyed);
}

// Counts occurrences of `needle` in the database file and its WAL.
int CountInFiles(const std::string& path, const std::string& needle) {
  int count = 0;
  for (const std::string& file : {path, path + "-wal"}) {
    std::ifstream in(file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (size_t at = bytes.find(needle); at != std::string::npos; at = bytes.find(needle, at + 1)) {
      ++count;
    }
  }
  return count;
}

TEST_F(SqliteStoreTest, DestroyedMaterialLeavesNoCopyInTheFiles) {
  YJ_ASSERT_OK(store_->CreateDepartment(Department("tax")));
  // One that fits in a page and one that spills onto overflow pages.
  const std::string small = "SMALL-MARKER-6d1f0a5c2b7e4d39";
  std::string large = "LARGE-MARKER-";
  while (large.size() < 20000) large += "0123456789abcdef";
  YJ_ASSERT_OK(store_->CreateKey(Key("tax", "payroll"), Version("keep-me")).status());
  YJ_ASSERT_OK(store_->AddKeyVersion("tax", "payroll", Version(small), false).status());
  YJ_ASSERT_OK(store_->AddKeyVersion("tax", "payroll", Version(large), false).status());
  // The scan finds material that is there.
  ASSERT_GE(CountInFiles(path_, small), 1);
  ASSERT_GE(CountInFiles(path_, large.substr(0, 64)), 1);

  YJ_ASSERT_OK(store_->SetVersionState("tax", "payroll", 2, kVersionDestroyed).status());
  YJ_ASSERT_OK(store_->SetVersionState("tax", "payroll", 3, kVersionDestroyed).status());
  EXPECT_EQ(CountInFiles(path_, small), 0);
  EXPECT_EQ(CountInFiles(path_, large.substr(0, 64)), 0);
  EXPECT_GE(CountInFiles(path_, "keep-me"), 1);
  store_.reset();
  EXPECT_EQ(CountInFiles(path_, small), 0);
  EXPECT_EQ(CountInFiles(path_, large.substr(0, 64)), 0);
}

// Adds `per_thread` versions to tax/payroll from each store in `stores` (threads_per_store
// threads each) and checks every number 2 .. N+1 was handed out exactly once.
void AddVersionsConcurrently(const std::vector<SqliteStore*>& stores, int threads_per_store,
                             int per_thread) {
  absl::Mutex mu;
  std::vector<int32_t> numbers;
  std::vector<absl::Status> failures;
  std::vector<std::thread> threads;
  for (SqliteStore* store : stores) {
    for (int t = 0; t < threads_per_store; ++t) {
      threads.emplace_back([&, store, t] {
        for (int i = 0; i < per_thread; ++i) {
          absl::StatusOr<KeyVersionRecord> added = store->AddKeyVersion(
              "tax", "payroll", Version(absl::StrCat("t", t, "-", i)), i % 7 == 0);
          absl::MutexLock lock(&mu);
          if (added.ok()) {
            numbers.push_back(added->version);
          } else {
            failures.push_back(added.status());
          }
        }
      });
    }
  }
  for (std::thread& thread : threads) thread.join();
  for (const absl::Status& failure : failures) ADD_FAILURE() << failure;
  const int total = static_cast<int>(stores.size()) * threads_per_store * per_thread;
  ASSERT_EQ(static_cast<int>(numbers.size()), total);
  std::sort(numbers.begin(), numbers.end());
  for (int i = 0; i < total; ++i) {
    ASSERT_EQ(numbers[i], i + 2) << "numbers are not 2.." << total + 1;
  }

  YJ_ASSERT_OK_AND_ASSIGN(std::vector<KeyVersionRecord> stored,
                          stores[0]->ListKeyVersions("tax", "payroll"));
  ASSERT_EQ(static_cast<int>(stored.size()), total + 1);
  for (int i = 0; i <= total; ++i) EXPECT_EQ(stored[i].version, i + 1);
}

TEST_F(SqliteStoreTest, ConcurrentAddsGetContiguousUniqueNumbers) {
  CreateTaxPayroll();
  AddVersionsConcurrently({store_.get()}, /*threads_per_store=*/8, /*per_thread=*/50);
}

TEST_F(SqliteStoreTest, TwoStoresOnOneFileNeverShareANumber) {
  CreateTaxPayroll();
  // A second replica on the same file.
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteStore> replica, SqliteStore::Open(path_));
  AddVersionsConcurrently({store_.get(), replica.get()}, /*threads_per_store=*/1,
                          /*per_thread=*/200);
  // Each replica sees the other's writes.
  YJ_ASSERT_OK_AND_ASSIGN(KeyRecord seen_by_first, store_->GetKey("tax", "payroll"));
  YJ_ASSERT_OK_AND_ASSIGN(KeyRecord seen_by_replica, replica->GetKey("tax", "payroll"));
  ExpectSameKey(seen_by_first, seen_by_replica);
}

}  // namespace
}  // namespace yinjian::store::testing
