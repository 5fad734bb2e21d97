// SqliteStore's grants (R5, R6): creation, approval, revocation, use counting across replicas,
// and the queries the decision engine and the API use, on a real database file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "service/store/records.h"
#include "service/store/sqlite_store.h"
#include "tests/service/store/record_printers.h"
#include "tests/service/store/store_test_util.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::yinjian::store::testing::Ids;

// Sub-microsecond times prove that records come back as stored, not as given.
absl::Time SomeTime(int64_t seconds) {
  return absl::FromUnixSeconds(1700000000 + seconds) + absl::Nanoseconds(123456789);
}
absl::Time Stored(absl::Time t) { return absl::FromUnixMicros(absl::ToUnixMicros(t)); }

// A grant of tax/payroll to health's alice, for decryption, expiring at SomeTime(1000).
GrantRecord AliceGrant() {
  return {.key_department = "tax",
          .key_name = "payroll",
          .grantee_principal = "alice",
          .grantee_department = "health",
          .operations = {"decrypt", "encrypt"},
          .purposes = {"payroll-run", "audit sample"},
          .expires = SomeTime(1000),
          .max_uses = 0,
          .required_approvals = 1,
          .justification = "monthly payroll run",
          .requested_by = "alice",
          .requested = SomeTime(50)};
}

// A department-wide grant of `key` (of tax) to `department`.
GrantRecord DepartmentGrant(const std::string& department, const std::string& key = "payroll") {
  GrantRecord grant = AliceGrant();
  grant.key_name = key;
  grant.grantee_principal = "";
  grant.grantee_department = department;
  return grant;
}

class SqliteGrantsTest : public ::yinjian::store::testing::StoreFileTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StoreFileTest::SetUp());
    for (const char* name : {"tax", "health", "police"}) {
      YJ_ASSERT_OK(store_->CreateDepartment({.name = name, .created = SomeTime(0)}));
    }
    for (const char* key : {"payroll", "pensions"}) {
      YJ_ASSERT_OK(store_
                       ->CreateKey({.department = "tax",
                                    .name = key,
                                    .kind = "aes256-gcm",
                                    .protection_level = "software",
                                    .sharing_class = "conditional"},
                                   {.state = kVersionEnabled, .wrapped_material = "wrapped"})
                       .status());
    }
    for (const auto& [name, department] : {std::pair<const char*, const char*>{"alice", "health"},
                                           {"bob", "health"},
                                           {"carol", "police"}}) {
      YJ_ASSERT_OK(store_->CreatePrincipal({.name = name,
                                            .department = department,
                                            .roles = {"application"},
                                            .state = kPrincipalEnabled,
                                            .created = SomeTime(1)}));
    }
  }

  // Creates `grant` and approves it with required_approvals distinct officers.
  int64_t ActiveGrant(const GrantRecord& grant) {
    absl::StatusOr<GrantRecord> created = store_->CreateGrant(grant);
    EXPECT_TRUE(created.ok()) << created.status();
    if (!created.ok()) return 0;
    for (int i = 0; i < grant.required_approvals; ++i) {
      absl::StatusOr<GrantRecord> approved =
          store_->ApproveGrant(created->id, absl::StrCat("officer-", i), SomeTime(60));
      EXPECT_TRUE(approved.ok()) << approved.status();
    }
    return created->id;
  }
};

