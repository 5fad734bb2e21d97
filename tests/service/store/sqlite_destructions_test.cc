// SqliteStore's supervised key destruction (R11, schema step 5): requests and their states,
// approvals, the witness, cancellation, the executor's due list, claim and finish (which shreds
// the versions), the destruction record, the SetPrimaryVersion guard and the upgrade of a step-4
// database, on real database files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "service/store/records.h"
#include "service/store/sqlite_migrations.h"
#include "service/store/sqlite_store.h"
#include "tests/service/store/raw_sqlite.h"
#include "tests/service/store/record_printers.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::store {

inline void PrintTo(const DestructionRecord& d, std::ostream* os) {
  *os << "DestructionRecord{id=" << d.id << " key=" << d.department << "/" << d.key
      << " version=" << d.version << " reason=" << d.reason << " state=" << d.state
      << " required=" << d.required_approvals << " requested_by=" << d.requested_by
      << " requested=" << d.requested << " approved_by=" << PrintableList(d.approved_by)
      << " approved=" << d.approved << " witnessed_by=" << d.witnessed_by
      << " witnessed=" << d.witnessed << " destroy_after=" << d.destroy_after
      << " cancelled_by=" << d.cancelled_by << " cancel_reason=" << d.cancel_reason
      << " cancelled=" << d.cancelled << " destroyed=" << d.destroyed << " destroyed_versions=["
      << absl::StrJoin(d.destroyed_versions, ",") << "] record=" << d.record
      << " record_index=" << d.record_index << "}";
}

namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::yinjian::testing::TempDir;

// Sub-microsecond times prove that records come back as stored, not as given.
absl::Time SomeTime(int64_t seconds) {
  return absl::FromUnixSeconds(1700000000 + seconds) + absl::Nanoseconds(123456789);
}
absl::Time Stored(absl::Time t) { return absl::FromUnixMicros(absl::ToUnixMicros(t)); }

// A request by kate to destroy `version` of finance/payroll.
DestructionRecord Request(int32_t version, const std::string& key = "payroll") {
  return {.department = "finance",
          .key = key,
          .version = version,
          .reason = "retired with the old payroll system",
          .required_approvals = 1,
          .requested_by = "kate",
          .requested = SomeTime(10)};
}

std::vector<int64_t> Ids(const std::vector<DestructionRecord>& requests) {
  std::vector<int64_t> ids;
  for (const DestructionRecord& r : requests) ids.push_back(r.id);
  return ids;
}

template <typename T>
absl::StatusCode CodeOf(const absl::StatusOr<T>& status_or) {
  return status_or.status().code();
}

class SqliteDestructionsTest : public ::testing::Test {
 protected:
  // finance/payroll: version 1 (wrapped), version 2 (primary, HSM-resident), version 3 (wrapped,
  // with an HSM object as well). finance/pensions and health/records: version 1 only.
  void SetUp() override {
    YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
    dir_ = std::make_unique<TempDir>(std::move(dir));
    path_ = dir_->File("store.db");
    YJ_ASSERT_OK_AND_ASSIGN(store_, SqliteStore::Open(path_));
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

  std::unique_ptr<TempDir> dir_;
  std::string path_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteDestructionsTest, CreateStoresAPendingRequestAndIgnoresWhatTheStoreDecides) {
  DestructionRecord given = Request(3);
  given.required_approvals = 2;
  given.id = 99;
  given.state = kDestructionDestroyed;
  given.approved_by = {"mallory"};
  given.approved = SomeTime(11);
  given.witnessed_by = "mallory";
  given.witnessed = SomeTime(12);
  given.destroy_after = SomeTime(13);
  given.cancelled_by = "mallory";
  given.cancel_reason = "because";
  given.cancelled = SomeTime(14);
  given.destroyed = SomeTime(15);
  given.destroyed_versions = {1, 2};
  given.record = "{}";
  given.record_index = 7;
  YJ_ASSERT_OK_AND_ASSIGN(DestructionRecord created, store_->CreateDestruction(given));

  DestructionRecord want = Request(3);
  want.id = 1;
  want.required_approvals = 2;
  want.state = kDestructionPending;
  want.requested = Stored(want.requested);
  EXPECT_EQ(created, want);
  EXPECT_EQ(created.approved, absl::InfinitePast());
  EXPECT_EQ(created.destroy_after, absl::InfiniteFuture());
  EXPECT_EQ(created.record_index, -1);
  YJ_ASSERT_OK_AND_ASSIGN(DestructionRecord got, store_->GetDestruction(1));
  EXPECT_EQ(got, want);

  // Ids count up across keys; a whole-key request is version 0.
  YJ_ASSERT_OK_AND_ASSIGN(DestructionRecord second,
                          store_->CreateDestruction(Request(0, "pensions")));
  EXPECT_EQ(second.id, 2);
  EXPECT_EQ(second.version, 0);
  EXPECT_EQ(CodeOf(store_->GetDestruction(3)), absl::StatusCode::kNotFound);
}

TEST_F(SqliteDestructionsTest, CreateRefusesInvalidArguments) {
  std::vector<DestructionRecord> bad(6, Request(3));
  bad[0].department = "";
  bad[1].key = "";
  bad[2].reason = "";
  bad[3].requested_by = "";
  bad[4].version = -1;
  bad[5].required_approvals = 0;
  for (const DestructionRecord& request : bad) {
    EXPECT_EQ(CodeOf(store_->CreateDestruction(request)), absl::StatusCode::kInvalidArgument)
        << ::testing::PrintToString(request);
  }
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<DestructionRecord> all, store_->ListDestructions({}));
  EXPECT_THAT(all, IsEmpty());
}

