// The store's key lifecycle fields (schema step 4): minimum decrypt version, rotation schedule,
// due rotations and the compare-and-swap that keeps replicas from rotating twice.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "absl/time/clock.h"
#include "service/store/sqlite_store.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::store {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1800000000);

class SqliteLifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = yinjian::testing::TempDir::Create();
    ASSERT_TRUE(dir.ok());
    dir_ = std::make_unique<yinjian::testing::TempDir>(std::move(*dir));
    auto store = SqliteStore::Open(Path());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    YJ_ASSERT_OK(store_->CreateDepartment({.name = "finance",
                                           .display_name = "",
                                           .token_label = "",
                                           .root_key_id = "r",
                                           .created = kT0}));
  }
  std::string Path() const { return dir_->File("lifecycle.db"); }

  KeyRecord NewKey(const std::string& name, absl::Duration period) {
    KeyRecord key{.department = "finance",
                  .name = name,
                  .kind = "aes256-gcm",
                  .protection_level = "hsm",
                  .description = "",
                  .created = kT0};
    key.rotation_period = period;
    key.next_rotation = period > absl::ZeroDuration() ? kT0 + period : absl::InfiniteFuture();
    absl::StatusOr<KeyRecord> created = store_->CreateKey(
        key,
        {.state = kVersionEnabled, .wrapped_material = "w", .root_key_id = "r", .created = kT0});
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? *created : KeyRecord{};
  }

  std::unique_ptr<yinjian::testing::TempDir> dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteLifecycleTest, NewKeysCarryTheirScheduleAndNoFloor) {
  KeyRecord rotating = NewKey("rotating", absl::Hours(24 * 90));
  EXPECT_EQ(rotating.rotation_period, absl::Hours(24 * 90));
  EXPECT_EQ(rotating.next_rotation, kT0 + absl::Hours(24 * 90));
  EXPECT_EQ(rotating.min_decrypt_version, 0);
  YJ_ASSERT_OK_AND_ASSIGN(KeyRecord read, store_->GetKey("finance", "rotating"));
  EXPECT_EQ(read, rotating);
  KeyRecord fixed = NewKey("fixed", absl::ZeroDuration());
  EXPECT_EQ(fixed.next_rotation, absl::InfiniteFuture());
}

TEST_F(SqliteLifecycleTest, MinDecryptVersionStaysWithinTheVersions) {
  NewKey("k", absl::ZeroDuration());
  YJ_ASSERT_OK(store_
                   ->AddKeyVersion("finance", "k",
                                   {.state = kVersionEnabled,
                                    .wrapped_material = "w2",
                                    .root_key_id = "r",
                                    .created = kT0},
                                   /*make_primary=*/true)
                   .status());
  YJ_ASSERT_OK_AND_ASSIGN(KeyRecord raised, store_->SetMinDecryptVersion("finance", "k", 2));
  EXPECT_EQ(raised.min_decrypt_version, 2);
  EXPECT_EQ(store_->SetMinDecryptVersion("finance", "k", 3).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->SetMinDecryptVersion("finance", "k", -1).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->SetMinDecryptVersion("finance", "none", 1).status().code(),
            absl::StatusCode::kNotFound);
  // The primary cannot go below the floor: it would encrypt what it refuses to decrypt.
  EXPECT_EQ(store_->SetPrimaryVersion("finance", "k", 1).status().code(),
            absl::StatusCode::kFailedPrecondition);
  YJ_ASSERT_OK_AND_ASSIGN(KeyRecord lowered, store_->SetMinDecryptVersion("finance", "k", 0));
  YJ_EXPECT_OK(store_->SetPrimaryVersion("finance", "k", 1).status());
  EXPECT_EQ(lowered.min_decrypt_version, 0);
}

TEST_F(SqliteLifecycleTest, DueRotationsAreListedSoonestFirst) {
  NewKey("daily", absl::Hours(24));
  NewKey("hourly", absl::Hours(1));
  NewKey("never", absl::ZeroDuration());
  YJ_ASSERT_OK_AND_ASSIGN(auto none, store_->ListDueRotations(kT0, 10));
  EXPECT_TRUE(none.empty());
  YJ_ASSERT_OK_AND_ASSIGN(auto one, store_->ListDueRotations(kT0 + absl::Hours(1), 10));
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].name, "hourly");
  YJ_ASSERT_OK_AND_ASSIGN(auto both, store_->ListDueRotations(kT0 + absl::Hours(48), 10));
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].name, "hourly");
  EXPECT_EQ(both[1].name, "daily");
  YJ_ASSERT_OK_AND_ASSIGN(auto limited, store_->ListDueRotations(kT0 + absl::Hours(48), 1));
  EXPECT_EQ(limited.size(), 1u);
  // Switching rotation off takes the key out of the schedule.
  YJ_ASSERT_OK(
      store_->SetRotationSchedule("finance", "hourly", absl::ZeroDuration(), absl::InfiniteFuture())
          .status());
  YJ_ASSERT_OK_AND_ASSIGN(auto after, store_->ListDueRotations(kT0 + absl::Hours(48), 10));
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].name, "daily");
  EXPECT_EQ(store_->SetRotationSchedule("finance", "daily", absl::Seconds(-1), kT0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(SqliteLifecycleTest, OnlyOneReplicaClaimsADueRotation) {
  KeyRecord key = NewKey("contended", absl::Hours(1));
  auto second = SqliteStore::Open(Path());
  ASSERT_TRUE(second.ok()) << second.status();
  std::atomic<int> claims{0};
  std::vector<std::thread> replicas;
  for (int i = 0; i < 6; ++i) {
    Store* store = i % 2 == 0 ? static_cast<Store*>(store_.get()) : second->get();
    replicas.emplace_back([&, store] {
      absl::StatusOr<bool> claimed = store->ClaimRotation("finance", "contended", key.next_rotation,
                                                          key.next_rotation + absl::Hours(1));
      EXPECT_TRUE(claimed.ok()) << claimed.status();
      if (claimed.ok() && *claimed) ++claims;
    });
  }
  for (std::thread& replica : replicas) replica.join();
  EXPECT_EQ(claims.load(), 1);
  YJ_ASSERT_OK_AND_ASSIGN(KeyRecord after, store_->GetKey("finance", "contended"));
  EXPECT_EQ(after.next_rotation, key.next_rotation + absl::Hours(1));
}

}  // namespace
}  // namespace yinjian::store
