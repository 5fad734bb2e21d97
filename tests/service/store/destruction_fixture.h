// The fixture of the destruction store tests (schema step 5): a store file with departments
// finance and health, finance/payroll in three versions, finance/pensions and health/records,
// and helpers that take a request to scheduled or destroying.
#ifndef YINJIAN_TESTS_SERVICE_STORE_DESTRUCTION_FIXTURE_H_
#define YINJIAN_TESTS_SERVICE_STORE_DESTRUCTION_FIXTURE_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "service/store/records.h"
#include "service/store/sqlite_store.h"
#include "tests/service/store/record_printers.h"
#include "tests/service/store/store_test_util.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::store::testing {

// A request by kate to destroy `version` of finance/payroll.
inline DestructionRecord Request(int32_t version, const std::string& key = "payroll") {
  return {.department = "finance",
          .key = key,
          .version = version,
          .reason = "retired with the old payroll system",
          .required_approvals = 1,
          .requested_by = "kate",
          .requested = SomeTime(10)};
}

class SqliteDestructionsTest : public ::yinjian::store::testing::StoreFileTest {
 protected:
  // finance/payroll: version 1 (wrapped), version 2 (primary, HSM-resident), version 3 (wrapped,
  // with an HSM object as well). finance/pensions and health/records: version 1 only.
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StoreFileTest::SetUp());
    for (const char* name : {"finance", "health"}) {
      YJ_ASSERT_OK(store_->CreateDepartment({.name = name, .created = SomeTime(0)}));
    }
    for (const auto& [department, key] : {std::pair<const char*, const char*>{"finance", "payroll"},
                                          {"finance", "pensions"},
                                          {"health", "records"}}) {
      YJ_ASSERT_OK(store_
                       ->CreateKey({.department = department,
                                    .name = key,
                                    .kind = "aes256-gcm",
                                    .protection_level = "software",
                                    .created = SomeTime(1)},
                                   {.state = kVersionEnabled,
                                    .wrapped_material = "wrapped-1",
                                    .root_key_id = "root",
                                    .created = SomeTime(1)})
                       .status());
    }
    YJ_ASSERT_OK(store_
                     ->AddKeyVersion("finance", "payroll",
                                     {.state = kVersionEnabled,
                                      .hsm_object_id = std::string("\x00hsm-2", 6),
                                      .created = SomeTime(2)},
                                     /*make_primary=*/true)
                     .status());
    YJ_ASSERT_OK(store_
                     ->AddKeyVersion("finance", "payroll",
                                     {.state = kVersionDisabled,
                                      .wrapped_material = std::string("wrapped\x00-3", 9),
                                      .hsm_object_id = "hsm-3",
                                      .root_key_id = "root",
                                      .created = SomeTime(3)},
                                     /*make_primary=*/false)
                     .status());
  }

  // Creates `request`, approves it with required_approvals officers and has it witnessed, to be
  // destroyed after `destroy_after`. Returns its id (0 after a test failure).
  int64_t Scheduled(const DestructionRecord& request, absl::Time destroy_after) {
    absl::StatusOr<DestructionRecord> created = store_->CreateDestruction(request);
    EXPECT_TRUE(created.ok()) << created.status();
    if (!created.ok()) return 0;
    for (int i = 0; i < request.required_approvals; ++i) {
      absl::StatusOr<DestructionRecord> approved =
          store_->ApproveDestruction(created->id, absl::StrCat("officer-", i), SomeTime(20));
      EXPECT_TRUE(approved.ok()) << approved.status();
    }
    absl::StatusOr<DestructionRecord> witnessed =
        store_->WitnessDestruction(created->id, "walter", SomeTime(30), destroy_after);
    EXPECT_TRUE(witnessed.ok()) << witnessed.status();
    return created->id;
  }

  // As Scheduled, and claimed by an executor.
  int64_t Destroying(const DestructionRecord& request) {
    const int64_t id = Scheduled(request, SomeTime(40));
    absl::StatusOr<DestructionRecord> claimed = store_->ClaimDestruction(id, SomeTime(50));
    EXPECT_TRUE(claimed.ok()) << claimed.status();
    return id;
  }
};

}  // namespace yinjian::store::testing

#endif  // YINJIAN_TESTS_SERVICE_STORE_DESTRUCTION_FIXTURE_H_
