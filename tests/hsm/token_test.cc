// Token: login, mechanism probing, and recovery when sessions break under the pool.
#include "hsm/token.h"

#include <gtest/gtest.h>

#include "hsm/ck_rv.h"
#include "hsm/key_generation.h"
#include "hsm/key_ref.h"
#include "hsm/objects.h"
#include "hsm/pin.h"
#include "hsm/pkcs11_call.h"
#include "hsm/random.h"
#include "hsm/signing.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/token_fixture.h"

namespace yinjian::hsm {
namespace {

class TokenRecoveryTest : public testing::TokenTest {
 protected:
  static Token& key_token() { return token(); }
  absl::StatusOr<Bytes> SignWith(KeyRef& key, const std::string& message);
};

TEST_F(TokenRecoveryTest, ProbesMechanisms) {
  const MechanismSet& mechanisms = token().mechanisms();
  for (CK_MECHANISM_TYPE m : {CKM_AES_GCM, CKM_ECDSA, CKM_EDDSA, CKM_RSA_PKCS_PSS,
                              CKM_SHA256_HMAC, CKM_AES_KEY_WRAP_PAD, CKM_SHA256}) {
    EXPECT_TRUE(mechanisms.Supports(m)) << MechanismName(m);
  }
  EXPECT_TRUE(mechanisms.SupportsWith(CKM_AES_GCM, CKF_ENCRYPT | CKF_DECRYPT));
  EXPECT_FALSE(mechanisms.SupportsWith(CKM_SHA256, CKF_SIGN));
  const CK_MECHANISM_TYPE vendor = CKM_VENDOR_DEFINED | 0x5a5a;
  EXPECT_FALSE(mechanisms.Supports(vendor));
  absl::Status missing = mechanisms.Require(vendor, "testing");
  EXPECT_EQ(missing.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(missing.message(), "token does not support CKM_0x80005A5A for testing");
  EXPECT_EQ(MechanismName(CKM_AES_GCM), "CKM_AES_GCM");
}

TEST_F(TokenRecoveryTest, ReplacesASessionClosedBehindThePoolsBack) {
  CK_SESSION_HANDLE stolen;
  {
    YJ_ASSERT_OK_AND_ASSIGN(SessionLease lease, token().pool().Acquire());
    stolen = lease.handle();
    ASSERT_EQ(token().functions()->C_CloseSession(stolen), CKR_OK);
  }
  const SessionPoolStats before = token().pool().stats();
  const uint64_t relogins = token().relogins();
  int attempts = 0;
  YJ_ASSERT_OK(token().Run([&](CK_SESSION_HANDLE session) {
    ++attempts;
    CK_BYTE buf[8];
    return P11_CALL(token().functions(), C_GenerateRandom, session, buf, sizeof(buf));
  }));
  EXPECT_EQ(attempts, 2);  // failed on the stolen session, succeeded on a fresh one
  EXPECT_EQ(token().pool().stats().broken, before.broken + 1);
  EXPECT_EQ(token().relogins(), relogins + 1);
  YJ_EXPECT_OK(GenerateRandom(token(), 32));
}

// Signs with a token key found by CKA_ID, as the service does.
absl::StatusOr<Bytes> TokenRecoveryTest::SignWith(KeyRef& key, const std::string& message) {
  Bytes signature;
  absl::Status status = key.Use([&](CK_OBJECT_HANDLE handle) -> absl::Status {
    absl::StatusOr<Bytes> s =
        SignMessage(key_token(), handle, SignatureAlgorithm::kEcdsaSha256, ToBytes(message));
    if (!s.ok()) return s.status();
    signature = std::move(*s);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return signature;
}

TEST_F(TokenRecoveryTest, RecoversAfterEverySessionWasClosed) {
  // C_CloseAllSessions also logs the application out, and SoftHSM invalidates the handles of
  // private objects: the anchor session is restored and the key found again by CKA_ID.
  YJ_ASSERT_OK_AND_ASSIGN(
      ScopedKeyPair pair,
      GenerateEcKeyPair(token(), EcCurve::kP256,
                        {.label = "survivor", .id = ToBytes("survivor"), .token_object = true}));
  KeyRef key(token(), CKO_PRIVATE_KEY, ToBytes("survivor"));
  YJ_ASSERT_OK(SignWith(key, "before"));
  ASSERT_EQ(token().functions()->C_CloseAllSessions(token().description().slot_id), CKR_OK);
  YJ_ASSERT_OK_AND_ASSIGN(Bytes signature, SignWith(key, "after"));
  KeyRef public_key(token(), CKO_PUBLIC_KEY, ToBytes("survivor"));
  YJ_ASSERT_OK_AND_ASSIGN(CK_OBJECT_HANDLE public_handle, public_key.Handle());
  YJ_ASSERT_OK_AND_ASSIGN(bool valid, VerifyMessage(token(), public_handle,
                                                    SignatureAlgorithm::kEcdsaSha256,
                                                    ToBytes("after"), signature));
  EXPECT_TRUE(valid);
  pair.public_key.Keep();  // the handles in `pair` are stale; destroy by identity instead
  pair.private_key.Keep();
  YJ_EXPECT_OK(DestroyObject(token(), public_handle));
  YJ_ASSERT_OK_AND_ASSIGN(CK_OBJECT_HANDLE private_handle, key.Handle());
  YJ_EXPECT_OK(DestroyObject(token(), private_handle));
}

TEST_F(TokenRecoveryTest, RecoversAfterLogout) {
  YJ_ASSERT_OK_AND_ASSIGN(
      ScopedKeyPair pair,
      GenerateEcKeyPair(token(), EcCurve::kP256,
                        {.label = "after-logout", .id = ToBytes("after-logout"),
                         .token_object = true}));
  KeyRef key(token(), CKO_PRIVATE_KEY, ToBytes("after-logout"));
  YJ_ASSERT_OK(SignWith(key, "before logout"));
  {
    YJ_ASSERT_OK_AND_ASSIGN(SessionLease lease, token().pool().Acquire());
    ASSERT_EQ(token().functions()->C_Logout(lease.handle()), CKR_OK);
  }
  const uint64_t relogins = token().relogins();
  YJ_EXPECT_OK(SignWith(key, "after logout"));
  EXPECT_EQ(token().relogins(), relogins + 1);
  pair.public_key.Keep();
  pair.private_key.Keep();
  YJ_ASSERT_OK_AND_ASSIGN(CK_OBJECT_HANDLE private_handle, key.Handle());
  YJ_EXPECT_OK(DestroyObject(token(), private_handle));
}

TEST_F(TokenRecoveryTest, KeyRefReportsMissingKeys) {
  KeyRef missing(token(), CKO_SECRET_KEY, ToBytes("never-created"));
  EXPECT_EQ(missing.Handle().status().code(), absl::StatusCode::kNotFound);
}

TEST_F(TokenRecoveryTest, DoesNotRepeatUnsafeOperations) {
  {
    YJ_ASSERT_OK_AND_ASSIGN(SessionLease lease, token().pool().Acquire());
    ASSERT_EQ(token().functions()->C_CloseSession(lease.handle()), CKR_OK);
  }
  int attempts = 0;
  absl::Status status = token().Run(
      [&](CK_SESSION_HANDLE session) {
        ++attempts;
        CK_BYTE buf[8];
        return P11_CALL(token().functions(), C_GenerateRandom, session, buf, sizeof(buf));
      },
      Retry::kNever);
  EXPECT_EQ(attempts, 1);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(CkRvFromStatus(status), CKR_SESSION_HANDLE_INVALID);
  YJ_EXPECT_OK(GenerateRandom(token(), 8));  // and the next call works
}

TEST_F(TokenRecoveryTest, ClosesASessionStuckWithAnOpenOperation) {
  {
    YJ_ASSERT_OK_AND_ASSIGN(SessionLease lease, token().pool().Acquire());
    CK_MECHANISM sha256 = {CKM_SHA256, nullptr, 0};
    ASSERT_EQ(token().functions()->C_DigestInit(lease.handle(), &sha256), CKR_OK);
  }  // back in the pool with the digest still open
  const uint64_t broken = token().pool().stats().broken;
  int attempts = 0;
  YJ_ASSERT_OK(token().Run([&](CK_SESSION_HANDLE session) {
    ++attempts;
    CK_MECHANISM sha256 = {CKM_SHA256, nullptr, 0};
    return P11_CALL(token().functions(), C_DigestInit, session, &sha256);
  }));
  // The second attempt left its digest open too; end it so the session goes back clean.
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(token().pool().stats().broken, broken + 1);
  token().pool().DiscardIdle();
}

TEST_F(TokenRecoveryTest, OrdinaryErrorsKeepTheSession) {
  const SessionPoolStats before = token().pool().stats();
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject aes, GenerateAesKey(token(), 32, {}));
  absl::StatusOr<Bytes> wrong = SignMessage(token(), aes.handle(),
                                            SignatureAlgorithm::kEcdsaSha256, ToBytes("m"));
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kFailedPrecondition) << wrong.status();
  EXPECT_EQ(token().pool().stats().broken, before.broken);
}

TEST_F(TokenRecoveryTest, ExhaustedPoolWaitsThenFails) {
  YJ_ASSERT_OK_AND_ASSIGN(std::shared_ptr<Pkcs11Module> module,
                          Pkcs11Module::Load({.path = softhsm().module_path}));
  YJ_ASSERT_OK_AND_ASSIGN(SecureBytes pin, ReadPin({.file = softhsm().pin_file}));
  YJ_ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<Token> small,
      Token::Open(module, {.label = softhsm().label, .pin = std::move(pin), .max_sessions = 2,
                           .session_wait = absl::Milliseconds(30)}));
  YJ_ASSERT_OK_AND_ASSIGN(SessionLease a, small->pool().Acquire());
  YJ_ASSERT_OK_AND_ASSIGN(SessionLease b, small->pool().Acquire());
  absl::StatusOr<Bytes> random = GenerateRandom(*small, 8);
  EXPECT_EQ(random.status().code(), absl::StatusCode::kResourceExhausted);
  a.Release();
  YJ_EXPECT_OK(GenerateRandom(*small, 8));
}

}  // namespace
}  // namespace yinjian::hsm
