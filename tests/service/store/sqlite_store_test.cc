// SqliteStore: opening and migrating, snapshots, departments, keys, records across a reopen,
// and a busy database. Key policy and key versions have their own files.
#include "service/store/sqlite_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

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
#include "tests/service/store/raw_sqlite.h"
#include "tests/service/store/record_printers.h"
#include "tests/service/store/sqlite_store_fixture.h"
#include "tests/support/status_test_macros.h"

namespace yinjian::store::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST_F(SqliteStoreTest, OpenAppliesEverySchemaStep) {
  EXPECT_EQ(store_->SchemaVersion(), static_cast<int32_t>(SqliteMigrations().size()));
  EXPECT_GE(store_->SchemaVersion(), 1);
}

TEST_F(SqliteStoreTest, SnapshotsAreWholePrivateCopiesAsOfOneInstant) {
  CreateTaxPayroll();
  const std::string copy = dir_->File("snapshot.db");
  YJ_ASSERT_OK(store_->WriteSnapshot(copy));
  // Later changes are not in the copy; the copy is a store of its own, mode 0600.
  YJ_ASSERT_OK(store_->CreateDepartment(Department("health")));
  struct stat info;
  ASSERT_EQ(::stat(copy.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteStore> snapshot, SqliteStore::Open(copy));
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<DepartmentRecord> departments, snapshot->ListDepartments());
  ASSERT_EQ(departments.size(), 1u);
  EXPECT_EQ(departments[0].name, "tax");
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord version, snapshot->GetKeyVersion("tax", "payroll", 1));
  EXPECT_EQ(version.wrapped_material, "material-1");
  // An existing file is never overwritten; a missing directory is an error, not a crash.
  EXPECT_EQ(store_->WriteSnapshot(copy).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->WriteSnapshot(dir_->File("no/such/dir.db")).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(SqliteStoreTest, DepartmentsAreCreatedReadAndListedByName) {
  for (const char* name : {"tax", "health", "police"}) {
    YJ_ASSERT_OK(store_->CreateDepartment(Department(name)));
  }
  YJ_ASSERT_OK_AND_ASSIGN(DepartmentRecord tax, store_->GetDepartment("tax"));
  ExpectSameDepartment(tax, Department("tax"));

  YJ_ASSERT_OK_AND_ASSIGN(std::vector<DepartmentRecord> all, store_->ListDepartments());
  std::vector<std::string> names;
  for (const DepartmentRecord& d : all) names.push_back(d.name);
  EXPECT_THAT(names, ElementsAre("health", "police", "tax"));
}

TEST_F(SqliteStoreTest, DefaultTokenLabelAndEmptyListsAreKept) {
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<DepartmentRecord> none, store_->ListDepartments());
  EXPECT_TRUE(none.empty());
  DepartmentRecord plain = Department("tax");
  plain.token_label.clear();
  YJ_ASSERT_OK(store_->CreateDepartment(plain));
  YJ_ASSERT_OK_AND_ASSIGN(DepartmentRecord got, store_->GetDepartment("tax"));
  EXPECT_EQ(got.token_label, "");
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<KeyRecord> keys, store_->ListKeys("tax"));
  EXPECT_TRUE(keys.empty());
}

TEST_F(SqliteStoreTest, DuplicateDepartmentIsAlreadyExistsAndKeepsTheFirst) {
  YJ_ASSERT_OK(store_->CreateDepartment(Department("tax")));
  DepartmentRecord second = Department("tax");
  second.display_name = "Impostor";
  const absl::Status status = store_->CreateDepartment(second);
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists) << status;
  EXPECT_THAT(status.message(), HasSubstr("tax"));
  YJ_ASSERT_OK_AND_ASSIGN(DepartmentRecord got, store_->GetDepartment("tax"));
  EXPECT_EQ(got.display_name, "Department of tax");
}