TEST_F(SqliteDestructionsTest, CreateRefusesMissingKeysAndVersions) {
  EXPECT_EQ(CodeOf(store_->CreateDestruction(Request(1, "no-such-key"))),
            absl::StatusCode::kNotFound);
  DestructionRecord other_department = Request(1);
  other_department.department = "police";
  EXPECT_EQ(CodeOf(store_->CreateDestruction(other_department)), absl::StatusCode::kNotFound);
  const absl::Status missing_version = store_->CreateDestruction(Request(4)).status();
  EXPECT_EQ(missing_version.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing_version.message(), HasSubstr("version 4 of key finance/payroll"));
}

TEST_F(SqliteDestructionsTest, CreateRefusesThePrimaryADestroyedVersionAndASecondOpenRequest) {
  const absl::Status primary = store_->CreateDestruction(Request(2)).status();
  EXPECT_EQ(primary.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(primary.message(), HasSubstr("primary"));

  YJ_ASSERT_OK(store_->SetVersionState("finance", "payroll", 1, kVersionDestroyed).status());
  const absl::Status destroyed = store_->CreateDestruction(Request(1)).status();
  EXPECT_EQ(destroyed.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(destroyed.message(), HasSubstr("already destroyed"));

  YJ_ASSERT_OK_AND_ASSIGN(DestructionRecord first, store_->CreateDestruction(Request(3)));
  // One open request per key, whichever version the second one names.
  for (int32_t version : {3, 0}) {
    const absl::Status second = store_->CreateDestruction(Request(version)).status();
    EXPECT_EQ(second.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(second.message(), HasSubstr("destruction request 1 of finance/payroll"));
  }
  // Other keys are not affected.
  YJ_EXPECT_OK(store_->CreateDestruction(Request(0, "pensions")).status());

  // Once the first is cancelled, a new request may be opened; its id is new.
  YJ_ASSERT_OK(store_->CancelDestruction(first.id, "kate", "wrong version", SomeTime(11)).status());
  YJ_ASSERT_OK_AND_ASSIGN(DestructionRecord again, store_->CreateDestruction(Request(3)));
  EXPECT_EQ(again.id, 3);
}

TEST_F(SqliteDestructionsTest, OneApprovalApproves) {
  YJ_ASSERT_OK_AND_ASSIGN(DestructionRecord created, store_->CreateDestruction(Request(3)));
  YJ_ASSERT_OK_AND_ASSIGN(DestructionRecord approved,
                          store_->ApproveDestruction(created.id, "olga", SomeTime(20)));
  EXPECT_EQ(approved.state, kDestructionApproved);
  EXPECT_THAT(approved.approved_by, ElementsAre("olga"));
  EXPECT_EQ(approved.approved, Stored(SomeTime(20)));
  YJ_ASSERT_OK_AND_ASSIGN(DestructionRecord got, store_->GetDestruction(created.id));
  EXPECT_EQ(got, approved);

  // Approving is for pending requests only.
  const absl::Status again = store_->ApproveDestruction(created.id, "oscar", SomeTime(21)).status();
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.message(),
              HasSubstr("destruction request 1 of finance/payroll is approved, not pending"));
}

TEST_F(SqliteDestructionsTest, TwoApprovalsNeedTwoDistinctApprovers) {
  DestructionRecord request = Request(0);
  request.required_approvals = 2;
  YJ_ASSERT_OK_AND_ASSIGN(DestructionRecord created, store_->CreateDestruction(request));
  YJ_ASSERT_OK_AND_ASSIGN(DestructionRecord first,
                          store_->ApproveDestruction(created.id, "olga", SomeTime(20)));
  EXPECT_EQ(first.state, kDestructionPending);
  EXPECT_EQ(first.approved, absl::InfinitePast());

  const absl::Status duplicate =
      store_->ApproveDestruction(created.id, "olga", SomeTime(21)).status();
  EXPECT_EQ(duplicate.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(duplicate.message(), HasSubstr("olga has already approved destruction request 1"));
  EXPECT_EQ(CodeOf(store_->ApproveDestruction(created.id, "", SomeTime(21))),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(store_->ApproveDestruction(created.id, "a\nb", SomeTime(21))),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(store_->ApproveDestruction(42, "oscar", SomeTime(21))),
            absl::StatusCode::kNotFound);

  YJ_ASSERT_OK_AND_ASSIGN(DestructionRecord second,
                          store_->ApproveDestruction(created.id, "oscar", SomeTime(22)));
  EXPECT_EQ(second.state, kDestructionApproved);
  EXPECT_THAT(second.approved_by, ElementsAre("olga", "oscar"));
  EXPECT_EQ(second.approved, Stored(SomeTime(22)));
  YJ_ASSERT_OK_AND_ASSIGN(DestructionRecord got, store_->GetDestruction(created.id));
  EXPECT_EQ(got, second);
}

TEST_F(SqliteDestructionsTest, OnlyAnApprovedRequestCanBeWitnessed) {
  YJ_ASSERT_OK_AND_ASSIGN(DestructionRecord created, store_->CreateDestruction(Request(3)));
  const absl::Status early =
      store_->WitnessDestruction(created.id, "walter", SomeTime(30), SomeTime(40)).status();
  EXPECT_EQ(early.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(early.message(),
              HasSubstr("destruction request 1 of finance/payroll is pending, not approved"));

  YJ_ASSERT_OK(store_->ApproveDestruction(created.id, "olga", SomeTime(20)).status());
  EXPECT_EQ(CodeOf(store_->WitnessDestruction(created.id, "", SomeTime(30), SomeTime(40))),
            absl::StatusCode::kInvalidArgument);
  YJ_ASSERT_OK_AND_ASSIGN(
      DestructionRecord scheduled,
      store_->WitnessDestruction(created.id, "walter", SomeTime(30), SomeTime(40)));
  EXPECT_EQ(scheduled.state, kDestructionScheduled);
  EXPECT_EQ(scheduled.witnessed_by, "walter");
  EXPECT_EQ(scheduled.witnessed, Stored(SomeTime(30)));
  EXPECT_EQ(scheduled.destroy_after, Stored(SomeTime(40)));
  YJ_ASSERT_OK_AND_ASSIGN(DestructionRecord got, store_->GetDestruction(created.id));
  EXPECT_EQ(got, scheduled);

  const absl::Status twice =
      store_->WitnessDestruction(created.id, "wanda", SomeTime(31), SomeTime(41)).status();
  EXPECT_EQ(twice.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(twice.message(), HasSubstr("is scheduled, not approved"));
}

TEST_F(SqliteDestructionsTest, CancelStopsARequestUntilItIsClaimed) {
  // pending, approved and scheduled requests (one per key, each cancelled in turn).
  YJ_ASSERT_OK_AND_ASSIGN(DestructionRecord pending, store_->CreateDestruction(Request(3)));
  YJ_ASSERT_OK_AND_ASSIGN(DestructionRecord cancelled,
                          store_->CancelDestruction(pending.id, "kate", "typo", SomeTime(11)));
  EXPECT_EQ(cancelled.state, kDestructionCancelled);
  EXPECT_EQ(cancelled.cancelled_by, "kate");
  EXPECT_EQ(cancelled.cancel_reason, "typo");
  EXPECT_EQ(cancelled.cancelled, Stored(SomeTime(11)));
  YJ_ASSERT_OK_AND_ASSIGN(DestructionRecord got, store_->GetDestruction(pending.id));
  EXPECT_EQ(got, cancelled);

  YJ_ASSERT_OK_AND_ASSIGN(DestructionRecord approved, store_->CreateDestruction(Request(3)));
  YJ_ASSERT_OK(store_->ApproveDestruction(approved.id, "olga", SomeTime(20)).status());
  YJ_EXPECT_OK(store_->CancelDestruction(approved.id, "olga", "not yet", SomeTime(21)).status());

  const int64_t scheduled = Scheduled(Request(3), SomeTime(40));
  YJ_EXPECT_OK(store_->CancelDestruction(scheduled, "walter", "audit hold", SomeTime(31)).status());
  EXPECT_EQ(CodeOf(store_->CancelDestruction(scheduled, "", "no one", SomeTime(32))),
            absl::StatusCode::kInvalidArgument);

  // Not once cancelled, claimed or destroyed.
  const absl::Status again =
      store_->CancelDestruction(pending.id, "kate", "again", SomeTime(12)).status();
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.message(), HasSubstr("destruction request 1 of finance/payroll is cancelled"));
  const int64_t destroying = Destroying(Request(3));
  const absl::Status claimed =
      store_->CancelDestruction(destroying, "kate", "too late", SomeTime(60)).status();
  EXPECT_EQ(claimed.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(claimed.message(), HasSubstr("is destroying"));
  YJ_ASSERT_OK(store_->FinishDestruction(destroying, SomeTime(70)).status());
  EXPECT_EQ(CodeOf(store_->CancelDestruction(destroying, "kate", "way too late", SomeTime(80))),
            absl::StatusCode::kFailedPrecondition);
  YJ_ASSERT_OK_AND_ASSIGN(DestructionRecord finished, store_->GetDestruction(destroying));
  EXPECT_EQ(finished.state, kDestructionDestroyed);
  EXPECT_EQ(finished.cancelled, absl::InfinitePast());
}

TEST_F(SqliteDestructionsTest, ListFiltersByDepartmentKeyAndState) {
  YJ_ASSERT_OK(store_->CreateDestruction(Request(3)).status());                       // 1
  YJ_ASSERT_OK(store_->CancelDestruction(1, "kate", "typo", SomeTime(11)).status());  // cancelled
  YJ_ASSERT_OK(store_->CreateDestruction(Request(1)).status());                       // 2 pending
  YJ_ASSERT_OK(store_->CreateDestruction(Request(0, "pensions")).status());           // 3 pending
  DestructionRecord health = Request(0, "records");
  health.department = "health";
  YJ_ASSERT_OK(store_->CreateDestruction(health).status());  // 4
  YJ_ASSERT_OK(store_->ApproveDestruction(4, "hans", SomeTime(20)).status());

  YJ_ASSERT_OK_AND_ASSIGN(std::vector<DestructionRecord> all, store_->ListDestructions({}));
  EXPECT_THAT(Ids(all), ElementsAre(1, 2, 3, 4));
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<DestructionRecord> finance,
                          store_->ListDestructions({.department = "finance"}));
  EXPECT_THAT(Ids(finance), ElementsAre(1, 2, 3));
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<DestructionRecord> payroll,
                          store_->ListDestructions({.department = "finance", .key = "payroll"}));
  EXPECT_THAT(Ids(payroll), ElementsAre(1, 2));
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<DestructionRecord> pending,
                          store_->ListDestructions({.state = kDestructionPending}));
  EXPECT_THAT(Ids(pending), ElementsAre(2, 3));
  YJ_ASSERT_OK_AND_ASSIGN(
      std::vector<DestructionRecord> pending_payroll,
      store_->ListDestructions({.key = "payroll", .state = kDestructionPending}));
  EXPECT_THAT(Ids(pending_payroll), ElementsAre(2));
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<DestructionRecord> approved,
                          store_->ListDestructions({.state = kDestructionApproved}));
  ASSERT_THAT(Ids(approved), ElementsAre(4));
  EXPECT_EQ(approved[0].department, "health");
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<DestructionRecord> none,
                          store_->ListDestructions({.department = "police"}));
  EXPECT_THAT(none, IsEmpty());

  const absl::Status bad = store_->ListDestructions({.state = "shredded"}).status();
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.message(), HasSubstr("shredded"));
}

