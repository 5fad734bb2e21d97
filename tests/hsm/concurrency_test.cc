// Several threads x thousands of mixed operations through one token's session pool: every
// result is checked, no session is used by two operations at once (which PKCS#11 would report as
// CKR_OPERATION_ACTIVE), and neither sessions nor objects leak.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "hsm/aes_gcm.h"
#include "hsm/hmac.h"
#include "hsm/hsm_digest.h"
#include "hsm/key_generation.h"
#include "hsm/key_wrap.h"
#include "hsm/pkcs11_call.h"
#include "hsm/random.h"
#include "hsm/signing.h"
#include "hsm/software_digest.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/token_fixture.h"

namespace yinjian::hsm {
namespace {

constexpr int kThreads = 6;
constexpr int kOperationsPerThread = 1500;

class ConcurrencyTest : public testing::TokenTest {};

size_t OperationActiveFailures() {
  size_t count = 0;
  for (const auto& [kind, n] : GetPkcs11CallCounts().failures_by_kind) {
    if (kind.find("CKR_OPERATION_ACTIVE") != std::string::npos) count += n;
  }
  return count;
}

TEST_F(ConcurrencyTest, MixedOperationsFromManyThreads) {
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject aes, GenerateAesKey(token(), 32, {}));
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject hmac, GenerateGenericSecret(token(), 32, {}));
  YJ_ASSERT_OK_AND_ASSIGN(ScopedKeyPair ec, GenerateEcKeyPair(token(), EcCurve::kP256, {}));
  YJ_ASSERT_OK_AND_ASSIGN(
      ScopedObject wrapping, GenerateAesKey(token(), 32, {.usage = kUsageWrap | kUsageUnwrap}));
  const size_t objects_before = CountObjects();
  const size_t active_before = OperationActiveFailures();
  const uint64_t broken_before = token().pool().stats().broken;

  std::atomic<int> wrong{0};
  std::atomic<int> errors{0};
  std::string first_error;
  absl::Mutex error_mu;
  auto fail = [&](const absl::Status& status) {
    if (errors.fetch_add(1) == 0) {
      absl::MutexLock lock(&error_mu);
      first_error = status.ToString();
    }
  };
  auto worker = [&](int thread) {
    for (int i = 0; i < kOperationsPerThread; ++i) {
      const Bytes message = ToBytes("thread " + std::to_string(thread) + " op " +
                                    std::to_string(i));
      switch ((thread + i) % 6) {
        case 0: {  // AES-GCM round trip
          absl::StatusOr<Bytes> sealed = AesGcmEncrypt(token(), aes.handle(), message, message);
          if (!sealed.ok()) { fail(sealed.status()); break; }
          absl::StatusOr<SecureBytes> opened =
              AesGcmDecrypt(token(), aes.handle(), *sealed, message);
          if (!opened.ok()) { fail(opened.status()); break; }
          if (Bytes(opened->begin(), opened->end()) != message) ++wrong;
          break;
        }
        case 1: {  // ECDSA sign, verified in the HSM
          absl::StatusOr<Bytes> sig = SignMessage(token(), ec.private_key.handle(),
                                                  SignatureAlgorithm::kEcdsaSha256, message);
          if (!sig.ok()) { fail(sig.status()); break; }
          absl::StatusOr<bool> ok = VerifyMessage(token(), ec.public_key.handle(),
                                                  SignatureAlgorithm::kEcdsaSha256, message, *sig);
          if (!ok.ok()) { fail(ok.status()); break; }
          if (!*ok) ++wrong;
          break;
        }
        case 2: {  // HMAC sign and verify
          absl::StatusOr<Bytes> tag =
              HmacSign(token(), hmac.handle(), DigestAlgorithm::kSha256, message);
          if (!tag.ok()) { fail(tag.status()); break; }
          absl::StatusOr<bool> ok =
              HmacVerify(token(), hmac.handle(), DigestAlgorithm::kSha256, message, *tag);
          if (!ok.ok()) { fail(ok.status()); break; }
          if (!*ok) ++wrong;
          break;
        }
        case 3: {  // digest in the HSM equals OpenSSL's
          absl::StatusOr<Bytes> hsm = HsmDigest(token(), DigestAlgorithm::kSha256, message);
          absl::StatusOr<Bytes> sw = SoftwareDigest(DigestAlgorithm::kSha256, message);
          if (!hsm.ok()) { fail(hsm.status()); break; }
          if (!sw.ok() || *hsm != *sw) ++wrong;
          break;
        }
        case 4: {  // create, wrap, unwrap and destroy session keys
          absl::StatusOr<ScopedObject> key =
              GenerateAesKey(token(), 32, {.extractable = true});
          if (!key.ok()) { fail(key.status()); break; }
          absl::StatusOr<Bytes> wrapped = WrapKey(token(), wrapping.handle(), key->handle());
          if (!wrapped.ok()) { fail(wrapped.status()); break; }
          AttributeTemplate t = SecretKeyTemplate(CKK_AES, 0, {});
          absl::StatusOr<ScopedObject> unwrapped =
              UnwrapKey(token(), wrapping.handle(), *wrapped, t);
          if (!unwrapped.ok()) { fail(unwrapped.status()); break; }
          break;
        }
        default: {
          absl::StatusOr<Bytes> random = GenerateRandom(token(), 32);
          if (!random.ok()) { fail(random.status()); break; }
          if (random->size() != 32) ++wrong;
        }
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(worker, t);
  for (std::thread& t : threads) t.join();

  EXPECT_EQ(errors.load(), 0) << first_error;
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(OperationActiveFailures(), active_before);
  SessionPoolStats stats = token().pool().stats();
  EXPECT_EQ(stats.leased, 0u);
  EXPECT_EQ(stats.broken, broken_before);
  EXPECT_LE(stats.opened - stats.closed, token().pool().max_sessions());
  EXPECT_EQ(stats.idle, stats.opened - stats.closed);
  EXPECT_EQ(CountObjects(), objects_before);
}

}  // namespace
}  // namespace yinjian::hsm
