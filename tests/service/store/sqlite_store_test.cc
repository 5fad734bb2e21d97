#include "service/store/sqlite_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
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
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::yinjian::testing::TempDir;

// Sub-microsecond times prove that records come back as stored, not as given.
absl::Time SomeTime(int64_t seconds) {
  return absl::FromUnixSeconds(1700000000 + seconds) + absl::Nanoseconds(123456789);
}

DepartmentRecord Department(const std::string& name) {
  return {.name = name,
          .display_name = absl::StrCat("Department of ", name),
          .token_label = absl::StrCat("token-", name),
          .root_key_id = std::string("\x00\x01root\xff", 7),
          .created = SomeTime(1)};
}

KeyRecord Key(const std::string& department, const std::string& name) {
  return {.department = department,
          .name = name,
          .kind = "aes256-gcm",
          .protection_level = "software",
          .primary_version = 0,
          .description = absl::StrCat("key ", name),
          .created = SomeTime(2)};
}

KeyVersionRecord Version(const std::string& material, const std::string& state = kVersionEnabled) {
  return {.state = state,
          .wrapped_material = material,
          .hsm_object_id = std::string("\x00obj", 4),
          .public_key_spki = std::string("\x30\x59\x00spki", 7),
          .root_key_id = std::string("\x00\x01root\xff", 7),
          .created = SomeTime(3)};
}

void ExpectSameDepartment(const DepartmentRecord& got, const DepartmentRecord& want) {
  EXPECT_EQ(got.name, want.name);
  EXPECT_EQ(got.display_name, want.display_name);
  EXPECT_EQ(got.token_label, want.token_label);
  EXPECT_EQ(got.root_key_id, want.root_key_id);
  EXPECT_EQ(got.created, absl::FromUnixMicros(absl::ToUnixMicros(want.created)));
}

void ExpectSameKey(const KeyRecord& got, const KeyRecord& want) {
  EXPECT_EQ(got.department, want.department);
  EXPECT_EQ(got.name, want.name);
  EXPECT_EQ(got.kind, want.kind);
  EXPECT_EQ(got.protection_level, want.protection_level);
  EXPECT_EQ(got.primary_version, want.primary_version);
  EXPECT_EQ(got.description, want.description);
  EXPECT_EQ(got.created, want.created);
  EXPECT_EQ(got.data_level, want.data_level);
  EXPECT_EQ(got.sharing_class, want.sharing_class);
  EXPECT_EQ(got.allowed_operations, want.allowed_operations);
  EXPECT_EQ(got.shared_operations, want.shared_operations);
  EXPECT_EQ(got.allowed_purposes, want.allowed_purposes);
}

void ExpectSameVersion(const KeyVersionRecord& got, const KeyVersionRecord& want) {
  EXPECT_EQ(got.department, want.department);
  EXPECT_EQ(got.key, want.key);
  EXPECT_EQ(got.version, want.version);
  EXPECT_EQ(got.state, want.state);
  EXPECT_EQ(got.wrapped_material, want.wrapped_material);
  EXPECT_EQ(got.hsm_object_id, want.hsm_object_id);
  EXPECT_EQ(got.public_key_spki, want.public_key_spki);
  EXPECT_EQ(got.root_key_id, want.root_key_id);
  EXPECT_EQ(got.created, want.created);
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
    dir_ = std::make_unique<TempDir>(std::move(dir));
    path_ = dir_->File("store.db");
    YJ_ASSERT_OK_AND_ASSIGN(store_, SqliteStore::Open(path_));
  }

  // A department "tax" with key "payroll" (version 1 enabled and primary).
  void CreateTaxPayroll() {
    YJ_ASSERT_OK(store_->CreateDepartment(Department("tax")));
    YJ_ASSERT_OK(store_->CreateKey(Key("tax", "payroll"), Version("material-1")).status());
  }

  std::unique_ptr<TempDir> dir_;
  std::string path_;
  std::unique_ptr<SqliteStore> store_;
};

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

