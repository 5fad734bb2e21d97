// SqliteStore's destruction requests (R11, schema step 5): creating them, approvals, the witness,
// cancellation, listing, one open request per key across replicas, and the SetPrimaryVersion
// guard, on real database files. What the executor does with them is in
// sqlite_destruction_execution_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "service/store/records.h"
#include "service/store/sqlite_migrations.h"
#include "service/store/sqlite_store.h"
#include "tests/service/store/destruction_fixture.h"
#include "tests/service/store/raw_sqlite.h"
#include "tests/support/status_test_macros.h"

namespace yinjian::store::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

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

}  // namespace
}  // namespace yinjian::store::testing
