// SqliteStore's department root key rotation (schema step 6): beginning a rotation (which
// switches the department's root), the latest and unfinished rotations, the versions still to
// re-wrap, the re-wrap compare-and-swap, finishing, and the upgrade of a step-5 database, on
// real database files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "service/store/records.h"
#include "service/store/sqlite_migrations.h"
#include "service/store/sqlite_store.h"
#include "tests/service/store/raw_sqlite.h"
#include "tests/service/store/record_printers.h"
#include "tests/service/store/store_test_util.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::yinjian::store::testing::CodeOf;
using ::yinjian::store::testing::Ids;
using ::yinjian::store::testing::SomeTime;
using ::yinjian::store::testing::Stored;

// Root key ids with a NUL byte, so that a TEXT binding anywhere would not match.
const std::string kRootA("\x00root-a", 7);
const std::string kRootB("\x00root-b", 7);
const std::string kRootC("\x00root-c", 7);
const std::string kRootOld("\x00root-0", 7);
const std::string kRootH("\x00root-h", 7);

// "key/version" of each version, for comparing lists.
std::vector<std::string> Names(const std::vector<KeyVersionRecord>& versions) {
  std::vector<std::string> names;
  for (const KeyVersionRecord& v : versions) names.push_back(absl::StrCat(v.key, "/", v.version));
  return names;
}

class SqliteRootRotationsTest : public ::yinjian::store::testing::StoreFileTest {
 protected:
  // Department finance (root A):
  //   archive  v1 wrapped under B (already under the root finance rotates to)
  //   payroll  v1 wrapped under A (primary), v2 HSM-resident (no wrapped material),
  //            v3 destroyed by SetVersionState (material erased), v4 wrapped under an older root
  //   pensions v1, v2 wrapped under A
  // Department health (root H): records v1 wrapped under H.
  // So 4 versions of finance are not wrapped under B: payroll/1, payroll/4, pensions/1,
  // pensions/2.
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StoreFileTest::SetUp());
    YJ_ASSERT_OK(store_->CreateDepartment(
        {.name = "finance", .root_key_id = kRootA, .created = SomeTime(0)}));
    YJ_ASSERT_OK(store_->CreateDepartment(
        {.name = "health", .root_key_id = kRootH, .created = SomeTime(0)}));
    CreateKey("finance", "archive", kRootB);
    CreateKey("finance", "payroll", kRootA);
    CreateKey("finance", "pensions", kRootA);
    CreateKey("health", "records", kRootH);
    AddVersion("finance", "payroll", {.state = kVersionEnabled, .hsm_object_id = "hsm-2"});
    AddVersion("finance", "payroll",
               {.state = kVersionDisabled, .wrapped_material = "w3", .root_key_id = kRootA});
    YJ_ASSERT_OK(store_->SetVersionState("finance", "payroll", 3, kVersionDestroyed).status());
    AddVersion("finance", "payroll",
               {.state = kVersionEnabled, .wrapped_material = "w4", .root_key_id = kRootOld});
    AddVersion("finance", "pensions",
               {.state = kVersionEnabled, .wrapped_material = "w2", .root_key_id = kRootA});
  }

  void CreateKey(const std::string& department, const std::string& key, const std::string& root) {
    YJ_ASSERT_OK(store_
                     ->CreateKey({.department = department,
                                  .name = key,
                                  .kind = "aes256-gcm",
                                  .protection_level = "software",
                                  .created = SomeTime(1)},
                                 {.state = kVersionEnabled,
                                  .wrapped_material = "w1",
                                  .root_key_id = root,
                                  .created = SomeTime(1)})
                     .status());
  }

  void AddVersion(const std::string& department, const std::string& key,
                  const KeyVersionRecord& version) {
    YJ_ASSERT_OK(store_->AddKeyVersion(department, key, version, /*make_primary=*/false).status());
  }

  // Begins finance's rotation from A to B by ruth at SomeTime(10).
  RootRotationRecord BeginFinance() {
    absl::StatusOr<RootRotationRecord> begun =
        store_->BeginRootRotation("finance", kRootB, "ruth", SomeTime(10));
    EXPECT_TRUE(begun.ok()) << begun.status();
    return begun.ok() ? *begun : RootRotationRecord{};
  }
};