TEST_F(SqliteGrantsTest, CreateStoresAPendingGrantAndRoundTripsEveryField) {
  GrantRecord given = AliceGrant();
  given.max_uses = 7;
  given.required_approvals = 2;
  // What the store decides itself is ignored.
  given.id = 99;
  given.uses = 5;
  given.state = kGrantActive;
  given.approved_by = {"mallory"};
  given.activated = SomeTime(51);
  given.revoked_by = "mallory";
  given.revoke_reason = "because";
  given.revoked = SomeTime(52);
  YJ_ASSERT_OK_AND_ASSIGN(GrantRecord created, store_->CreateGrant(given));

  GrantRecord want = AliceGrant();
  want.id = 1;
  want.max_uses = 7;
  want.required_approvals = 2;
  want.state = kGrantPending;
  want.expires = Stored(want.expires);
  want.requested = Stored(want.requested);
  EXPECT_EQ(created, want);
  EXPECT_EQ(created.activated, absl::InfinitePast());
  EXPECT_EQ(created.revoked, absl::InfinitePast());
  YJ_ASSERT_OK_AND_ASSIGN(GrantRecord got, store_->GetGrant(created.id));
  EXPECT_EQ(got, want);

  // Ids count up; an unbounded expiry comes back exactly.
  GrantRecord forever = DepartmentGrant("police");
  forever.expires = absl::InfiniteFuture();
  forever.operations = {};
  forever.purposes = {};
  YJ_ASSERT_OK_AND_ASSIGN(GrantRecord second, store_->CreateGrant(forever));
  EXPECT_EQ(second.id, 2);
  YJ_ASSERT_OK_AND_ASSIGN(got, store_->GetGrant(2));
  EXPECT_EQ(got, second);
  EXPECT_EQ(got.expires, absl::InfiniteFuture());
  EXPECT_THAT(got.operations, IsEmpty());
  EXPECT_EQ(got.grantee_principal, "");
}

