// SqliteStore: a key's policy (R2, R5): stored, refused when the schema cannot hold it,
// updated alone, and defaulted for keys from a schema step 1 database.
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

}  // namespace
}  // namespace yinjian::store::testing