// Key("tax", name) with every policy field set away from its default.
KeyRecord SharedKey(const std::string& name) {
  KeyRecord key = Key("tax", name);
  key.data_level = "core";
  key.sharing_class = "unconditional";
  key.allowed_operations = {"encrypt", "decrypt", "generate-data-key"};
  key.shared_operations = {"decrypt"};
  key.allowed_purposes = {"payroll run", "audit"};
  return key;
}

TEST_F(SqliteStoreTest, KeyPolicyRoundTrips) {
  YJ_ASSERT_OK(store_->CreateDepartment(Department("tax")));
  YJ_ASSERT_OK_AND_ASSIGN(KeyRecord created, store_->CreateKey(SharedKey("shared"), Version("m")));
  KeyRecord want = SharedKey("shared");
  want.primary_version = 1;
  want.created = absl::FromUnixMicros(absl::ToUnixMicros(want.created));
  EXPECT_EQ(created, want);
  YJ_ASSERT_OK_AND_ASSIGN(KeyRecord got, store_->GetKey("tax", "shared"));
  EXPECT_EQ(got, want);

  // A key created without a policy reads back with the defaults.
  YJ_ASSERT_OK(store_->CreateKey(Key("tax", "plain"), Version("m")).status());
  YJ_ASSERT_OK_AND_ASSIGN(KeyRecord plain, store_->GetKey("tax", "plain"));
  EXPECT_EQ(plain.data_level, "general");
  EXPECT_EQ(plain.sharing_class, "none");
  EXPECT_TRUE(plain.allowed_operations.empty());
  EXPECT_TRUE(plain.shared_operations.empty());
  EXPECT_TRUE(plain.allowed_purposes.empty());

  YJ_ASSERT_OK_AND_ASSIGN(std::vector<KeyRecord> listed, store_->ListKeys("tax"));
  ASSERT_EQ(listed.size(), 2u);
  ExpectSameKey(listed[0], plain);
  EXPECT_EQ(listed[1], want);
}