TEST_F(SqliteRootRotationsTest, BeginSwitchesTheRootAndCountsTheVersionsToRewrap) {
  YJ_ASSERT_OK_AND_ASSIGN(RootRotationRecord begun,
                          store_->BeginRootRotation("finance", kRootB, "ruth", SomeTime(10)));
  const RootRotationRecord want{.id = 1,
                                .department = "finance",
                                .old_root_key_id = kRootA,
                                .new_root_key_id = kRootB,
                                .started_by = "ruth",
                                .started = Stored(SomeTime(10)),
                                .versions_total = 4,
                                .last_progress = Stored(SomeTime(10)),
                                .finished = absl::InfinitePast()};
  EXPECT_EQ(begun, want);
  YJ_ASSERT_OK_AND_ASSIGN(RootRotationRecord latest, store_->LatestRootRotation("finance"));
  EXPECT_EQ(latest, want);

  YJ_ASSERT_OK_AND_ASSIGN(DepartmentRecord finance, store_->GetDepartment("finance"));
  EXPECT_EQ(finance.root_key_id, kRootB);
  YJ_ASSERT_OK_AND_ASSIGN(DepartmentRecord health, store_->GetDepartment("health"));
  EXPECT_EQ(health.root_key_id, kRootH);
  // The versions themselves are re-wrapped later, one by one.
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord payroll1,
                          store_->GetKeyVersion("finance", "payroll", 1));
  EXPECT_EQ(payroll1.root_key_id, kRootA);
  EXPECT_EQ(payroll1.wrapped_material, "w1");
}

TEST_F(SqliteRootRotationsTest, BeginOfADepartmentWithNothingWrappedCountsZero) {
  YJ_ASSERT_OK(store_->CreateDepartment({.name = "empty", .created = SomeTime(0)}));
  YJ_ASSERT_OK_AND_ASSIGN(RootRotationRecord begun,
                          store_->BeginRootRotation("empty", kRootC, "ruth", SomeTime(10)));
  EXPECT_EQ(begun.old_root_key_id, "");
  EXPECT_EQ(begun.versions_total, 0);
}

TEST_F(SqliteRootRotationsTest, BeginRefusesASecondRotationTheSameRootAndUnknownDepartments) {
  const RootRotationRecord first = BeginFinance();
  EXPECT_EQ(CodeOf(store_->BeginRootRotation("finance", kRootC, "ruth", SomeTime(11))),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CodeOf(store_->BeginRootRotation("health", kRootH, "ruth", SomeTime(11))),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CodeOf(store_->BeginRootRotation("nowhere", kRootC, "ruth", SomeTime(11))),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(CodeOf(store_->BeginRootRotation("", kRootC, "ruth", SomeTime(11))),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(store_->BeginRootRotation("health", "", "ruth", SomeTime(11))),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(store_->BeginRootRotation("health", kRootC, "", SomeTime(11))),
            absl::StatusCode::kInvalidArgument);

  // Refusals change nothing.
  YJ_ASSERT_OK_AND_ASSIGN(RootRotationRecord latest, store_->LatestRootRotation("finance"));
  EXPECT_EQ(latest, first);
  YJ_ASSERT_OK_AND_ASSIGN(DepartmentRecord finance, store_->GetDepartment("finance"));
  EXPECT_EQ(finance.root_key_id, kRootB);
  YJ_ASSERT_OK_AND_ASSIGN(DepartmentRecord health, store_->GetDepartment("health"));
  EXPECT_EQ(health.root_key_id, kRootH);
  EXPECT_EQ(CodeOf(store_->LatestRootRotation("health")), absl::StatusCode::kNotFound);

  // Once finished, the current root still cannot be "rotated" to itself.
  YJ_ASSERT_OK(store_->FinishRootRotation(first.id, SomeTime(20)).status());
  EXPECT_EQ(CodeOf(store_->BeginRootRotation("finance", kRootB, "ruth", SomeTime(21))),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(SqliteRootRotationsTest, LatestIsTheNewestRotation) {
  EXPECT_EQ(CodeOf(store_->LatestRootRotation("finance")), absl::StatusCode::kNotFound);
  EXPECT_EQ(CodeOf(store_->LatestRootRotation("nowhere")), absl::StatusCode::kNotFound);
  const RootRotationRecord first = BeginFinance();
  YJ_ASSERT_OK(store_->FinishRootRotation(first.id, SomeTime(20)).status());
  YJ_ASSERT_OK_AND_ASSIGN(RootRotationRecord second,
                          store_->BeginRootRotation("finance", kRootC, "sam", SomeTime(30)));
  EXPECT_EQ(second.id, 2);
  EXPECT_EQ(second.old_root_key_id, kRootB);
  EXPECT_EQ(second.new_root_key_id, kRootC);
  // Everything wrapped is now "not under C", archive/1 (under B) included.
  EXPECT_EQ(second.versions_total, 5);
  YJ_ASSERT_OK_AND_ASSIGN(RootRotationRecord latest, store_->LatestRootRotation("finance"));
  EXPECT_EQ(latest, second);
  EXPECT_EQ(CodeOf(store_->LatestRootRotation("health")), absl::StatusCode::kNotFound);
}

TEST_F(SqliteRootRotationsTest, UnfinishedRotationsOfEveryDepartmentById) {
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<RootRotationRecord> none,
                          store_->ListUnfinishedRootRotations());
  EXPECT_THAT(none, IsEmpty());
  const RootRotationRecord finance = BeginFinance();
  YJ_ASSERT_OK_AND_ASSIGN(RootRotationRecord health,
                          store_->BeginRootRotation("health", kRootC, "hank", SomeTime(12)));
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<RootRotationRecord> both,
                          store_->ListUnfinishedRootRotations());
  EXPECT_THAT(both, ElementsAre(finance, health));
  YJ_ASSERT_OK(store_->FinishRootRotation(finance.id, SomeTime(20)).status());
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<RootRotationRecord> one,
                          store_->ListUnfinishedRootRotations());
  EXPECT_EQ(Ids(one), std::vector<int64_t>{health.id});
}