TEST_F(SqliteDestructionsTest, DueListHoldsScheduledRequestsPastTheirWaitAndClaimedOnes) {
  const int64_t late = Scheduled(Request(3), SomeTime(300));               // 1
  const int64_t early = Scheduled(Request(0, "pensions"), SomeTime(100));  // 2
  DestructionRecord health = Request(0, "records");
  health.department = "health";
  const int64_t claimed = Scheduled(health, SomeTime(200));  // 3
  YJ_ASSERT_OK(store_->ClaimDestruction(claimed, SomeTime(200)).status());
  // Not scheduled (pending, approved, cancelled): never due.
  for (const char* key : {"bonus", "expenses", "travel"}) {
    YJ_ASSERT_OK(store_
                     ->CreateKey({.department = "finance", .name = key, .created = SomeTime(1)},
                                 {.state = kVersionEnabled, .wrapped_material = "w"})
                     .status());
    YJ_ASSERT_OK(store_->CreateDestruction(Request(0, key)).status());
  }
  YJ_ASSERT_OK(store_->ApproveDestruction(5, "olga", SomeTime(20)).status());
  YJ_ASSERT_OK(store_->CancelDestruction(6, "kate", "no", SomeTime(20)).status());

  auto due_ids = [&](absl::Time now, int32_t limit) {
    absl::StatusOr<std::vector<DestructionRecord>> due = store_->ListDueDestructions(now, limit);
    EXPECT_TRUE(due.ok()) << due.status();
    return due.ok() ? Ids(*due) : std::vector<int64_t>{};
  };
  // Destroying ones are due whatever the time.
  EXPECT_THAT(due_ids(SomeTime(50), 10), ElementsAre(claimed));
  // destroy_after itself is due; a microsecond before it is not.
  EXPECT_THAT(due_ids(Stored(SomeTime(100)) - absl::Microseconds(1), 10), ElementsAre(claimed));
  EXPECT_THAT(due_ids(Stored(SomeTime(100)), 10), ElementsAre(early, claimed));
  // Ordered by destroy_after, then id.
  EXPECT_THAT(due_ids(SomeTime(1000), 10), ElementsAre(early, claimed, late));
  EXPECT_THAT(due_ids(absl::InfiniteFuture(), 2), ElementsAre(early, claimed));
  EXPECT_THAT(due_ids(SomeTime(1000), 0), IsEmpty());
  EXPECT_EQ(CodeOf(store_->ListDueDestructions(SomeTime(1000), -1)),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(SqliteDestructionsTest, DueListOrdersEqualWaitsById) {
  const int64_t first = Scheduled(Request(3), SomeTime(100));
  const int64_t second = Scheduled(Request(0, "pensions"), SomeTime(100));
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<DestructionRecord> due,
                          store_->ListDueDestructions(SomeTime(100), 10));
  EXPECT_THAT(Ids(due), ElementsAre(first, second));
}

TEST_F(SqliteDestructionsTest, ClaimTakesADueScheduledRequestOnce) {
  YJ_ASSERT_OK_AND_ASSIGN(DestructionRecord pending, store_->CreateDestruction(Request(3)));
  const absl::Status not_scheduled = store_->ClaimDestruction(pending.id, SomeTime(50)).status();
  EXPECT_EQ(not_scheduled.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(not_scheduled.message(),
              HasSubstr("destruction request 1 of finance/payroll is pending, not scheduled"));
  YJ_ASSERT_OK(store_->CancelDestruction(pending.id, "kate", "redo", SomeTime(11)).status());
  EXPECT_EQ(CodeOf(store_->ClaimDestruction(pending.id, SomeTime(50))),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CodeOf(store_->ClaimDestruction(99, SomeTime(50))), absl::StatusCode::kNotFound);

  const int64_t id = Scheduled(Request(3), SomeTime(100));
  const absl::Status too_early = store_->ClaimDestruction(id, SomeTime(99)).status();
  EXPECT_EQ(too_early.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(too_early.message(), HasSubstr("not due"));
  YJ_ASSERT_OK_AND_ASSIGN(DestructionRecord still, store_->GetDestruction(id));
  EXPECT_EQ(still.state, kDestructionScheduled);

  YJ_ASSERT_OK_AND_ASSIGN(DestructionRecord claimed, store_->ClaimDestruction(id, SomeTime(100)));
  EXPECT_EQ(claimed.state, kDestructionDestroying);
  YJ_ASSERT_OK_AND_ASSIGN(DestructionRecord got, store_->GetDestruction(id));
  EXPECT_EQ(got, claimed);
  // Another executor takes the claim over: the same record, unchanged.
  YJ_ASSERT_OK_AND_ASSIGN(DestructionRecord reclaimed, store_->ClaimDestruction(id, SomeTime(5)));
  EXPECT_EQ(reclaimed, claimed);
}

TEST_F(SqliteDestructionsTest, FinishShredsOneVersionAndReturnsItAsItWas) {
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord v1_before,
                          store_->GetKeyVersion("finance", "payroll", 1));
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord v2_before,
                          store_->GetKeyVersion("finance", "payroll", 2));
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord v3_before,
                          store_->GetKeyVersion("finance", "payroll", 3));
  const int64_t id = Destroying(Request(3));

  YJ_ASSERT_OK_AND_ASSIGN(auto finished, store_->FinishDestruction(id, SomeTime(70)));
  const auto& [request, versions] = finished;
  EXPECT_EQ(request.state, kDestructionDestroyed);
  EXPECT_EQ(request.destroyed, Stored(SomeTime(70)));
  EXPECT_THAT(request.destroyed_versions, ElementsAre(3));
  YJ_ASSERT_OK_AND_ASSIGN(DestructionRecord got, store_->GetDestruction(id));
  EXPECT_EQ(got, request);
  // The versions as they were: the HSM object still to destroy, and the material now erased.
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(versions[0], v3_before);
  EXPECT_EQ(versions[0].hsm_object_id, "hsm-3");
  EXPECT_EQ(versions[0].wrapped_material, std::string("wrapped\x00-3", 9));

  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord v3, store_->GetKeyVersion("finance", "payroll", 3));
  EXPECT_EQ(v3.state, kVersionDestroyed);
  EXPECT_THAT(v3.wrapped_material, IsEmpty());
  EXPECT_EQ(v3.destroyed, Stored(SomeTime(70)));
  EXPECT_EQ(v3.destruction_id, id);
  EXPECT_EQ(v3.hsm_object_id, "hsm-3");
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord v1, store_->GetKeyVersion("finance", "payroll", 1));
  EXPECT_EQ(v1, v1_before);
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord v2, store_->GetKeyVersion("finance", "payroll", 2));
  EXPECT_EQ(v2, v2_before);
  {
    testing::RawSqlite raw(path_);
    EXPECT_EQ(raw.QueryInt("SELECT length(wrapped_material) FROM key_versions "
                           "WHERE key_name = 'payroll' AND version = 3"),
              0);
  }

  // Finishing is once: the request is no longer destroying.
  const absl::Status twice = store_->FinishDestruction(id, SomeTime(71)).status();
  EXPECT_EQ(twice.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(twice.message(), HasSubstr("is destroyed, not destroying"));
  // No request for a destroyed version; a new one for the key is allowed.
  EXPECT_EQ(CodeOf(store_->CreateDestruction(Request(3))), absl::StatusCode::kFailedPrecondition);
  YJ_EXPECT_OK(store_->CreateDestruction(Request(1)).status());
}