TEST_F(SqliteStoreTest, CreateKeyRefusesPolicyValuesTheSchemaCannotHold) {
  YJ_ASSERT_OK(store_->CreateDepartment(Department("tax")));
  std::vector<KeyRecord> bad(6, SharedKey("bad"));
  bad[0].data_level = "secret";
  bad[1].sharing_class = "everyone";
  bad[2].allowed_operations = {"encrypt", ""};
  bad[3].shared_operations = {"de\ncrypt"};
  bad[4].allowed_purposes = {""};
  bad[5].data_level = "";
  for (const KeyRecord& key : bad) {
    const absl::Status status = store_->CreateKey(key, Version("m")).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  }
  EXPECT_EQ(store_->GetKey("tax", "bad").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(SqliteStoreTest, UpdateKeyPolicyReplacesOnlyThePolicy) {
  CreateTaxPayroll();
  YJ_ASSERT_OK_AND_ASSIGN(KeyRecord before, store_->GetKey("tax", "payroll"));
  KeyRecord policy = SharedKey("ignored");
  policy.department = "ignored";
  policy.kind = "sm4";
  policy.description = "ignored";
  policy.primary_version = 9;
  policy.created = SomeTime(99);
  YJ_ASSERT_OK_AND_ASSIGN(KeyRecord updated, store_->UpdateKeyPolicy("tax", "payroll", policy));
  KeyRecord want = before;
  want.data_level = policy.data_level;
  want.sharing_class = policy.sharing_class;
  want.allowed_operations = policy.allowed_operations;
  want.shared_operations = policy.shared_operations;
  want.allowed_purposes = policy.allowed_purposes;
  EXPECT_EQ(updated, want);
  YJ_ASSERT_OK_AND_ASSIGN(KeyRecord got, store_->GetKey("tax", "payroll"));
  EXPECT_EQ(got, want);

  // Back to the defaults, lists emptied.
  YJ_ASSERT_OK_AND_ASSIGN(updated, store_->UpdateKeyPolicy("tax", "payroll", KeyRecord{}));
  EXPECT_EQ(updated, before);
  YJ_ASSERT_OK_AND_ASSIGN(got, store_->GetKey("tax", "payroll"));
  EXPECT_EQ(got, before);
}

TEST_F(SqliteStoreTest, UpdateKeyPolicyErrors) {
  CreateTaxPayroll();
  EXPECT_EQ(store_->UpdateKeyPolicy("tax", "nothing", SharedKey("x")).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->UpdateKeyPolicy("nobody", "payroll", SharedKey("x")).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->UpdateKeyPolicy("", "payroll", SharedKey("x")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->UpdateKeyPolicy("tax", "", SharedKey("x")).status().code(),
            absl::StatusCode::kInvalidArgument);
  KeyRecord bad = SharedKey("x");
  bad.sharing_class = "sometimes";
  EXPECT_EQ(store_->UpdateKeyPolicy("tax", "payroll", bad).status().code(),
            absl::StatusCode::kInvalidArgument);
  bad = SharedKey("x");
  bad.allowed_purposes = {"a\nb"};
  EXPECT_EQ(store_->UpdateKeyPolicy("tax", "payroll", bad).status().code(),
            absl::StatusCode::kInvalidArgument);
  YJ_ASSERT_OK_AND_ASSIGN(KeyRecord got, store_->GetKey("tax", "payroll"));
  EXPECT_EQ(got.sharing_class, "none");
  EXPECT_TRUE(got.allowed_purposes.empty());
}

TEST_F(SqliteStoreTest, AKeyFromASchemaStep1DatabaseUpgradesWithTheDefaultPolicy) {
  const std::string old_path = dir_->File("step1.db");
  {
    YJ_ASSERT_OK_AND_ASSIGN(
        std::unique_ptr<SqliteStore> old,
        SqliteStore::OpenWithMigrations(old_path, {}, SqliteMigrations().subspan(0, 1)));
    ASSERT_EQ(old->SchemaVersion(), 1);
    YJ_ASSERT_OK(old->CreateDepartment(Department("tax")));
  }
  {
    // The rows a step-1 binary wrote for a key: no policy columns yet.
    testing::RawSqlite db(old_path);
    ASSERT_TRUE(
        db.Exec("INSERT INTO keys (department, name, kind, protection_level, primary_version, "
                "last_version, description, created_us) VALUES ('tax', 'payroll', 'aes256-gcm', "
                "'software', 1, 1, 'an old key', 1700000002123456)"));
    ASSERT_TRUE(
        db.Exec("INSERT INTO key_versions VALUES ('tax', 'payroll', 1, 'enabled', "
                "x'6d31', x'', x'', x'01', 1700000003123456)"));
  }
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteStore> upgraded, SqliteStore::Open(old_path));
  EXPECT_EQ(upgraded->SchemaVersion(), static_cast<int32_t>(SqliteMigrations().size()));

  YJ_ASSERT_OK_AND_ASSIGN(KeyRecord key, upgraded->GetKey("tax", "payroll"));
  const KeyRecord want{.department = "tax",
                       .name = "payroll",
                       .kind = "aes256-gcm",
                       .protection_level = "software",
                       .primary_version = 1,
                       .description = "an old key",
                       .created = absl::FromUnixMicros(1700000002123456)};
  EXPECT_EQ(key, want);  // data_level "general", sharing_class "none", empty lists
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord v1, upgraded->GetKeyVersion("tax", "payroll", 1));
  EXPECT_EQ(v1.wrapped_material, "m1");

  // The upgraded key takes a policy and new versions like any other.
  YJ_ASSERT_OK_AND_ASSIGN(KeyRecord shared,
                          upgraded->UpdateKeyPolicy("tax", "payroll", SharedKey("payroll")));
  EXPECT_EQ(shared.sharing_class, "unconditional");
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord v2,
                          upgraded->AddKeyVersion("tax", "payroll", Version("m2"), true));
  EXPECT_EQ(v2.version, 2);

  // The schema holds the policy columns to their values, whoever writes.
  testing::RawSqlite db(old_path);
  EXPECT_NE(
      sqlite3_exec(db.db(), "UPDATE keys SET data_level = 'secret'", nullptr, nullptr, nullptr),
      SQLITE_OK);
  EXPECT_EQ(db.QueryText("SELECT data_level FROM keys"), "core");
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
}  // namespace yinjian::store
