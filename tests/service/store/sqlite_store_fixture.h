// What the SqliteStore tests of departments, keys, key policy and key versions share: records
// with every field set away from its default, field-by-field comparisons, and a fixture with a
// fresh store file.
#ifndef YINJIAN_TESTS_SERVICE_STORE_SQLITE_STORE_FIXTURE_H_
#define YINJIAN_TESTS_SERVICE_STORE_SQLITE_STORE_FIXTURE_H_

#include <gtest/gtest.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "service/store/records.h"
#include "service/store/sqlite_store.h"
#include "tests/service/store/store_test_util.h"
#include "tests/support/status_test_macros.h"

namespace yinjian::store::testing {

inline DepartmentRecord Department(const std::string& name) {
  return {.name = name,
          .display_name = absl::StrCat("Department of ", name),
          .token_label = absl::StrCat("token-", name),
          .root_key_id = std::string("\x00\x01root\xff", 7),
          .created = SomeTime(1)};
}

inline KeyRecord Key(const std::string& department, const std::string& name) {
  return {.department = department,
          .name = name,
          .kind = "aes256-gcm",
          .protection_level = "software",
          .primary_version = 0,
          .description = absl::StrCat("key ", name),
          .created = SomeTime(2)};
}

inline KeyVersionRecord Version(const std::string& material,
                                const std::string& state = kVersionEnabled) {
  return {.state = state,
          .wrapped_material = material,
          .hsm_object_id = std::string("\x00obj", 4),
          .public_key_spki = std::string("\x30\x59\x00spki", 7),
          .root_key_id = std::string("\x00\x01root\xff", 7),
          .created = SomeTime(3)};
}

inline void ExpectSameDepartment(const DepartmentRecord& got, const DepartmentRecord& want) {
  EXPECT_EQ(got.name, want.name);
  EXPECT_EQ(got.display_name, want.display_name);
  EXPECT_EQ(got.token_label, want.token_label);
  EXPECT_EQ(got.root_key_id, want.root_key_id);
  EXPECT_EQ(got.created, absl::FromUnixMicros(absl::ToUnixMicros(want.created)));
}

inline void ExpectSameKey(const KeyRecord& got, const KeyRecord& want) {
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

inline void ExpectSameVersion(const KeyVersionRecord& got, const KeyVersionRecord& want) {
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

class SqliteStoreTest : public StoreFileTest {
 protected:
  // A department "tax" with key "payroll" (version 1 enabled and primary).
  void CreateTaxPayroll() {
    YJ_ASSERT_OK(store_->CreateDepartment(Department("tax")));
    YJ_ASSERT_OK(store_->CreateKey(Key("tax", "payroll"), Version("material-1")).status());
  }
};

}  // namespace yinjian::store::testing

#endif  // YINJIAN_TESTS_SERVICE_STORE_SQLITE_STORE_FIXTURE_H_
