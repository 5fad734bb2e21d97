#include "hsm/signing.h"

#include <gtest/gtest.h>

#include "hsm/key_generation.h"
#include "hsm/public_key_export.h"
#include "hsm/software_digest.h"
#include "hsm/software_verify.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/token_fixture.h"

namespace yinjian::hsm {
namespace {

struct Case {
  const char* name;
  SignatureAlgorithm algorithm;
  int key;  // 0: P-256, 1: P-384, 2: Ed25519, 3: RSA-2048
};

class SigningTest : public testing::TokenTest, public ::testing::WithParamInterface<Case> {
 protected:
  absl::StatusOr<ScopedKeyPair> MakeKey(int kind) {
    switch (kind) {
      case 0: return GenerateEcKeyPair(token(), EcCurve::kP256, {});
      case 1: return GenerateEcKeyPair(token(), EcCurve::kP384, {});
      case 2: return GenerateEd25519KeyPair(token(), {});
      default: return GenerateRsaKeyPair(token(), 2048, {});
    }
  }
};

TEST_P(SigningTest, SignsVerifiesInHsmAndInSoftware) {
  const Case& c = GetParam();
  YJ_ASSERT_OK_AND_ASSIGN(ScopedKeyPair pair, MakeKey(c.key));
  const Bytes message = ToBytes("the official seal of the city");
  YJ_ASSERT_OK_AND_ASSIGN(Bytes signature,
                          SignMessage(token(), pair.private_key.handle(), c.algorithm, message));
  YJ_ASSERT_OK_AND_ASSIGN(bool in_hsm, VerifyMessage(token(), pair.public_key.handle(),
                                                     c.algorithm, message, signature));
  EXPECT_TRUE(in_hsm);
  YJ_ASSERT_OK_AND_ASSIGN(Bytes spki, ExportPublicKeySpki(token(), pair.public_key.handle()));
  YJ_ASSERT_OK_AND_ASSIGN(bool in_software,
                          VerifySignature(spki, c.algorithm, message, signature));
  EXPECT_TRUE(in_software);

  Bytes other = message;
  other.back() ^= 1;
  YJ_ASSERT_OK_AND_ASSIGN(bool wrong_message, VerifyMessage(token(), pair.public_key.handle(),
                                                            c.algorithm, other, signature));
  EXPECT_FALSE(wrong_message);
  Bytes tampered = signature;
  tampered[tampered.size() / 2] ^= 0x40;
  YJ_ASSERT_OK_AND_ASSIGN(bool wrong_signature, VerifyMessage(token(), pair.public_key.handle(),
                                                              c.algorithm, message, tampered));
  EXPECT_FALSE(wrong_signature);
  YJ_ASSERT_OK_AND_ASSIGN(bool truncated,
                          VerifyMessage(token(), pair.public_key.handle(), c.algorithm, message,
                                        Bytes(signature.begin(), signature.end() - 1)));
  EXPECT_FALSE(truncated);
}

TEST_P(SigningTest, SignsCallerComputedDigests) {
  const Case& c = GetParam();
  std::optional<DigestAlgorithm> hash = DigestOf(c.algorithm);
  if (!hash.has_value()) {
    YJ_ASSERT_OK_AND_ASSIGN(ScopedKeyPair pair, MakeKey(c.key));
    EXPECT_EQ(SignDigest(token(), pair.private_key.handle(), c.algorithm, Bytes(32, 1))
                  .status()
                  .code(),
              absl::StatusCode::kInvalidArgument);
    return;
  }
  YJ_ASSERT_OK_AND_ASSIGN(ScopedKeyPair pair, MakeKey(c.key));
  const Bytes message = ToBytes("hashed by the caller");
  YJ_ASSERT_OK_AND_ASSIGN(Bytes digest, SoftwareDigest(*hash, message));
  YJ_ASSERT_OK_AND_ASSIGN(Bytes signature,
                          SignDigest(token(), pair.private_key.handle(), c.algorithm, digest));
  YJ_ASSERT_OK_AND_ASSIGN(Bytes spki, ExportPublicKeySpki(token(), pair.public_key.handle()));
  // A digest signature is a message signature: it verifies against the message.
  YJ_ASSERT_OK_AND_ASSIGN(bool valid, VerifySignature(spki, c.algorithm, message, signature));
  EXPECT_TRUE(valid);
  YJ_ASSERT_OK_AND_ASSIGN(bool in_hsm, VerifyDigest(token(), pair.public_key.handle(),
                                                    c.algorithm, digest, signature));
  EXPECT_TRUE(in_hsm);
  digest.pop_back();
  EXPECT_EQ(SignDigest(token(), pair.private_key.handle(), c.algorithm, digest).status().code(),
            absl::StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(
    Algorithms, SigningTest,
    ::testing::Values(Case{"EcdsaP256Sha256", SignatureAlgorithm::kEcdsaSha256, 0},
                      Case{"EcdsaP384Sha384", SignatureAlgorithm::kEcdsaSha384, 1},
                      Case{"EcdsaP256Sha512", SignatureAlgorithm::kEcdsaSha512, 0},
                      Case{"Ed25519", SignatureAlgorithm::kEd25519, 2},
                      Case{"RsaPkcs1Sha256", SignatureAlgorithm::kRsaPkcs1Sha256, 3},
                      Case{"RsaPkcs1Sha384", SignatureAlgorithm::kRsaPkcs1Sha384, 3},
                      Case{"RsaPkcs1Sha512", SignatureAlgorithm::kRsaPkcs1Sha512, 3},
                      Case{"RsaPssSha256", SignatureAlgorithm::kRsaPssSha256, 3},
                      Case{"RsaPssSha384", SignatureAlgorithm::kRsaPssSha384, 3},
                      Case{"RsaPssSha512", SignatureAlgorithm::kRsaPssSha512, 3}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

class SigningErrorsTest : public testing::TokenTest {};

TEST_F(SigningErrorsTest, WrongKeyTypeIsFailedPrecondition) {
  YJ_ASSERT_OK_AND_ASSIGN(ScopedKeyPair rsa, GenerateRsaKeyPair(token(), 2048, {}));
  YJ_ASSERT_OK_AND_ASSIGN(ScopedKeyPair ec, GenerateEcKeyPair(token(), EcCurve::kP256, {}));
  absl::StatusOr<Bytes> ecdsa_with_rsa =
      SignMessage(token(), rsa.private_key.handle(), SignatureAlgorithm::kEcdsaSha256,
                  ToBytes("m"));
  EXPECT_EQ(ecdsa_with_rsa.status().code(), absl::StatusCode::kFailedPrecondition)
      << ecdsa_with_rsa.status();
  absl::StatusOr<Bytes> ed_with_ec = SignMessage(token(), ec.private_key.handle(),
                                                 SignatureAlgorithm::kEd25519, ToBytes("m"));
  EXPECT_EQ(ed_with_ec.status().code(), absl::StatusCode::kFailedPrecondition)
      << ed_with_ec.status();
  YJ_ASSERT_OK_AND_ASSIGN(Bytes good, SignMessage(token(), ec.private_key.handle(),
                                                  SignatureAlgorithm::kEcdsaSha256, ToBytes("m")));
  absl::StatusOr<bool> verify_with_rsa = VerifyMessage(
      token(), rsa.public_key.handle(), SignatureAlgorithm::kEcdsaSha256, ToBytes("m"), good);
  EXPECT_TRUE(!verify_with_rsa.ok() || !*verify_with_rsa) << "an RSA key verified ECDSA";
  if (!verify_with_rsa.ok()) {
    EXPECT_EQ(verify_with_rsa.status().code(), absl::StatusCode::kFailedPrecondition);
  }
  // A public key cannot sign.
  absl::StatusOr<Bytes> with_public = SignMessage(token(), ec.public_key.handle(),
                                                  SignatureAlgorithm::kEcdsaSha256, ToBytes("m"));
  EXPECT_FALSE(with_public.ok());
  EXPECT_NE(with_public.status().code(), absl::StatusCode::kInternal) << with_public.status();
}

TEST_F(SigningErrorsTest, Sm2IsNotAnHsmMechanismHere) {
  YJ_ASSERT_OK_AND_ASSIGN(ScopedKeyPair ec, GenerateEcKeyPair(token(), EcCurve::kP256, {}));
  absl::StatusOr<Bytes> sm2 = SignMessage(token(), ec.private_key.handle(),
                                          SignatureAlgorithm::kSm2Sm3, ToBytes("m"));
  EXPECT_EQ(sm2.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(SigningErrorsTest, MalformedEcdsaSignatureIsFalseNotError) {
  YJ_ASSERT_OK_AND_ASSIGN(ScopedKeyPair ec, GenerateEcKeyPair(token(), EcCurve::kP256, {}));
  YJ_ASSERT_OK_AND_ASSIGN(bool valid,
                          VerifyMessage(token(), ec.public_key.handle(),
                                        SignatureAlgorithm::kEcdsaSha256, ToBytes("m"),
                                        ToBytes("not DER at all")));
  EXPECT_FALSE(valid);
}

TEST_F(SigningErrorsTest, EmptyMessagesSignAndLeaveSessionsClean) {
  // An empty input once reached SoftHSM as a null pointer: CKR_ARGUMENTS_BAD, and the session
  // kept the open operation (CKR_OPERATION_ACTIVE on every later use).
  YJ_ASSERT_OK_AND_ASSIGN(ScopedKeyPair ed, GenerateEd25519KeyPair(token(), {}));
  const uint64_t broken = token().pool().stats().broken;
  for (int i = 0; i < 3; ++i) {
    YJ_ASSERT_OK_AND_ASSIGN(Bytes signature, SignMessage(token(), ed.private_key.handle(),
                                                         SignatureAlgorithm::kEd25519, Bytes()));
    YJ_ASSERT_OK_AND_ASSIGN(bool valid, VerifyMessage(token(), ed.public_key.handle(),
                                                      SignatureAlgorithm::kEd25519, Bytes(),
                                                      signature));
    EXPECT_TRUE(valid);
  }
  EXPECT_EQ(token().pool().stats().broken, broken);
}

TEST_F(SigningErrorsTest, DestroyedKeyIsNotFound) {
  CK_OBJECT_HANDLE handle;
  {
    YJ_ASSERT_OK_AND_ASSIGN(ScopedKeyPair ec, GenerateEcKeyPair(token(), EcCurve::kP256, {}));
    handle = ec.private_key.handle();
  }
  EXPECT_EQ(SignMessage(token(), handle, SignatureAlgorithm::kEcdsaSha256, ToBytes("m"))
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace yinjian::hsm
