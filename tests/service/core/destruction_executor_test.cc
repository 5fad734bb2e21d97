// The destruction executor with an injectable clock, on a real SoftHSM token and SQLite file:
// nothing happens before the waiting period ends or to a cancelled request; then the wrapped
// material leaves the store, HSM-resident objects leave the token, data under the version stops
// decrypting with a message that says when it was destroyed, the record is written once (also
// when the first attempt to write it fails), and a second replica finds nothing left to do.
#include "service/core/destruction_executor.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "hsm/objects.h"
#include "service/core/encryption_service.h"
#include "service/core/key_manager.h"
#include "service/core/signature_service.h"
#include "service/store/sqlite_store.h"
#include "tests/service/core/lifecycle_fixture.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::core {
namespace {

class DestructionExecutorTest : public testing::LifecycleTest {
 protected:
  DestructionExecutorTest() : LifecycleTest("dept") {}
  void DropWorkers() override { executor_.reset(); }
  void MakeWorkers() override { executor_ = NewExecutor(); }

  std::unique_ptr<DestructionExecutor> NewExecutor() {
    return std::make_unique<DestructionExecutor>(
        *store_, *tokens_, *resolver_,
        [this] {
          absl::MutexLock lock(&mu_);
          return Now();
        },
        [this](
            const store::DestructionRecord& request, const store::KeyRecord& key,
            const std::vector<store::KeyVersionRecord>& versions) -> absl::StatusOr<WrittenRecord> {
          absl::MutexLock lock(&mu_);
          if (!recorder_status_.ok()) return recorder_status_;
          records_.push_back(request);
          std::vector<int32_t> numbers;
          for (const store::KeyVersionRecord& version : versions) {
            numbers.push_back(version.version);
          }
          recorded_versions_.push_back(numbers);
          return WrittenRecord{.record = "record of " + key.name,
                               .index = static_cast<int64_t>(records_.size())};
        });
  }

  // A request through every step but the waiting period: approved by bob, witnessed by sam at
  // `Now()`, due one day later.
  store::DestructionRecord Schedule(const std::string& key, int32_t version) {
    absl::StatusOr<store::DestructionRecord> request =
        store_->CreateDestruction({.department = dept_,
                                   .key = key,
                                   .version = version,
                                   .reason = "retired",
                                   .state = store::kDestructionPending,
                                   .required_approvals = 1,
                                   .requested_by = "alice",
                                   .requested = Now()});
    EXPECT_TRUE(request.ok()) << request.status();
    EXPECT_TRUE(store_->ApproveDestruction(request->id, "bob", Now()).ok());
    absl::StatusOr<store::DestructionRecord> witnessed =
        store_->WitnessDestruction(request->id, "sam", Now(), Now() + absl::Hours(24));
    EXPECT_TRUE(witnessed.ok()) << witnessed.status();
    return *witnessed;
  }