TEST_F(SqliteRootRotationsTest, ListsAndCountsWrappedVersionsUnderAnotherRoot) {
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<KeyVersionRecord> all,
                          store_->ListVersionsNotWrappedUnder("finance", kRootB, 100));
  EXPECT_THAT(Names(all), ElementsAre("payroll/1", "payroll/4", "pensions/1", "pensions/2"));
  ASSERT_EQ(all.size(), 4u);
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord payroll4,
                          store_->GetKeyVersion("finance", "payroll", 4));
  EXPECT_EQ(all[1], payroll4);  // whole records, as stored
  YJ_ASSERT_OK_AND_ASSIGN(int64_t count, store_->CountVersionsNotWrappedUnder("finance", kRootB));
  EXPECT_EQ(count, 4);

  YJ_ASSERT_OK_AND_ASSIGN(std::vector<KeyVersionRecord> first_two,
                          store_->ListVersionsNotWrappedUnder("finance", kRootB, 2));
  EXPECT_THAT(Names(first_two), ElementsAre("payroll/1", "payroll/4"));
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<KeyVersionRecord> none,
                          store_->ListVersionsNotWrappedUnder("finance", kRootB, 0));
  EXPECT_THAT(none, IsEmpty());

  // Under A: the older root's version and the one already under B.
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<KeyVersionRecord> not_a,
                          store_->ListVersionsNotWrappedUnder("finance", kRootA, 100));
  EXPECT_THAT(Names(not_a), ElementsAre("archive/1", "payroll/4"));
  YJ_ASSERT_OK_AND_ASSIGN(count, store_->CountVersionsNotWrappedUnder("finance", kRootA));
  EXPECT_EQ(count, 2);

  // Only the department's versions, compared as bytes: a prefix of the id is another root.
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<KeyVersionRecord> health,
                          store_->ListVersionsNotWrappedUnder("health", kRootH, 100));
  EXPECT_THAT(health, IsEmpty());
  YJ_ASSERT_OK_AND_ASSIGN(health,
                          store_->ListVersionsNotWrappedUnder("health", kRootH.substr(0, 1), 100));
  EXPECT_THAT(Names(health), ElementsAre("records/1"));
  YJ_ASSERT_OK_AND_ASSIGN(count, store_->CountVersionsNotWrappedUnder("health", kRootH));
  EXPECT_EQ(count, 0);

  EXPECT_EQ(CodeOf(store_->ListVersionsNotWrappedUnder("nowhere", kRootB, 10)),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(CodeOf(store_->CountVersionsNotWrappedUnder("nowhere", kRootB)),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(CodeOf(store_->ListVersionsNotWrappedUnder("finance", kRootB, -1)),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(SqliteRootRotationsTest, TheListUsesThePartialIndex) {
  testing::RawSqlite raw(path_);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw.db(),
                               "EXPLAIN QUERY PLAN SELECT * FROM key_versions WHERE department = "
                               "?1 AND length(wrapped_material) > 0 AND root_key_id <> ?2 "
                               "ORDER BY key_name, version LIMIT ?3",
                               -1, &stmt, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(raw.db());
  std::string plan;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    const unsigned char* detail = sqlite3_column_text(stmt, 3);
    absl::StrAppend(&plan, detail == nullptr ? "" : reinterpret_cast<const char*>(detail), ";");
  }
  sqlite3_finalize(stmt);
  EXPECT_THAT(plan, HasSubstr("key_versions_wrapped"));
  EXPECT_THAT(plan, ::testing::Not(HasSubstr("TEMP B-TREE")));
}

TEST_F(SqliteRootRotationsTest, RewrapSwapsMaterialAndRootOnceAndRecordsProgress) {
  const RootRotationRecord begun = BeginFinance();
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord before, store_->GetKeyVersion("finance", "payroll", 1));
  YJ_ASSERT_OK_AND_ASSIGN(bool swapped, store_->RewrapVersion("finance", "payroll", 1, kRootA,
                                                              kRootB, "w1-b", SomeTime(20)));
  EXPECT_TRUE(swapped);
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord after, store_->GetKeyVersion("finance", "payroll", 1));
  KeyVersionRecord want = before;
  want.wrapped_material = "w1-b";
  want.root_key_id = kRootB;
  EXPECT_EQ(after, want);
  YJ_ASSERT_OK_AND_ASSIGN(RootRotationRecord latest, store_->LatestRootRotation("finance"));
  RootRotationRecord want_rotation = begun;
  want_rotation.last_progress = Stored(SomeTime(20));
  EXPECT_EQ(latest, want_rotation);
  YJ_ASSERT_OK_AND_ASSIGN(int64_t left, store_->CountVersionsNotWrappedUnder("finance", kRootB));
  EXPECT_EQ(left, 3);

  // The same swap again: the root no longer matches. Nothing changes, progress included.
  YJ_ASSERT_OK_AND_ASSIGN(swapped, store_->RewrapVersion("finance", "payroll", 1, kRootA, kRootB,
                                                         "w1-other", SomeTime(30)));
  EXPECT_FALSE(swapped);
  YJ_ASSERT_OK_AND_ASSIGN(after, store_->GetKeyVersion("finance", "payroll", 1));
  EXPECT_EQ(after, want);
  YJ_ASSERT_OK_AND_ASSIGN(latest, store_->LatestRootRotation("finance"));
  EXPECT_EQ(latest, want_rotation);

  // The older root's version swaps from its own root.
  YJ_ASSERT_OK_AND_ASSIGN(swapped, store_->RewrapVersion("finance", "payroll", 4, kRootOld, kRootB,
                                                         "w4-b", SomeTime(31)));
  EXPECT_TRUE(swapped);
  YJ_ASSERT_OK_AND_ASSIGN(latest, store_->LatestRootRotation("finance"));
  EXPECT_EQ(latest.last_progress, Stored(SomeTime(31)));
}