TEST_F(SqliteStoreTest, MissingAndEmptyNames) {
  EXPECT_EQ(store_->GetDepartment("nobody").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetDepartment("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->CreateDepartment(Department("")).code(), absl::StatusCode::kInvalidArgument);
  YJ_ASSERT_OK(store_->CreateDepartment(Department("tax")));
  EXPECT_EQ(store_->CreateKey(Key("tax", ""), Version("m")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->CreateKey(Key("", "k"), Version("m")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GetKey("tax", "").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->AddKeyVersion("", "k", Version("m"), false).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(SqliteStoreTest, CreateKeyStoresTheKeyAndVersionOne) {
  YJ_ASSERT_OK(store_->CreateDepartment(Department("tax")));
  KeyVersionRecord first = Version("wrapped-1");
  first.department = "ignored";
  first.version = 7;
  YJ_ASSERT_OK_AND_ASSIGN(KeyRecord created, store_->CreateKey(Key("tax", "payroll"), first));
  EXPECT_EQ(created.primary_version, 1);
  EXPECT_EQ(created.created, absl::FromUnixMicros(absl::ToUnixMicros(SomeTime(2))));

  YJ_ASSERT_OK_AND_ASSIGN(KeyRecord got, store_->GetKey("tax", "payroll"));
  ExpectSameKey(got, created);
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord v1, store_->GetKeyVersion("tax", "payroll", 1));
  EXPECT_EQ(v1.department, "tax");
  EXPECT_EQ(v1.key, "payroll");
  EXPECT_EQ(v1.version, 1);
  EXPECT_EQ(v1.state, kVersionEnabled);
  EXPECT_EQ(v1.wrapped_material, "wrapped-1");
  EXPECT_EQ(v1.hsm_object_id, first.hsm_object_id);
  EXPECT_EQ(v1.public_key_spki, first.public_key_spki);
  EXPECT_EQ(v1.root_key_id, first.root_key_id);
  EXPECT_EQ(v1.created, absl::FromUnixMicros(absl::ToUnixMicros(SomeTime(3))));
}

// Schema step 7: a key says whether Yinjian made it or an officer imported it.
TEST_F(SqliteStoreTest, KeyOriginRoundTrips) {
  YJ_ASSERT_OK(store_->CreateDepartment(Department("tax")));
  YJ_ASSERT_OK_AND_ASSIGN(KeyRecord made, store_->CreateKey(Key("tax", "made"), Version("m")));
  EXPECT_EQ(made.origin, kKeyGenerated);
  KeyRecord imported = Key("tax", "brought");
  imported.origin = kKeyImported;
  YJ_ASSERT_OK(store_->CreateKey(imported, Version("b")).status());
  YJ_ASSERT_OK_AND_ASSIGN(KeyRecord got, store_->GetKey("tax", "brought"));
  EXPECT_EQ(got.origin, kKeyImported);
  KeyRecord odd = Key("tax", "odd");
  odd.origin = "found";
  EXPECT_EQ(store_->CreateKey(odd, Version("o")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GetKey("tax", "odd").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(SqliteStoreTest, CreateKeyErrors) {
  EXPECT_EQ(store_->CreateKey(Key("nobody", "k"), Version("m")).status().code(),
            absl::StatusCode::kNotFound);
  CreateTaxPayroll();
  const absl::Status duplicate =
      store_->CreateKey(Key("tax", "payroll"), Version("other")).status();
  EXPECT_EQ(duplicate.code(), absl::StatusCode::kAlreadyExists) << duplicate;
  // The failed create rolled back whole: version 1 still holds the first material.
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord v1, store_->GetKeyVersion("tax", "payroll", 1));
  EXPECT_EQ(v1.wrapped_material, "material-1");
  EXPECT_EQ(store_->CreateKey(Key("tax", "other"), Version("m", kVersionDisabled)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GetKey("tax", "other").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(SqliteStoreTest, KeysAreListedByNamePerDepartment) {
  YJ_ASSERT_OK(store_->CreateDepartment(Department("tax")));
  YJ_ASSERT_OK(store_->CreateDepartment(Department("health")));
  for (const char* name : {"zeta", "alpha", "mid"}) {
    YJ_ASSERT_OK(store_->CreateKey(Key("tax", name), Version("m")).status());
  }
  // The same key name in another department is another key.
  YJ_ASSERT_OK(store_->CreateKey(Key("health", "alpha"), Version("h")).status());

  YJ_ASSERT_OK_AND_ASSIGN(std::vector<KeyRecord> keys, store_->ListKeys("tax"));
  std::vector<std::string> names;
  for (const KeyRecord& k : keys) names.push_back(k.name);
  EXPECT_THAT(names, ElementsAre("alpha", "mid", "zeta"));
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<KeyRecord> health, store_->ListKeys("health"));
  ASSERT_EQ(health.size(), 1u);
  EXPECT_EQ(health[0].department, "health");
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord h1, store_->GetKeyVersion("health", "alpha", 1));
  EXPECT_EQ(h1.wrapped_material, "h");
}

TEST_F(SqliteStoreTest, ListKeysOfMissingDepartmentIsNotFound) {
  const absl::Status status = store_->ListKeys("nobody").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound) << status;
  EXPECT_THAT(status.message(), HasSubstr("nobody"));
}

TEST_F(SqliteStoreTest, RecordsSurviveCloseAndReopen) {
  YJ_ASSERT_OK(store_->CreateDepartment(Department("tax")));
  YJ_ASSERT_OK_AND_ASSIGN(KeyRecord key, store_->CreateKey(Key("tax", "payroll"), Version("m1")));
  std::vector<KeyVersionRecord> versions;
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord v1, store_->GetKeyVersion("tax", "payroll", 1));
  versions.push_back(v1);
  KeyVersionRecord hsm_resident = Version("");
  hsm_resident.public_key_spki.clear();
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord v2,
                          store_->AddKeyVersion("tax", "payroll", hsm_resident, true));
  versions.push_back(v2);
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord v1_disabled,
                          store_->SetVersionState("tax", "payroll", 1, kVersionDisabled));
  versions[0] = v1_disabled;
  key.primary_version = 2;

  store_.reset();
  YJ_ASSERT_OK_AND_ASSIGN(store_, SqliteStore::Open(path_));
  YJ_ASSERT_OK_AND_ASSIGN(DepartmentRecord department, store_->GetDepartment("tax"));
  ExpectSameDepartment(department, Department("tax"));
  YJ_ASSERT_OK_AND_ASSIGN(KeyRecord key_again, store_->GetKey("tax", "payroll"));
  ExpectSameKey(key_again, key);
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<KeyVersionRecord> versions_again,
                          store_->ListKeyVersions("tax", "payroll"));
  ASSERT_EQ(versions_again.size(), versions.size());
  for (size_t i = 0; i < versions.size(); ++i) ExpectSameVersion(versions_again[i], versions[i]);
  EXPECT_EQ(versions_again[1].wrapped_material, "");
  EXPECT_EQ(versions_again[1].public_key_spki, "");
}

TEST_F(SqliteStoreTest, ABusyDatabaseIsUnavailable) {
  CreateTaxPayroll();
  store_.reset();
  YJ_ASSERT_OK_AND_ASSIGN(store_,
                          SqliteStore::Open(path_, {.busy_timeout = absl::Milliseconds(50)}));
  testing::RawSqlite other(path_);
  ASSERT_TRUE(other.Exec("BEGIN IMMEDIATE"));
  const absl::Status status = store_->AddKeyVersion("tax", "payroll", Version("m"), false).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  // Reads are not blocked by a writer (WAL).
  YJ_EXPECT_OK(store_->GetKey("tax", "payroll").status());
  ASSERT_TRUE(other.Exec("ROLLBACK"));
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord v2,
                          store_->AddKeyVersion("tax", "payroll", Version("m"), false));
  EXPECT_EQ(v2.version, 2);
}

}  // namespace
}  // namespace yinjian::store::testing
