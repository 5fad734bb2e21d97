// SqliteStore's side of carrying out a destruction (R11, schema step 5): the executor's due list,
// the claim, finishing (which shreds the versions), the destruction record, and the upgrade of a
// step-4 database, on real database files.
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
}  // namespace yinjian::store::testing