TEST_F(SqliteRootRotationsTest, RewrapRefusesVersionsWithoutMaterialAndUnknownOnes) {
  BeginFinance();
  // Destroyed (material erased, root id kept) and HSM-resident versions: nothing to swap.
  YJ_ASSERT_OK_AND_ASSIGN(bool swapped, store_->RewrapVersion("finance", "payroll", 3, kRootA,
                                                              kRootB, "w3-b", SomeTime(20)));
  EXPECT_FALSE(swapped);
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord destroyed,
                          store_->GetKeyVersion("finance", "payroll", 3));
  EXPECT_EQ(destroyed.state, kVersionDestroyed);
  EXPECT_EQ(destroyed.wrapped_material, "");
  EXPECT_EQ(destroyed.root_key_id, kRootA);
  YJ_ASSERT_OK_AND_ASSIGN(
      swapped, store_->RewrapVersion("finance", "payroll", 2, "", kRootB, "w2-b", SomeTime(20)));
  EXPECT_FALSE(swapped);
  YJ_ASSERT_OK_AND_ASSIGN(RootRotationRecord latest, store_->LatestRootRotation("finance"));
  EXPECT_EQ(latest.last_progress, Stored(SomeTime(10)));

  EXPECT_EQ(
      CodeOf(store_->RewrapVersion("finance", "payroll", 99, kRootA, kRootB, "x", SomeTime(20))),
      absl::StatusCode::kNotFound);
  EXPECT_EQ(
      CodeOf(store_->RewrapVersion("finance", "nothing", 1, kRootA, kRootB, "x", SomeTime(20))),
      absl::StatusCode::kNotFound);
  EXPECT_EQ(
      CodeOf(store_->RewrapVersion("nowhere", "payroll", 1, kRootA, kRootB, "x", SomeTime(20))),
      absl::StatusCode::kNotFound);
  EXPECT_EQ(
      CodeOf(store_->RewrapVersion("finance", "payroll", 1, kRootA, kRootB, "", SomeTime(20))),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(store_->RewrapVersion("finance", "payroll", 1, kRootA, "", "x", SomeTime(20))),
            absl::StatusCode::kInvalidArgument);
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord untouched,
                          store_->GetKeyVersion("finance", "payroll", 1));
  EXPECT_EQ(untouched.wrapped_material, "w1");
}

