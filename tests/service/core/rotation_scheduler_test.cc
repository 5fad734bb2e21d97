// Automatic rotation with an injectable clock, on a real SoftHSM token and SQLite file: due keys
// get one new primary version per period, old ciphertexts keep decrypting, the schedule survives
// a restart, and two replicas on one store never rotate a key twice for one period.
#include "service/core/rotation_scheduler.h"

#include <gtest/gtest.h>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "service/core/encryption_service.h"
#include "service/store/sqlite_store.h"
#include "tests/service/core/lifecycle_fixture.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::core {
namespace {

class RotationSchedulerTest : public testing::LifecycleTest {
 protected:
  RotationSchedulerTest() : LifecycleTest("dept") {}
  void DropWorkers() override { scheduler_.reset(); }
  void MakeWorkers() override { scheduler_ = NewScheduler(*store_, *manager_, *resolver_); }
  absl::Status Open() { return Reopen(); }

  std::unique_ptr<RotationScheduler> NewScheduler(store::Store& store, KeyManager& manager,
                                                  KeyResolver& resolver) {
    return std::make_unique<RotationScheduler>(store, manager, resolver, Clock(),
                                               [this](const RotationEvent& event) {
                                                 absl::MutexLock lock(&mu_);
                                                 events_.push_back(event);
                                               });
  }

  std::unique_ptr<RotationScheduler> scheduler_;
  absl::Mutex mu_;
  std::vector<RotationEvent> events_;
};

TEST_F(RotationSchedulerTest, RotatesOncePerPeriodAndOldVersionsStillDecrypt) {
  const absl::Time created = absl::Now();
  YJ_ASSERT_OK(manager_
                   ->CreateKey(Name("invoices"), keys::KeyKind::kAes256Gcm, std::nullopt, "", {},
                               absl::Hours(24))
                   .status());
  EncryptionService encryption(*resolver_);
  YJ_ASSERT_OK_AND_ASSIGN(EncryptResult before,
                          encryption.Encrypt(Name("invoices"), "invoice 1", {}));
  EXPECT_EQ(before.key_version.version, 1);

  SetNow(created + absl::Hours(23));
  YJ_ASSERT_OK_AND_ASSIGN(int early, scheduler_->RunOnce());
  EXPECT_EQ(early, 0);

  SetNow(created + absl::Hours(25));
  YJ_ASSERT_OK_AND_ASSIGN(int first, scheduler_->RunOnce());
  EXPECT_EQ(first, 1);
  YJ_ASSERT_OK_AND_ASSIGN(int again, scheduler_->RunOnce());
  EXPECT_EQ(again, 0) << "rotated twice in one period";
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].key, Name("invoices"));
  EXPECT_EQ(events_[0].version, 2);
  YJ_EXPECT_OK(events_[0].result);

  YJ_ASSERT_OK_AND_ASSIGN(EncryptResult after,
                          encryption.Encrypt(Name("invoices"), "invoice 2", {}));
  EXPECT_EQ(after.key_version.version, 2);
  YJ_ASSERT_OK_AND_ASSIGN(DecryptResult old, encryption.Decrypt(before.ciphertext, {}));
  EXPECT_EQ(std::string(old.plaintext.begin(), old.plaintext.end()), "invoice 1");
  EXPECT_EQ(old.key_version.version, 1);

  // The next one is due a period after the first was.
  YJ_ASSERT_OK_AND_ASSIGN(store::KeyRecord key, store_->GetKey(dept_, "invoices"));
  EXPECT_EQ(key.primary_version, 2);
  EXPECT_GE(key.next_rotation, created + absl::Hours(48) - absl::Seconds(1));
}

TEST_F(RotationSchedulerTest, AnOutageRotatesOnceNotOncePerMissedPeriod) {
  const absl::Time created = absl::Now();
  YJ_ASSERT_OK(manager_
                   ->CreateKey(Name("hourly"), keys::KeyKind::kHmacSha256, std::nullopt, "", {},
                               absl::Hours(1))
                   .status());
  SetNow(created + absl::Hours(10) + absl::Minutes(30));
  YJ_ASSERT_OK_AND_ASSIGN(int rotated, scheduler_->RunOnce());
  EXPECT_EQ(rotated, 1);
  YJ_ASSERT_OK_AND_ASSIGN(store::KeyRecord key, store_->GetKey(dept_, "hourly"));
  EXPECT_EQ(key.primary_version, 2);
  // A full period from the pass that rotated it (the store keeps microseconds).
  EXPECT_EQ(absl::ToUnixMicros(key.next_rotation),
            absl::ToUnixMicros(created + absl::Hours(11) + absl::Minutes(30)));
}

