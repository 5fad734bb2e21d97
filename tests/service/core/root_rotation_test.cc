// Department root key rotation on a real SoftHSM token and SQLite file, with an injectable
// clock: versions of every protection level are re-wrapped in batches, a job interrupted after
// one batch resumes from the store in a new process's objects, every old ciphertext and
// signature still works, new versions use the new root, and the old root key leaves the token
// only when nothing needs it and the grace period has passed.
#include "service/core/root_rotation.h"

#include <gtest/gtest.h>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "hsm/objects.h"
#include "service/core/encryption_service.h"
#include "service/core/key_manager.h"
#include "service/core/signature_service.h"
#include "service/keys/root_key.h"
#include "service/store/sqlite_store.h"
#include "tests/service/core/lifecycle_fixture.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::core {
namespace {

class RootRotationTest : public testing::LifecycleTest {
 protected:
  RootRotationTest() : LifecycleTest("rot") {}
  void DropWorkers() override { job_.reset(); }
  void MakeWorkers() override {
    job_ = std::make_unique<RootRewrapJob>(
        *store_, *tokens_, *resolver_,
        RootRewrapOptions{.batch = 4, .retire_grace = absl::Seconds(10)}, Clock(),
        [this](const RootRotationStatus& status) {
          absl::MutexLock lock(&mu_);
          finished_.push_back(status.rotation);
        });
  }
  absl::Status Open() { return Reopen(); }

  void Advance(absl::Duration d) { SetNow(Now() + d); }

  size_t RootObjects(const std::string& id) {
    absl::StatusOr<std::vector<CK_OBJECT_HANDLE>> found =
        hsm::FindObjects(token(), {.id = hsm::ToBytes(id), .token_object = true});
    EXPECT_TRUE(found.ok()) << found.status();
    return found.ok() ? found->size() : 99;
  }