TEST_F(SqliteGrantsTest, CreateGrantErrorsStoreNothing) {
  auto create_code = [&](const GrantRecord& grant) {
    return store_->CreateGrant(grant).status().code();
  };
  GrantRecord grant = AliceGrant();
  grant.key_name = "ghost";
  EXPECT_EQ(create_code(grant), absl::StatusCode::kNotFound);
  grant = AliceGrant();
  grant.key_department = "nowhere";
  EXPECT_EQ(create_code(grant), absl::StatusCode::kNotFound);
  grant = AliceGrant();
  grant.grantee_principal = "ghost";
  EXPECT_EQ(create_code(grant), absl::StatusCode::kNotFound);
  grant = DepartmentGrant("nowhere");
  EXPECT_EQ(create_code(grant), absl::StatusCode::kNotFound);

  grant = AliceGrant();
  grant.key_department = "";
  EXPECT_EQ(create_code(grant), absl::StatusCode::kInvalidArgument);
  grant = AliceGrant();
  grant.key_name = "";
  EXPECT_EQ(create_code(grant), absl::StatusCode::kInvalidArgument);
  grant = AliceGrant();
  grant.grantee_department = "";
  EXPECT_EQ(create_code(grant), absl::StatusCode::kInvalidArgument);
  grant = AliceGrant();
  grant.grantee_department = "police";  // alice is health's
  EXPECT_EQ(create_code(grant), absl::StatusCode::kInvalidArgument);
  grant = AliceGrant();
  grant.max_uses = -1;
  EXPECT_EQ(create_code(grant), absl::StatusCode::kInvalidArgument);
  grant = AliceGrant();
  grant.required_approvals = 0;
  EXPECT_EQ(create_code(grant), absl::StatusCode::kInvalidArgument);
  grant = AliceGrant();
  grant.operations = {"decrypt", ""};
  EXPECT_EQ(create_code(grant), absl::StatusCode::kInvalidArgument);
  grant = AliceGrant();
  grant.purposes = {"two\nlines"};
  EXPECT_EQ(create_code(grant), absl::StatusCode::kInvalidArgument);

  YJ_ASSERT_OK_AND_ASSIGN(std::vector<GrantRecord> none, store_->ListGrants({}));
  EXPECT_THAT(none, IsEmpty());
  // The failures used up no id.
  YJ_ASSERT_OK_AND_ASSIGN(GrantRecord first, store_->CreateGrant(AliceGrant()));
  EXPECT_EQ(first.id, 1);
  EXPECT_EQ(store_->GetGrant(2).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetGrant(0).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(SqliteGrantsTest, ApprovalsActivateOnceEnoughDistinctOfficersApproved) {
  GrantRecord grant = AliceGrant();
  grant.required_approvals = 2;
  YJ_ASSERT_OK_AND_ASSIGN(GrantRecord created, store_->CreateGrant(grant));

  YJ_ASSERT_OK_AND_ASSIGN(GrantRecord once,
                          store_->ApproveGrant(created.id, "officer-a", SomeTime(60)));
  EXPECT_EQ(once.state, kGrantPending);
  EXPECT_THAT(once.approved_by, ElementsAre("officer-a"));
  EXPECT_EQ(once.activated, absl::InfinitePast());
  YJ_ASSERT_OK_AND_ASSIGN(GrantRecord got, store_->GetGrant(created.id));
  EXPECT_EQ(got, once);

  const absl::Status twice = store_->ApproveGrant(created.id, "officer-a", SomeTime(61)).status();
  EXPECT_EQ(twice.code(), absl::StatusCode::kFailedPrecondition) << twice;
  EXPECT_THAT(twice.message(), HasSubstr("officer-a"));
  YJ_ASSERT_OK_AND_ASSIGN(got, store_->GetGrant(created.id));
  EXPECT_EQ(got, once);

  YJ_ASSERT_OK_AND_ASSIGN(GrantRecord active,
                          store_->ApproveGrant(created.id, "officer-b", SomeTime(62)));
  EXPECT_EQ(active.state, kGrantActive);
  EXPECT_THAT(active.approved_by, ElementsAre("officer-a", "officer-b"));
  EXPECT_EQ(active.activated, Stored(SomeTime(62)));
  YJ_ASSERT_OK_AND_ASSIGN(got, store_->GetGrant(created.id));
  EXPECT_EQ(got, active);

  // Only pending grants take approvals.
  EXPECT_EQ(store_->ApproveGrant(created.id, "officer-c", SomeTime(63)).status().code(),
            absl::StatusCode::kFailedPrecondition);
  YJ_ASSERT_OK_AND_ASSIGN(GrantRecord pending, store_->CreateGrant(AliceGrant()));
  YJ_ASSERT_OK(store_->RevokeGrant(pending.id, "officer-a", "no", SomeTime(64)).status());
  EXPECT_EQ(store_->ApproveGrant(pending.id, "officer-a", SomeTime(65)).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(SqliteGrantsTest, OneRequiredApprovalActivatesAtOnce) {
  YJ_ASSERT_OK_AND_ASSIGN(GrantRecord created, store_->CreateGrant(AliceGrant()));
  YJ_ASSERT_OK_AND_ASSIGN(GrantRecord active,
                          store_->ApproveGrant(created.id, "officer", SomeTime(70)));
  EXPECT_EQ(active.state, kGrantActive);
  EXPECT_EQ(active.activated, Stored(SomeTime(70)));
}

TEST_F(SqliteGrantsTest, ApproveGrantArgumentErrors) {
  YJ_ASSERT_OK_AND_ASSIGN(GrantRecord created, store_->CreateGrant(AliceGrant()));
  EXPECT_EQ(store_->ApproveGrant(created.id, "", SomeTime(60)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ApproveGrant(created.id, "a\nb", SomeTime(60)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ApproveGrant(42, "officer", SomeTime(60)).status().code(),
            absl::StatusCode::kNotFound);
  YJ_ASSERT_OK_AND_ASSIGN(GrantRecord got, store_->GetGrant(created.id));
  EXPECT_THAT(got.approved_by, IsEmpty());
}

TEST_F(SqliteGrantsTest, RevokeOnceFromPendingOrActive) {
  YJ_ASSERT_OK_AND_ASSIGN(GrantRecord pending, store_->CreateGrant(AliceGrant()));
  YJ_ASSERT_OK_AND_ASSIGN(GrantRecord revoked,
                          store_->RevokeGrant(pending.id, "officer", "not needed", SomeTime(80)));
  GrantRecord want = pending;
  want.state = kGrantRevoked;
  want.revoked_by = "officer";
  want.revoke_reason = "not needed";
  want.revoked = Stored(SomeTime(80));
  EXPECT_EQ(revoked, want);
  YJ_ASSERT_OK_AND_ASSIGN(GrantRecord got, store_->GetGrant(pending.id));
  EXPECT_EQ(got, want);

  const absl::Status again =
      store_->RevokeGrant(pending.id, "someone", "again", SomeTime(81)).status();
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition) << again;
  YJ_ASSERT_OK_AND_ASSIGN(got, store_->GetGrant(pending.id));
  EXPECT_EQ(got, want);

  const int64_t active = ActiveGrant(AliceGrant());
  YJ_ASSERT_OK_AND_ASSIGN(revoked, store_->RevokeGrant(active, "officer", "ended", SomeTime(82)));
  EXPECT_EQ(revoked.state, kGrantRevoked);
  EXPECT_EQ(revoked.activated, Stored(SomeTime(60)));  // history stays
  EXPECT_EQ(store_->RevokeGrant(42, "officer", "x", SomeTime(83)).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(SqliteGrantsTest, ConsumeCountsUpToMaxUsesThenRefusesWithoutCounting) {
  GrantRecord limited = AliceGrant();
  limited.max_uses = 3;
  const int64_t id = ActiveGrant(limited);
  for (int64_t use = 1; use <= 3; ++use) {
    YJ_ASSERT_OK_AND_ASSIGN(GrantRecord counted, store_->ConsumeGrantUse(id, SomeTime(100)));
    EXPECT_EQ(counted.uses, use);
    YJ_ASSERT_OK_AND_ASSIGN(GrantRecord got, store_->GetGrant(id));
    EXPECT_EQ(got, counted);
  }
  for (int i = 0; i < 2; ++i) {
    const absl::Status exhausted = store_->ConsumeGrantUse(id, SomeTime(100)).status();
    EXPECT_EQ(exhausted.code(), absl::StatusCode::kFailedPrecondition) << exhausted;
  }
  YJ_ASSERT_OK_AND_ASSIGN(GrantRecord got, store_->GetGrant(id));
  EXPECT_EQ(got.uses, 3);
  EXPECT_EQ(got.state, kGrantActive);
}

TEST_F(SqliteGrantsTest, ConsumeWorksForUnlimitedGrants) {
  const int64_t id = ActiveGrant(AliceGrant());
  for (int64_t use = 1; use <= 5; ++use) {
    YJ_ASSERT_OK_AND_ASSIGN(GrantRecord counted, store_->ConsumeGrantUse(id, SomeTime(100)));
    EXPECT_EQ(counted.uses, use);
  }
}

TEST_F(SqliteGrantsTest, ConsumeRefusesGrantsThatAreNotUsable) {
  GrantRecord limited = AliceGrant();
  limited.max_uses = 10;
  YJ_ASSERT_OK_AND_ASSIGN(GrantRecord pending, store_->CreateGrant(limited));
  EXPECT_EQ(store_->ConsumeGrantUse(pending.id, SomeTime(100)).status().code(),
            absl::StatusCode::kFailedPrecondition);

  const int64_t revoked = ActiveGrant(limited);
  YJ_ASSERT_OK(store_->RevokeGrant(revoked, "officer", "ended", SomeTime(90)).status());
  EXPECT_EQ(store_->ConsumeGrantUse(revoked, SomeTime(100)).status().code(),
            absl::StatusCode::kFailedPrecondition);

  // Expiry is at the stored microsecond: usable before it, expired from it on.
  const int64_t expiring = ActiveGrant(limited);
  const absl::Time expires = Stored(limited.expires);
  YJ_ASSERT_OK(store_->ConsumeGrantUse(expiring, expires - absl::Microseconds(1)).status());
  const absl::Status expired = store_->ConsumeGrantUse(expiring, expires).status();
  EXPECT_EQ(expired.code(), absl::StatusCode::kFailedPrecondition) << expired;
  EXPECT_THAT(expired.message(), HasSubstr("expired"));
  EXPECT_EQ(store_->ConsumeGrantUse(expiring, SomeTime(5000)).status().code(),
            absl::StatusCode::kFailedPrecondition);

  for (int64_t id : {pending.id, revoked}) {
    YJ_ASSERT_OK_AND_ASSIGN(GrantRecord got, store_->GetGrant(id));
    EXPECT_EQ(got.uses, 0) << "grant " << id;
  }
  YJ_ASSERT_OK_AND_ASSIGN(GrantRecord got, store_->GetGrant(expiring));
  EXPECT_EQ(got.uses, 1);
  EXPECT_EQ(store_->ConsumeGrantUse(42, SomeTime(100)).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(SqliteGrantsTest, ConcurrentConsumesOnTwoReplicasNeverExceedMaxUses) {
  constexpr int64_t kMaxUses = 25;
  constexpr int kThreadsPerStore = 3;
  constexpr int kAttemptsPerThread = 15;  // 90 attempts for 25 uses
  GrantRecord limited = AliceGrant();
  limited.max_uses = kMaxUses;
  const int64_t id = ActiveGrant(limited);
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteStore> replica, SqliteStore::Open(path_));

  absl::Mutex mu;
  int successes = 0;
  std::vector<int64_t> counts;
  std::vector<absl::Status> unexpected;
  std::vector<std::thread> threads;
  for (SqliteStore* store : {store_.get(), replica.get()}) {
    for (int t = 0; t < kThreadsPerStore; ++t) {
      threads.emplace_back([&, store] {
        for (int i = 0; i < kAttemptsPerThread; ++i) {
          absl::StatusOr<GrantRecord> used = store->ConsumeGrantUse(id, SomeTime(100));
          absl::MutexLock lock(&mu);
          if (used.ok()) {
            ++successes;
            counts.push_back(used->uses);
          } else if (used.status().code() != absl::StatusCode::kFailedPrecondition) {
            unexpected.push_back(used.status());
          }
        }
      });
    }
  }
  for (std::thread& thread : threads) thread.join();
  for (const absl::Status& status : unexpected) ADD_FAILURE() << status;
  EXPECT_EQ(successes, kMaxUses);
  // Every count 1 .. max_uses was handed out exactly once.
  std::sort(counts.begin(), counts.end());
  for (int64_t i = 0; i < static_cast<int64_t>(counts.size()); ++i) EXPECT_EQ(counts[i], i + 1);
  YJ_ASSERT_OK_AND_ASSIGN(GrantRecord seen_by_replica, replica->GetGrant(id));
  EXPECT_EQ(seen_by_replica.uses, kMaxUses);
}

TEST_F(SqliteGrantsTest, GrantsForCallerAreThePrincipalsAndItsDepartmentsOnThatKey) {
  const int64_t to_alice = ActiveGrant(AliceGrant());
  GrantRecord bobs = AliceGrant();
  bobs.grantee_principal = "bob";
  const int64_t to_bob = ActiveGrant(bobs);
  const int64_t to_health = ActiveGrant(DepartmentGrant("health"));
  const int64_t to_police = ActiveGrant(DepartmentGrant("police"));
  GrantRecord other_key = AliceGrant();
  other_key.key_name = "pensions";
  const int64_t alice_other_key = ActiveGrant(other_key);
  const int64_t health_other_key = ActiveGrant(DepartmentGrant("health", "pensions"));
  // Every state counts: the decision engine explains pending and revoked grants too.
  YJ_ASSERT_OK_AND_ASSIGN(GrantRecord pending, store_->CreateGrant(AliceGrant()));
  const int64_t revoked = ActiveGrant(DepartmentGrant("health"));
  YJ_ASSERT_OK(store_->RevokeGrant(revoked, "officer", "ended", SomeTime(90)).status());

  YJ_ASSERT_OK_AND_ASSIGN(std::vector<GrantRecord> alice,
                          store_->GrantsForCaller("tax", "payroll", "alice", "health"));
  EXPECT_THAT(Ids(alice), ElementsAre(to_alice, to_health, pending.id, revoked));
  YJ_ASSERT_OK_AND_ASSIGN(GrantRecord stored, store_->GetGrant(to_alice));
  EXPECT_EQ(alice[0], stored);

  YJ_ASSERT_OK_AND_ASSIGN(std::vector<GrantRecord> bob,
                          store_->GrantsForCaller("tax", "payroll", "bob", "health"));
  EXPECT_THAT(Ids(bob), ElementsAre(to_bob, to_health, revoked));
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<GrantRecord> carol,
                          store_->GrantsForCaller("tax", "payroll", "carol", "police"));
  EXPECT_THAT(Ids(carol), ElementsAre(to_police));
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<GrantRecord> pensions,
                          store_->GrantsForCaller("tax", "pensions", "alice", "health"));
  EXPECT_THAT(Ids(pensions), ElementsAre(alice_other_key, health_other_key));
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<GrantRecord> owner,
                          store_->GrantsForCaller("tax", "payroll", "taxman", "tax"));
  EXPECT_THAT(owner, IsEmpty());

  EXPECT_EQ(store_->GrantsForCaller("tax", "ghost", "alice", "health").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GrantsForCaller("", "payroll", "alice", "health").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GrantsForCaller("tax", "", "alice", "health").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(SqliteGrantsTest, ListGrantsFiltersOnEveryField) {
  const int64_t alice_payroll = ActiveGrant(AliceGrant());  // requested by alice
  GrantRecord bobs = AliceGrant();
  bobs.grantee_principal = "bob";
  bobs.requested_by = "bob";
  YJ_ASSERT_OK_AND_ASSIGN(GrantRecord bob_payroll, store_->CreateGrant(bobs));  // pending
  GrantRecord police = DepartmentGrant("police", "pensions");
  police.requested_by = "carol";
  const int64_t police_pensions = ActiveGrant(police);
  YJ_ASSERT_OK(store_->RevokeGrant(police_pensions, "officer", "ended", SomeTime(90)).status());

  auto ids = [&](const GrantFilter& filter) {
    absl::StatusOr<std::vector<GrantRecord>> grants = store_->ListGrants(filter);
    EXPECT_TRUE(grants.ok()) << grants.status();
    return grants.ok() ? Ids(*grants) : std::vector<int64_t>{-1};
  };
  EXPECT_THAT(ids({}), ElementsAre(alice_payroll, bob_payroll.id, police_pensions));
  EXPECT_THAT(ids({.key_department = "tax"}),
              ElementsAre(alice_payroll, bob_payroll.id, police_pensions));
  EXPECT_THAT(ids({.key_department = "health"}), IsEmpty());
  EXPECT_THAT(ids({.key_name = "pensions"}), ElementsAre(police_pensions));
  EXPECT_THAT(ids({.key_department = "tax", .key_name = "payroll"}),
              ElementsAre(alice_payroll, bob_payroll.id));
  EXPECT_THAT(ids({.grantee_principal = "bob"}), ElementsAre(bob_payroll.id));
  EXPECT_THAT(ids({.grantee_department = "health"}), ElementsAre(alice_payroll, bob_payroll.id));
  EXPECT_THAT(ids({.grantee_department = "police"}), ElementsAre(police_pensions));
  EXPECT_THAT(ids({.requested_by = "carol"}), ElementsAre(police_pensions));
  EXPECT_THAT(ids({.state = kGrantPending}), ElementsAre(bob_payroll.id));
  EXPECT_THAT(ids({.state = kGrantActive}), ElementsAre(alice_payroll));
  EXPECT_THAT(ids({.state = kGrantRevoked}), ElementsAre(police_pensions));
  EXPECT_THAT(ids({.grantee_department = "health", .requested_by = "alice", .state = kGrantActive}),
              ElementsAre(alice_payroll));
  EXPECT_THAT(ids({.grantee_department = "health", .state = kGrantRevoked}), IsEmpty());

  YJ_ASSERT_OK_AND_ASSIGN(std::vector<GrantRecord> listed,
                          store_->ListGrants({.grantee_principal = "bob"}));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0], bob_payroll);
  EXPECT_EQ(store_->ListGrants({.state = "expired"}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(SqliteGrantsTest, GrantsSurviveReopen) {
  GrantRecord limited = AliceGrant();
  limited.max_uses = 4;
  limited.required_approvals = 2;
  const int64_t id = ActiveGrant(limited);
  YJ_ASSERT_OK(store_->ConsumeGrantUse(id, SomeTime(100)).status());
  YJ_ASSERT_OK_AND_ASSIGN(GrantRecord before, store_->GetGrant(id));
  store_.reset();
  YJ_ASSERT_OK_AND_ASSIGN(store_, SqliteStore::Open(path_));
  YJ_ASSERT_OK_AND_ASSIGN(GrantRecord after, store_->GetGrant(id));
  EXPECT_EQ(after, before);
  EXPECT_THAT(after.approved_by, ElementsAre("officer-0", "officer-1"));
  EXPECT_EQ(after.uses, 1);
}

}  // namespace
}  // namespace yinjian::store