TEST_F(RotationSchedulerTest, TheScheduleSurvivesARestart) {
  const absl::Time created = absl::Now();
  YJ_ASSERT_OK(
      manager_
          ->CreateKey(Name("kept"), keys::KeyKind::kAes256Gcm, std::nullopt, "", {}, absl::Hours(2))
          .status());
  YJ_ASSERT_OK(Open());  // the server restarts
  SetNow(created + absl::Hours(3));
  YJ_ASSERT_OK_AND_ASSIGN(int rotated, scheduler_->RunOnce());
  EXPECT_EQ(rotated, 1);
  YJ_ASSERT_OK(Open());
  YJ_ASSERT_OK_AND_ASSIGN(int after_restart, scheduler_->RunOnce());
  EXPECT_EQ(after_restart, 0);
}

TEST_F(RotationSchedulerTest, TwoReplicasOnOneStoreRotateOnce) {
  const absl::Time created = absl::Now();
  YJ_ASSERT_OK(manager_
                   ->CreateKey(Name("shared"), keys::KeyKind::kAes256Gcm, std::nullopt, "", {},
                               absl::Hours(1))
                   .status());
  // A second replica: its own store connection, manager, resolver and scheduler.
  auto other_store = store::SqliteStore::Open(dir_->File("yinjian.db"));
  ASSERT_TRUE(other_store.ok());
  KeyManager other_manager(**other_store, *tokens_);
  KeyResolver other_resolver(**other_store, *tokens_);
  std::unique_ptr<RotationScheduler> other =
      NewScheduler(**other_store, other_manager, other_resolver);
  SetNow(created + absl::Hours(2));
  int total = 0;
  std::thread replica([&] {
    absl::StatusOr<int> rotated = other->RunOnce();
    EXPECT_TRUE(rotated.ok()) << rotated.status();
    if (rotated.ok()) total += *rotated;
  });
  YJ_ASSERT_OK_AND_ASSIGN(int here, scheduler_->RunOnce());
  replica.join();
  EXPECT_EQ(here + total, 1);
  YJ_ASSERT_OK_AND_ASSIGN(store::KeyRecord key, store_->GetKey(dept_, "shared"));
  EXPECT_EQ(key.primary_version, 2);
}

TEST_F(RotationSchedulerTest, ManualLifecycleOperations) {
  YJ_ASSERT_OK(
      manager_->CreateKey(Name("manual"), keys::KeyKind::kAes256Gcm, std::nullopt, "").status());
  EncryptionService encryption(*resolver_);
  YJ_ASSERT_OK_AND_ASSIGN(EncryptResult v1, encryption.Encrypt(Name("manual"), "one", {}));
  YJ_ASSERT_OK_AND_ASSIGN(KeyDescription rotated, manager_->RotateKey(Name("manual")));
  EXPECT_EQ(rotated.key.primary_version, 2);
  EXPECT_EQ(rotated.versions.size(), 2u);
  resolver_->Invalidate(dept_, "manual");
  // Disabled versions refuse everything, until enabled again.
  YJ_ASSERT_OK(manager_->SetVersionEnabled(Name("manual"), 1, false).status());
  resolver_->Invalidate(dept_, "manual");
  EXPECT_EQ(encryption.Decrypt(v1.ciphertext, {}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(manager_->SetVersionEnabled(Name("manual"), 2, false).status().code(),
            absl::StatusCode::kFailedPrecondition)
      << "the primary version was disabled";
  YJ_ASSERT_OK(manager_->SetVersionEnabled(Name("manual"), 1, true).status());
  resolver_->Invalidate(dept_, "manual");
  YJ_EXPECT_OK(encryption.Decrypt(v1.ciphertext, {}).status());
  // A minimum decrypt version retires version 1 for decryption.
  YJ_ASSERT_OK(manager_->SetMinDecryptVersion(Name("manual"), 2).status());
  resolver_->Invalidate(dept_, "manual");
  absl::Status retired = encryption.Decrypt(v1.ciphertext, {}).status();
  EXPECT_EQ(retired.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(retired.message().find("minimum decrypt version"), absl::string_view::npos);
  YJ_ASSERT_OK(manager_->SetMinDecryptVersion(Name("manual"), 0).status());
  // Back to version 1 as primary.
  YJ_ASSERT_OK_AND_ASSIGN(KeyDescription back, manager_->SetPrimaryVersion(Name("manual"), 1));
  EXPECT_EQ(back.key.primary_version, 1);
  resolver_->Invalidate(dept_, "manual");
  YJ_ASSERT_OK_AND_ASSIGN(EncryptResult again, encryption.Encrypt(Name("manual"), "x", {}));
  EXPECT_EQ(again.key_version.version, 1);
}

}  // namespace
}  // namespace yinjian::core