TEST_F(SqliteRootRotationsTest, ABatchSwapsInOneTransactionAndAnUnknownVersionUndoesIt) {
  BeginFinance();
  auto rewrap = [](int32_t version, const std::string& expected, const std::string& material) {
    return VersionRewrap{.department = "finance",
                         .key = "payroll",
                         .version = version,
                         .expected_root_key_id = expected,
                         .new_root_key_id = kRootB,
                         .new_wrapped_material = material};
  };
  // Version 1 swaps, 3 (destroyed) does not, 4 swaps from the older root.
  const std::vector<VersionRewrap> batch = {rewrap(1, kRootA, "w1-b"), rewrap(3, kRootA, "w3-b"),
                                            rewrap(4, kRootOld, "w4-b")};
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<bool> swapped, store_->RewrapVersions(batch, SomeTime(20)));
  EXPECT_THAT(swapped, ::testing::ElementsAre(true, false, true));
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord one, store_->GetKeyVersion("finance", "payroll", 1));
  EXPECT_EQ(one.wrapped_material, "w1-b");
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord four, store_->GetKeyVersion("finance", "payroll", 4));
  EXPECT_EQ(four.root_key_id, kRootB);
  YJ_ASSERT_OK_AND_ASSIGN(RootRotationRecord latest, store_->LatestRootRotation("finance"));
  EXPECT_EQ(latest.last_progress, Stored(SomeTime(20)));

  // A batch naming a missing version changes nothing, not even the versions before it.
  const std::vector<VersionRewrap> broken = {rewrap(2, "", "w2-b"), rewrap(1, kRootB, "w1-c"),
                                             rewrap(99, kRootA, "x")};
  EXPECT_EQ(CodeOf(store_->RewrapVersions(broken, SomeTime(30))), absl::StatusCode::kNotFound);
  YJ_ASSERT_OK_AND_ASSIGN(one, store_->GetKeyVersion("finance", "payroll", 1));
  EXPECT_EQ(one.wrapped_material, "w1-b");
  YJ_ASSERT_OK_AND_ASSIGN(latest, store_->LatestRootRotation("finance"));
  EXPECT_EQ(latest.last_progress, Stored(SomeTime(20)));
  // An empty batch is nothing to do.
  YJ_ASSERT_OK_AND_ASSIGN(swapped, store_->RewrapVersions({}, SomeTime(40)));
  EXPECT_TRUE(swapped.empty());
}