  std::unique_ptr<DestructionExecutor> executor_;
  absl::Mutex mu_;
  absl::Status recorder_status_;
  std::vector<store::DestructionRecord> records_;
  std::vector<std::vector<int32_t>> recorded_versions_;
};

TEST_F(DestructionExecutorTest, DestroysAVersionOnlyOnceTheWaitingPeriodHasPassed) {
  YJ_ASSERT_OK(
      manager_->CreateKey(Name("ledger"), keys::KeyKind::kAes256Gcm, std::nullopt, "").status());
  EncryptionService encryption(*resolver_);
  YJ_ASSERT_OK_AND_ASSIGN(EncryptResult v1, encryption.Encrypt(Name("ledger"), "2019", {}));
  YJ_ASSERT_OK(manager_->RotateKey(Name("ledger")).status());
  resolver_->Invalidate(dept_, "ledger");
  YJ_ASSERT_OK_AND_ASSIGN(EncryptResult v2, encryption.Encrypt(Name("ledger"), "2020", {}));
  const store::DestructionRecord request = Schedule("ledger", 1);

  // Too early: one microsecond before the end of the waiting period.
  SetNow(request.destroy_after - absl::Microseconds(1));
  YJ_ASSERT_OK_AND_ASSIGN(int early, executor_->RunOnce());
  EXPECT_EQ(early, 0);
  YJ_EXPECT_OK(encryption.Decrypt(v1.ciphertext, {}).status());

  SetNow(request.destroy_after);
  YJ_ASSERT_OK_AND_ASSIGN(int destroyed, executor_->RunOnce());
  EXPECT_EQ(destroyed, 1);
  YJ_ASSERT_OK_AND_ASSIGN(store::DestructionRecord done, store_->GetDestruction(request.id));
  EXPECT_EQ(done.state, store::kDestructionDestroyed);
  EXPECT_EQ(done.destroyed, request.destroy_after);
  EXPECT_EQ(done.destroyed_versions, std::vector<int32_t>{1});
  EXPECT_EQ(done.record, "record of ledger");
  EXPECT_EQ(done.record_index, 1);
  ASSERT_EQ(recorded_versions_.size(), 1u);
  EXPECT_EQ(recorded_versions_[0], std::vector<int32_t>{1});

  YJ_ASSERT_OK_AND_ASSIGN(store::KeyVersionRecord version,
                          store_->GetKeyVersion(dept_, "ledger", 1));
  EXPECT_EQ(version.state, store::kVersionDestroyed);
  EXPECT_TRUE(version.wrapped_material.empty());
  absl::StatusOr<DecryptResult> gone = encryption.Decrypt(v1.ciphertext, {});
  EXPECT_EQ(gone.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(gone.status().message(), "was destroyed at")) << gone.status();
  EXPECT_TRUE(absl::StrContains(gone.status().message(),
                                "destruction request " + std::to_string(request.id)))
      << gone.status();
  YJ_ASSERT_OK_AND_ASSIGN(DecryptResult kept, encryption.Decrypt(v2.ciphertext, {}));
  EXPECT_EQ(std::string(kept.plaintext.begin(), kept.plaintext.end()), "2020");

  // Nothing left for a second pass, nor for another replica's executor on the same store.
  YJ_ASSERT_OK_AND_ASSIGN(int again, executor_->RunOnce());
  EXPECT_EQ(again, 0);
  YJ_ASSERT_OK_AND_ASSIGN(int replica, NewExecutor()->RunOnce());
  EXPECT_EQ(replica, 0);
  EXPECT_EQ(records_.size(), 1u);
}

TEST_F(DestructionExecutorTest, HsmResidentObjectsLeaveTheToken) {
  // SoftHSM cannot wrap Ed25519 private keys: its versions live in the token.
  YJ_ASSERT_OK_AND_ASSIGN(
      KeyDescription key,
      manager_->CreateKey(Name("seal"), keys::KeyKind::kEd25519, std::nullopt, ""));
  const std::string object_id = key.versions[0].hsm_object_id;
  ASSERT_FALSE(object_id.empty());
  const auto objects = [&] {
    absl::StatusOr<std::vector<CK_OBJECT_HANDLE>> found =
        hsm::FindObjects(token(), {.id = hsm::ToBytes(object_id), .token_object = true});
    EXPECT_TRUE(found.ok()) << found.status();
    return found.ok() ? found->size() : size_t{99};
  };
  EXPECT_EQ(objects(), 2u);  // the private and the public key
  SignatureService signatures(*resolver_);
  YJ_ASSERT_OK(signatures.Sign(Name("seal"), {"order", false}).status());

  const store::DestructionRecord request = Schedule("seal", 0);
  SetNow(request.destroy_after + absl::Hours(1));
  YJ_ASSERT_OK_AND_ASSIGN(int destroyed, executor_->RunOnce());
  EXPECT_EQ(destroyed, 1);
  EXPECT_EQ(objects(), 0u);
  absl::StatusOr<SignResult> refused = signatures.Sign(Name("seal"), {"order", false});
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition) << refused.status();
  // A destroyed key stays destroyed: no manual or scheduled rotation brings it back.
  EXPECT_EQ(manager_->RotateKey(Name("seal")).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(DestructionExecutorTest, AWholeKeyDestructionEndsItsRotationSchedule) {
  YJ_ASSERT_OK(manager_
                   ->CreateKey(Name("rolling"), keys::KeyKind::kAes256Gcm, std::nullopt, "", {},
                               absl::Hours(24))
                   .status());
  const store::DestructionRecord request = Schedule("rolling", 0);
  SetNow(request.destroy_after);
  YJ_ASSERT_OK(executor_->RunOnce().status());
  YJ_ASSERT_OK_AND_ASSIGN(store::KeyRecord key, store_->GetKey(dept_, "rolling"));
  EXPECT_EQ(key.rotation_period, absl::ZeroDuration());
  EXPECT_EQ(key.next_rotation, absl::InfiniteFuture());
}

TEST_F(DestructionExecutorTest, CancelledRequestsAreLeftAlone) {
  YJ_ASSERT_OK(
      manager_->CreateKey(Name("kept"), keys::KeyKind::kHmacSha256, std::nullopt, "").status());
  const store::DestructionRecord request = Schedule("kept", 0);
  YJ_ASSERT_OK(store_->CancelDestruction(request.id, "carol", "still needed", Now()).status());
  SetNow(request.destroy_after + absl::Hours(24 * 365));
  YJ_ASSERT_OK_AND_ASSIGN(int destroyed, executor_->RunOnce());
  EXPECT_EQ(destroyed, 0);
  YJ_ASSERT_OK_AND_ASSIGN(store::KeyVersionRecord version, store_->GetKeyVersion(dept_, "kept", 1));
  EXPECT_EQ(version.state, store::kVersionEnabled);
  EXPECT_FALSE(version.wrapped_material.empty());
}

TEST_F(DestructionExecutorTest, ARecordThatCouldNotBeWrittenIsWrittenAtTheNextPass) {
  YJ_ASSERT_OK(
      manager_->CreateKey(Name("old"), keys::KeyKind::kAes256Gcm, std::nullopt, "").status());
  const store::DestructionRecord request = Schedule("old", 0);
  SetNow(request.destroy_after);
  {
    absl::MutexLock lock(&mu_);
    recorder_status_ = absl::UnavailableError("audit log unavailable");
  }
  absl::StatusOr<int> failed = executor_->RunOnce();
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  YJ_ASSERT_OK_AND_ASSIGN(store::DestructionRecord pending, store_->GetDestruction(request.id));
  EXPECT_EQ(pending.state, store::kDestructionDestroyed);  // the material is gone regardless
  EXPECT_EQ(pending.record_index, -1);
  {
    absl::MutexLock lock(&mu_);
    recorder_status_ = absl::OkStatus();
  }
  YJ_ASSERT_OK(executor_->RunOnce().status());
  YJ_ASSERT_OK(executor_->RunOnce().status());
  YJ_ASSERT_OK_AND_ASSIGN(store::DestructionRecord recorded, store_->GetDestruction(request.id));
  EXPECT_EQ(recorded.record_index, 1);
  ASSERT_EQ(records_.size(), 1u);
  EXPECT_EQ(recorded_versions_[0], std::vector<int32_t>{1});
}

}  // namespace
}  // namespace yinjian::core