  std::unique_ptr<RootRewrapJob> job_;
  absl::Mutex mu_;
  std::vector<store::RootRotationRecord> finished_;
};

TEST_F(RootRotationTest, RewrapsEveryVersionResumesAfterARestartAndRetiresTheOldRoot) {
  // Three HSM-wrapped AES versions, an HSM-wrapped ECDSA key, a software SM4 key, and an
  // HSM-resident Ed25519 key (nothing to re-wrap).
  YJ_ASSERT_OK(
      manager_->CreateKey(Name("docs"), keys::KeyKind::kAes256Gcm, std::nullopt, "").status());
  YJ_ASSERT_OK(
      manager_->CreateKey(Name("seal"), keys::KeyKind::kEcdsaP256, std::nullopt, "").status());
  YJ_ASSERT_OK(manager_->CreateKey(Name("gm"), keys::KeyKind::kSm4, std::nullopt, "").status());
  YJ_ASSERT_OK(manager_->CreateKey(Name("ed"), keys::KeyKind::kEd25519, std::nullopt, "").status());
  EncryptionService encryption(*resolver_);
  std::vector<std::string> ciphertexts;
  for (int i = 0; i < 3; ++i) {
    if (i > 0) YJ_ASSERT_OK(manager_->RotateKey(Name("docs")).status());
    resolver_->Invalidate(dept_, "docs");
    YJ_ASSERT_OK_AND_ASSIGN(EncryptResult sealed,
                            encryption.Encrypt(Name("docs"), "v" + std::to_string(i), {}));
    ciphertexts.push_back(sealed.ciphertext);
  }
  YJ_ASSERT_OK_AND_ASSIGN(EncryptResult gm, encryption.Encrypt(Name("gm"), "sm4 data", {}));
  SignatureService signatures(*resolver_);
  YJ_ASSERT_OK_AND_ASSIGN(SignResult signed_, signatures.Sign(Name("seal"), {"order", false}));
  const std::string old_root = keys::RootKeyId(dept_, 1);

  YJ_ASSERT_OK_AND_ASSIGN(RootRotationStatus begun, manager_->RotateRootKey(dept_, "alice", Now()));
  EXPECT_EQ(begun.rotation.old_root_key_id, old_root);
  EXPECT_EQ(begun.rotation.new_root_key_id, keys::RootKeyId(dept_, 2));
  EXPECT_EQ(begun.rotation.versions_total, 5);  // 3 docs + seal + gm; not the resident ed
  EXPECT_EQ(begun.versions_remaining, 5);
  EXPECT_EQ(manager_->RotateRootKey(dept_, "alice", Now()).status().code(),
            absl::StatusCode::kFailedPrecondition);

  // One batch, then the process "dies": everything is reopened from the store.
  YJ_ASSERT_OK_AND_ASSIGN(int first, job_->RunOnce());
  EXPECT_EQ(first, 4);
  YJ_ASSERT_OK(Open());
  YJ_ASSERT_OK_AND_ASSIGN(RootRotationStatus midway, manager_->RootRotation(dept_));
  EXPECT_EQ(midway.versions_remaining, 1);
  YJ_ASSERT_OK_AND_ASSIGN(int second, job_->RunOnce());
  EXPECT_EQ(second, 1);

  // Nothing left, but the old root stays through the grace period.
  YJ_ASSERT_OK(job_->RunOnce().status());
  EXPECT_EQ(RootObjects(old_root), 1u);
  EXPECT_TRUE(finished_.empty());
  Advance(absl::Seconds(11));
  YJ_ASSERT_OK(job_->RunOnce().status());
  EXPECT_EQ(RootObjects(old_root), 0u);
  ASSERT_EQ(finished_.size(), 1u);
  YJ_ASSERT_OK_AND_ASSIGN(RootRotationStatus done, manager_->RootRotation(dept_));
  EXPECT_NE(done.rotation.finished, absl::InfinitePast());

  // Everything made under the old root still works, through fresh objects.
  EncryptionService reopened(*resolver_);
  for (int i = 0; i < 3; ++i) {
    YJ_ASSERT_OK_AND_ASSIGN(DecryptResult opened, reopened.Decrypt(ciphertexts[i], {}));
    EXPECT_EQ(std::string(opened.plaintext.begin(), opened.plaintext.end()),
              "v" + std::to_string(i));
  }
  YJ_ASSERT_OK(reopened.Decrypt(gm.ciphertext, {}).status());
  SignatureService verifier(*resolver_);
  YJ_ASSERT_OK_AND_ASSIGN(VerifyResult verified,
                          verifier.Verify(Name("seal"), {"order", false}, signed_.signature));
  EXPECT_TRUE(verified.valid);
  YJ_EXPECT_OK(verifier.Sign(Name("ed"), {"order", false}).status());
  // New versions are wrapped under the new root, and the next rotation is generation 3.
  YJ_ASSERT_OK_AND_ASSIGN(KeyDescription rotated, manager_->RotateKey(Name("docs")));
  EXPECT_EQ(rotated.versions.back().root_key_id, keys::RootKeyId(dept_, 2));
  YJ_ASSERT_OK_AND_ASSIGN(RootRotationStatus next, manager_->RotateRootKey(dept_, "bob", Now()));
  EXPECT_EQ(next.rotation.new_root_key_id, keys::RootKeyId(dept_, 3));
}

TEST_F(RootRotationTest, UnknownDepartmentsAndNoRotationYet) {
  EXPECT_EQ(manager_->RotateRootKey("no-such-dept", "alice", Now()).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(manager_->RootRotation(dept_).status().code(), absl::StatusCode::kNotFound);
  // A department with nothing wrapped rotates and retires at once (after the grace period).
  YJ_ASSERT_OK_AND_ASSIGN(RootRotationStatus begun, manager_->RotateRootKey(dept_, "a", Now()));
  EXPECT_EQ(begun.rotation.versions_total, 0);
  Advance(absl::Seconds(11));
  YJ_ASSERT_OK(job_->RunOnce().status());
  EXPECT_EQ(RootObjects(begun.rotation.old_root_key_id), 0u);
}

}  // namespace
}  // namespace yinjian::core