TEST_F(SqliteRootRotationsTest, RewrapTouchesOnlyTheDepartmentsUnfinishedRotation) {
  const RootRotationRecord finance = BeginFinance();
  YJ_ASSERT_OK_AND_ASSIGN(RootRotationRecord health,
                          store_->BeginRootRotation("health", kRootC, "hank", SomeTime(12)));
  YJ_ASSERT_OK(store_->FinishRootRotation(finance.id, SomeTime(15)).status());

  // A finished rotation keeps its last progress.
  YJ_ASSERT_OK_AND_ASSIGN(bool swapped, store_->RewrapVersion("finance", "pensions", 1, kRootA,
                                                              kRootB, "p1-b", SomeTime(20)));
  EXPECT_TRUE(swapped);
  YJ_ASSERT_OK_AND_ASSIGN(RootRotationRecord finance_now, store_->LatestRootRotation("finance"));
  EXPECT_EQ(finance_now.last_progress, Stored(SomeTime(10)));
  YJ_ASSERT_OK_AND_ASSIGN(RootRotationRecord health_now, store_->LatestRootRotation("health"));
  EXPECT_EQ(health_now, health);

  YJ_ASSERT_OK_AND_ASSIGN(
      swapped, store_->RewrapVersion("health", "records", 1, kRootH, kRootC, "r1-c", SomeTime(25)));
  EXPECT_TRUE(swapped);
  YJ_ASSERT_OK_AND_ASSIGN(health_now, store_->LatestRootRotation("health"));
  EXPECT_EQ(health_now.last_progress, Stored(SomeTime(25)));
  YJ_ASSERT_OK_AND_ASSIGN(int64_t left, store_->CountVersionsNotWrappedUnder("health", kRootC));
  EXPECT_EQ(left, 0);
}

TEST_F(SqliteRootRotationsTest, FinishOnceThenANewRotationCanBegin) {
  const RootRotationRecord begun = BeginFinance();
  YJ_ASSERT_OK_AND_ASSIGN(RootRotationRecord finished,
                          store_->FinishRootRotation(begun.id, SomeTime(40)));
  RootRotationRecord want = begun;
  want.finished = Stored(SomeTime(40));
  EXPECT_EQ(finished, want);
  YJ_ASSERT_OK_AND_ASSIGN(RootRotationRecord latest, store_->LatestRootRotation("finance"));
  EXPECT_EQ(latest, want);

  const absl::StatusOr<RootRotationRecord> again =
      store_->FinishRootRotation(begun.id, SomeTime(41));
  EXPECT_EQ(CodeOf(again), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.status().message(), HasSubstr("finished"));
  YJ_ASSERT_OK_AND_ASSIGN(latest, store_->LatestRootRotation("finance"));
  EXPECT_EQ(latest.finished, Stored(SomeTime(40)));
  EXPECT_EQ(CodeOf(store_->FinishRootRotation(99, SomeTime(41))), absl::StatusCode::kNotFound);
  EXPECT_EQ(CodeOf(store_->FinishRootRotation(begun.id, absl::InfinitePast())),
            absl::StatusCode::kInvalidArgument);

  YJ_ASSERT_OK_AND_ASSIGN(RootRotationRecord next,
                          store_->BeginRootRotation("finance", kRootC, "sam", SomeTime(50)));
  EXPECT_EQ(next.id, 2);
  EXPECT_EQ(next.old_root_key_id, kRootB);
  EXPECT_EQ(next.finished, absl::InfinitePast());
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<RootRotationRecord> unfinished,
                          store_->ListUnfinishedRootRotations());
  EXPECT_THAT(unfinished, ElementsAre(next));
}

TEST_F(SqliteRootRotationsTest, TheSchemaAllowsOneUnfinishedRotationPerDepartment) {
  BeginFinance();
  testing::RawSqlite raw(path_);
  const char* second =
      "INSERT INTO root_rotations (department, old_root_key_id, new_root_key_id, started_by, "
      "started_us, versions_total, last_progress_us, finished_us) VALUES ('finance', x'01', "
      "x'02', 'mallory', 1, 0, 1, -9223372036854775808)";
  EXPECT_EQ(sqlite3_exec(raw.db(), second, nullptr, nullptr, nullptr), SQLITE_CONSTRAINT);
  // A finished one may sit beside it.
  EXPECT_TRUE(raw.Exec(
      "INSERT INTO root_rotations (department, old_root_key_id, new_root_key_id, started_by, "
      "started_us, versions_total, last_progress_us, finished_us) VALUES ('finance', x'01', "
      "x'02', 'mallory', 1, 0, 1, 2)"));
}