TEST_F(SqliteDestructionsTest, FinishOfAWholeKeyShredsEveryVersionNotYetDestroyed) {
  YJ_ASSERT_OK(store_->SetVersionState("finance", "payroll", 1, kVersionDestroyed).status());
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<KeyVersionRecord> before,
                          store_->ListKeyVersions("finance", "payroll"));
  ASSERT_EQ(before.size(), 3u);
  const int64_t id = Destroying(Request(0));

  YJ_ASSERT_OK_AND_ASSIGN(auto finished, store_->FinishDestruction(id, SomeTime(70)));
  const auto& [request, versions] = finished;
  EXPECT_EQ(request.state, kDestructionDestroyed);
  EXPECT_THAT(request.destroyed_versions, ElementsAre(2, 3));
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0], before[1]);
  EXPECT_EQ(versions[1], before[2]);
  EXPECT_EQ(versions[0].hsm_object_id, std::string("\x00hsm-2", 6));

  YJ_ASSERT_OK_AND_ASSIGN(std::vector<KeyVersionRecord> after,
                          store_->ListKeyVersions("finance", "payroll"));
  ASSERT_EQ(after.size(), 3u);
  // Version 1 was destroyed by SetVersionState: no time, no request.
  EXPECT_EQ(after[0], before[0]);
  EXPECT_EQ(after[0].destroyed, absl::InfinitePast());
  EXPECT_EQ(after[0].destruction_id, 0);
  for (int i : {1, 2}) {
    EXPECT_EQ(after[i].state, kVersionDestroyed);
    EXPECT_THAT(after[i].wrapped_material, IsEmpty());
    EXPECT_EQ(after[i].destroyed, Stored(SomeTime(70)));
    EXPECT_EQ(after[i].destruction_id, id);
  }
  // Other keys are untouched.
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord pensions,
                          store_->GetKeyVersion("finance", "pensions", 1));
  EXPECT_EQ(pensions.state, kVersionEnabled);
  EXPECT_EQ(pensions.wrapped_material, "wrapped-1");

  // Nothing is left to destroy.
  const absl::Status nothing_left = store_->CreateDestruction(Request(0)).status();
  EXPECT_EQ(nothing_left.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(nothing_left.message(), HasSubstr("every version of key finance/payroll"));
}