TEST_F(SqliteRootRotationsTest, ReplicasBeginOneRotationPerDepartment) {
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteStore> other, SqliteStore::Open(path_));
  constexpr int kPerStore = 4;
  std::vector<absl::Status> results(2 * kPerStore);
  std::vector<std::thread> threads;
  for (int i = 0; i < 2 * kPerStore; ++i) {
    SqliteStore* store = i < kPerStore ? store_.get() : other.get();
    threads.emplace_back([&results, store, i] {
      results[i] =
          store->BeginRootRotation("finance", i % 2 == 0 ? kRootB : kRootC, "ruth", SomeTime(10))
              .status();
    });
  }
  for (std::thread& thread : threads) thread.join();
  int begun = 0;
  for (const absl::Status& result : results) {
    if (result.ok()) {
      ++begun;
    } else {
      EXPECT_EQ(result.code(), absl::StatusCode::kFailedPrecondition) << result;
    }
  }
  EXPECT_EQ(begun, 1);
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<RootRotationRecord> unfinished,
                          store_->ListUnfinishedRootRotations());
  ASSERT_EQ(unfinished.size(), 1u);
  EXPECT_EQ(unfinished[0].old_root_key_id, kRootA);
}

TEST_F(SqliteRootRotationsTest, AStep5DatabaseUpgradesAndRotates) {
  const std::string old_path = dir_->File("step5.db");
  {
    YJ_ASSERT_OK_AND_ASSIGN(
        std::unique_ptr<SqliteStore> old,
        SqliteStore::OpenWithMigrations(old_path, {}, SqliteMigrations().subspan(0, 5)));
    ASSERT_EQ(old->SchemaVersion(), 5);
  }
  {
    // The rows a step-5 binary wrote.
    testing::RawSqlite raw(old_path);
    EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM sqlite_master WHERE name = 'root_rotations'"), 0);
    ASSERT_TRUE(raw.Exec(
        "INSERT INTO departments (name, display_name, token_label, root_key_id, created_us) "
        "VALUES ('finance', 'Finance', '', x'0a', 1700000000123456)"));
    ASSERT_TRUE(raw.Exec(
        "INSERT INTO keys (department, name, kind, protection_level, primary_version, "
        "last_version, description, created_us) VALUES ('finance', 'payroll', 'aes256-gcm', "
        "'software', 2, 3, 'an old key', 1700000002123456)"));
    ASSERT_TRUE(raw.Exec(
        "INSERT INTO key_versions (department, key_name, version, state, wrapped_material, "
        "hsm_object_id, public_key_spki, root_key_id, created_us) VALUES "
        "('finance', 'payroll', 1, 'destroyed', x'', x'', x'', x'0a', 1700000003123456), "
        "('finance', 'payroll', 2, 'enabled', x'6d32', x'', x'', x'0a', 1700000004123456), "
        "('finance', 'payroll', 3, 'enabled', x'', x'6f33', x'', x'', 1700000005123456)"));
  }
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteStore> upgraded, SqliteStore::Open(old_path));
  EXPECT_EQ(upgraded->SchemaVersion(), static_cast<int32_t>(SqliteMigrations().size()));
  EXPECT_GE(upgraded->SchemaVersion(), 6);
  EXPECT_EQ(CodeOf(upgraded->LatestRootRotation("finance")), absl::StatusCode::kNotFound);

  YJ_ASSERT_OK_AND_ASSIGN(RootRotationRecord begun,
                          upgraded->BeginRootRotation("finance", "\x0b", "ruth", SomeTime(10)));
  EXPECT_EQ(begun.old_root_key_id, "\x0a");
  EXPECT_EQ(begun.versions_total, 1);
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<KeyVersionRecord> left,
                          upgraded->ListVersionsNotWrappedUnder("finance", "\x0b", 10));
  EXPECT_THAT(Names(left), ElementsAre("payroll/2"));
  YJ_ASSERT_OK_AND_ASSIGN(bool swapped, upgraded->RewrapVersion("finance", "payroll", 2, "\x0a",
                                                                "\x0b", "m2-b", SomeTime(20)));
  EXPECT_TRUE(swapped);
  YJ_ASSERT_OK(upgraded->FinishRootRotation(begun.id, SomeTime(30)).status());

  testing::RawSqlite raw(old_path);
  EXPECT_EQ(raw.QueryText("SELECT name FROM schema_migrations WHERE version = 6"),
            "root_key_rotation");
  EXPECT_EQ(
      raw.QueryInt("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN "
                   "('key_versions_wrapped', 'root_rotations_one_unfinished_per_department')"),
      2);
}

}  // namespace
}  // namespace yinjian::store