TEST_F(SqliteDestructionsTest, FinishNeedsAClaimedRequest) {
  const int64_t id = Scheduled(Request(3), SomeTime(40));
  const absl::Status status = store_->FinishDestruction(id, SomeTime(70)).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(),
              HasSubstr("destruction request 1 of finance/payroll is scheduled, not destroying"));
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord v3, store_->GetKeyVersion("finance", "payroll", 3));
  EXPECT_EQ(v3.state, kVersionDisabled);
  EXPECT_EQ(CodeOf(store_->FinishDestruction(99, SomeTime(70))), absl::StatusCode::kNotFound);
}

TEST_F(SqliteDestructionsTest, TheDestructionRecordIsStoredOnceAfterDestruction) {
  const int64_t id = Destroying(Request(3));
  const absl::Status early = store_->SetDestructionRecord(id, "{\"id\":1}", 12).status();
  EXPECT_EQ(early.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(early.message(), HasSubstr("is destroying, not destroyed"));
  YJ_ASSERT_OK(store_->FinishDestruction(id, SomeTime(70)).status());

  EXPECT_EQ(CodeOf(store_->SetDestructionRecord(id, "", 12)), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(store_->SetDestructionRecord(id, "{}", -1)), absl::StatusCode::kInvalidArgument);
  YJ_ASSERT_OK_AND_ASSIGN(DestructionRecord recorded,
                          store_->SetDestructionRecord(id, "{\"id\":1}", 12));
  EXPECT_EQ(recorded.record, "{\"id\":1}");
  EXPECT_EQ(recorded.record_index, 12);
  YJ_ASSERT_OK_AND_ASSIGN(DestructionRecord got, store_->GetDestruction(id));
  EXPECT_EQ(got, recorded);

  const absl::Status twice = store_->SetDestructionRecord(id, "{\"id\":2}", 13).status();
  EXPECT_EQ(twice.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(twice.message(), HasSubstr("already has its destruction record"));
  YJ_ASSERT_OK_AND_ASSIGN(got, store_->GetDestruction(id));
  EXPECT_EQ(got, recorded);

  // A cancelled request never gets one.
  YJ_ASSERT_OK_AND_ASSIGN(DestructionRecord other, store_->CreateDestruction(Request(1)));
  YJ_ASSERT_OK(store_->CancelDestruction(other.id, "kate", "keep it", SomeTime(80)).status());
  EXPECT_EQ(CodeOf(store_->SetDestructionRecord(other.id, "{}", 14)),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(SqliteDestructionsTest, AVersionWithAnOpenRequestCannotBecomePrimary) {
  YJ_ASSERT_OK(store_->SetVersionState("finance", "payroll", 3, kVersionEnabled).status());
  YJ_ASSERT_OK_AND_ASSIGN(DestructionRecord request, store_->CreateDestruction(Request(3)));
  for (int step = 0; step < 2; ++step) {
    const absl::Status status = store_->SetPrimaryVersion("finance", "payroll", 3).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(status.message(), HasSubstr("destruction request 1 of finance/payroll"));
    // Approved is still open.
    if (step == 0) {
      YJ_ASSERT_OK(store_->ApproveDestruction(request.id, "olga", SomeTime(20)).status());
    }
  }
  YJ_ASSERT_OK_AND_ASSIGN(KeyRecord key, store_->GetKey("finance", "payroll"));
  EXPECT_EQ(key.primary_version, 2);
  // Other versions of the key are not held.
  YJ_EXPECT_OK(store_->SetPrimaryVersion("finance", "payroll", 1).status());

  YJ_ASSERT_OK(
      store_->CancelDestruction(request.id, "kate", "still needed", SomeTime(21)).status());
  YJ_ASSERT_OK_AND_ASSIGN(key, store_->SetPrimaryVersion("finance", "payroll", 3));
  EXPECT_EQ(key.primary_version, 3);
}

TEST_F(SqliteDestructionsTest, AWholeKeyRequestDoesNotHoldThePrimary) {
  YJ_ASSERT_OK(store_->CreateDestruction(Request(0)).status());
  YJ_EXPECT_OK(store_->SetPrimaryVersion("finance", "payroll", 1).status());
}

TEST_F(SqliteDestructionsTest, ReplicasOpenOneRequestPerKey) {
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteStore> other, SqliteStore::Open(path_));
  constexpr int kPerStore = 4;
  std::vector<absl::Status> results(2 * kPerStore);
  std::vector<std::thread> threads;
  for (int i = 0; i < 2 * kPerStore; ++i) {
    SqliteStore* store = i < kPerStore ? store_.get() : other.get();
    threads.emplace_back([&results, store, i] {
      results[i] = store->CreateDestruction(Request(i % 2 == 0 ? 0 : 3)).status();
    });
  }
  for (std::thread& thread : threads) thread.join();
  int created = 0;
  for (const absl::Status& result : results) {
    if (result.ok()) {
      ++created;
    } else {
      EXPECT_EQ(result.code(), absl::StatusCode::kFailedPrecondition) << result;
    }
  }
  EXPECT_EQ(created, 1);
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<DestructionRecord> all, store_->ListDestructions({}));
  EXPECT_EQ(all.size(), 1u);
}

TEST_F(SqliteDestructionsTest, AStep4DatabaseUpgradesWithVersionsUntouched) {
  const std::string old_path = dir_->File("step4.db");
  {
    YJ_ASSERT_OK_AND_ASSIGN(
        std::unique_ptr<SqliteStore> old,
        SqliteStore::OpenWithMigrations(old_path, {}, SqliteMigrations().subspan(0, 4)));
    ASSERT_EQ(old->SchemaVersion(), 4);
    YJ_ASSERT_OK(old->CreateDepartment({.name = "finance", .created = SomeTime(0)}));
  }
  {
    // The rows a step-4 binary wrote: no destruction columns yet.
    testing::RawSqlite raw(old_path);
    ASSERT_TRUE(raw.Exec(
        "INSERT INTO keys (department, name, kind, protection_level, primary_version, "
        "last_version, description, created_us) VALUES ('finance', 'payroll', 'aes256-gcm', "
        "'software', 2, 2, 'an old key', 1700000002123456)"));
    ASSERT_TRUE(raw.Exec(
        "INSERT INTO key_versions (department, key_name, version, state, wrapped_material, "
        "hsm_object_id, public_key_spki, root_key_id, created_us) VALUES "
        "('finance', 'payroll', 1, 'destroyed', x'', x'6f31', x'', x'01', 1700000003123456), "
        "('finance', 'payroll', 2, 'enabled', x'6d32', x'', x'', x'01', 1700000004123456)"));
    EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM sqlite_master WHERE name = 'destructions'"), 0);
  }
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteStore> upgraded, SqliteStore::Open(old_path));
  EXPECT_EQ(upgraded->SchemaVersion(), static_cast<int32_t>(SqliteMigrations().size()));
  EXPECT_GE(upgraded->SchemaVersion(), 5);

  YJ_ASSERT_OK_AND_ASSIGN(std::vector<KeyVersionRecord> versions,
                          upgraded->ListKeyVersions("finance", "payroll"));
  ASSERT_EQ(versions.size(), 2u);
  const KeyVersionRecord want_v1{.department = "finance",
                                 .key = "payroll",
                                 .version = 1,
                                 .state = kVersionDestroyed,
                                 .hsm_object_id = "o1",
                                 .root_key_id = "\x01",
                                 .created = absl::FromUnixMicros(1700000003123456)};
  EXPECT_EQ(versions[0], want_v1);
  EXPECT_EQ(versions[0].destroyed, absl::InfinitePast());
  EXPECT_EQ(versions[0].destruction_id, 0);
  EXPECT_EQ(versions[1].wrapped_material, "m2");
  EXPECT_EQ(versions[1].destroyed, absl::InfinitePast());
  EXPECT_EQ(versions[1].destruction_id, 0);

  // New versions after the upgrade read the same way, and destruction works on the old key.
  YJ_ASSERT_OK_AND_ASSIGN(
      KeyVersionRecord v3,
      upgraded->AddKeyVersion("finance", "payroll",
                              {.state = kVersionEnabled, .wrapped_material = "m3"}, false));
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord v3_read,
                          upgraded->GetKeyVersion("finance", "payroll", 3));
  EXPECT_EQ(v3_read, v3);
  EXPECT_EQ(v3_read.destroyed, absl::InfinitePast());
  YJ_ASSERT_OK_AND_ASSIGN(DestructionRecord request, upgraded->CreateDestruction(Request(3)));
  EXPECT_EQ(request.id, 1);

  testing::RawSqlite raw(old_path);
  EXPECT_EQ(raw.QueryText("SELECT name FROM schema_migrations WHERE version = 5"),
            "key_destruction");
}

TEST_F(SqliteDestructionsTest, NewVersionsIgnoreGivenDestructionFields) {
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord added, store_->AddKeyVersion("finance", "pensions",
                                                                        {.state = kVersionEnabled,
                                                                         .wrapped_material = "w",
                                                                         .destroyed = SomeTime(5),
                                                                         .destruction_id = 7},
                                                                        false));
  EXPECT_EQ(added.destroyed, absl::InfinitePast());
  EXPECT_EQ(added.destruction_id, 0);
  YJ_ASSERT_OK_AND_ASSIGN(KeyVersionRecord got, store_->GetKeyVersion("finance", "pensions", 2));
  EXPECT_EQ(got, added);
}

}  // namespace
}  // namespace yinjian::store
