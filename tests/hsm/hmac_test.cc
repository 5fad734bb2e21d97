// HMAC-SHA-2 in a real SoftHSM token: tags equal OpenSSL's and RFC 4231's for the same known key,
// verification rejects every altered tag or message, and wrong algorithms or keys fail cleanly.
#include "hsm/hmac.h"

#include <gtest/gtest.h>

#include <iostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "hsm/ck_rv.h"
#include "hsm/key_generation.h"
#include "hsm/software_hmac.h"
#include "tests/support/openssl_cli.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/token_fixture.h"

namespace yinjian::hsm {
namespace {

using ::yinjian::testing::Hex;
using ::yinjian::testing::Unhex;

class HmacTest : public ::yinjian::testing::TokenTest {};

constexpr DigestAlgorithm kShaDigests[] = {DigestAlgorithm::kSha256, DigestAlgorithm::kSha384,
                                           DigestAlgorithm::kSha512};

std::string Name(DigestAlgorithm digest) { return DigestEvpName(digest); }

SecureBytes Secret(const Bytes& b) { return SecureBytes(b.begin(), b.end()); }

void ExpectFailedPrecondition(const absl::Status& status, const std::string& what) {
  ASSERT_FALSE(status.ok()) << what;
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << what << ": " << status;
  std::cout << what << ": " << status << "\n";
}

TEST_F(HmacTest, MatchesOpensslForKnownKey) {
  Bytes key_value(64);
  for (size_t i = 0; i < key_value.size(); ++i) key_value[i] = static_cast<uint8_t>(i * 7 + 3);
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject key,
                          CreateKnownSecretKey(CKK_GENERIC_SECRET, key_value, {}));
  for (DigestAlgorithm digest : kShaDigests) {
    for (const Bytes& message : {Bytes(), ToBytes("x"), Bytes(10000, 0x5c)}) {
      YJ_ASSERT_OK_AND_ASSIGN(Bytes tag, HmacSign(token(), key.handle(), digest, message));
      YJ_ASSERT_OK_AND_ASSIGN(Bytes expected, SoftwareHmac(digest, Secret(key_value), message));
      EXPECT_EQ(tag.size(), DigestLength(digest));
      EXPECT_EQ(Hex(tag), Hex(expected)) << Name(digest) << ", message size " << message.size();
    }
  }
}

// RFC 4231 test case 6 (131-byte key, longer than every block size): all three SHA-2 sizes.
TEST_F(HmacTest, Rfc4231TestCase6) {
  const Bytes key_value(131, 0xaa);
  const Bytes message = ToBytes("Test Using Larger Than Block-Size Key - Hash Key First");
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject key,
                          CreateKnownSecretKey(CKK_GENERIC_SECRET, key_value, {}));
  const std::pair<DigestAlgorithm, const char*> vectors[] = {
      {DigestAlgorithm::kSha256,
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {DigestAlgorithm::kSha384,
       "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
       "0c2ef6ab4030fe8296248df163f44952"},
      {DigestAlgorithm::kSha512,
       "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
       "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"},
  };
  for (const auto& [digest, expected] : vectors) {
    YJ_ASSERT_OK_AND_ASSIGN(Bytes tag, HmacSign(token(), key.handle(), digest, message));
    EXPECT_EQ(Hex(tag), expected) << Name(digest);
    YJ_ASSERT_OK_AND_ASSIGN(bool ok,
                            HmacVerify(token(), key.handle(), digest, message, Unhex(expected)));
    EXPECT_TRUE(ok) << Name(digest);
  }
}

// RFC 4231 test case 7 (131-byte key and a message longer than a block).
TEST_F(HmacTest, Rfc4231TestCase7) {
  const Bytes key_value(131, 0xaa);
  const Bytes message = ToBytes(
      "This is a test using a larger than block-size key and a larger than block-size data. The "
      "key needs to be hashed before being used by the HMAC algorithm.");
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject key,
                          CreateKnownSecretKey(CKK_GENERIC_SECRET, key_value, {}));
  const std::pair<DigestAlgorithm, const char*> vectors[] = {
      {DigestAlgorithm::kSha256,
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
      {DigestAlgorithm::kSha384,
       "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5"
       "a678cc31e799176d3860e6110c46523e"},
      {DigestAlgorithm::kSha512,
       "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
       "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58"},
  };
  for (const auto& [digest, expected] : vectors) {
    YJ_ASSERT_OK_AND_ASSIGN(Bytes tag, HmacSign(token(), key.handle(), digest, message));
    EXPECT_EQ(Hex(tag), expected) << Name(digest);
  }
}

// RFC 4231 test cases 1 and 2 use 20- and 4-byte keys. SoftHSM 2.6 refuses HMAC keys shorter
// than the digest (CKR_KEY_SIZE_RANGE at C_SignInit); a token that accepts them must give the
// RFC's tags. Either way the outcome is checked, and printed.
TEST_F(HmacTest, Rfc4231ShortKeysAreRefusedOrCorrect) {
  struct Case {
    const char* name;
    Bytes key;
    Bytes message;
    const char* expected;
  };
  const Case cases[] = {
      {"test case 1", Bytes(20, 0x0b), ToBytes("Hi There"),
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"test case 2", ToBytes("Jefe"), ToBytes("what do ya want for nothing?"),
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
  };
  for (const Case& c : cases) {
    YJ_ASSERT_OK_AND_ASSIGN(ScopedObject key, CreateKnownSecretKey(CKK_GENERIC_SECRET, c.key, {}));
    absl::StatusOr<Bytes> tag =
        HmacSign(token(), key.handle(), DigestAlgorithm::kSha256, c.message);
    std::cout << "RFC 4231 " << c.name << " (" << c.key.size()
              << "-byte key): " << (tag.ok() ? "accepted" : tag.status().ToString()) << "\n";
    if (tag.ok()) {
      EXPECT_EQ(Hex(*tag), c.expected) << c.name;
    } else {
      EXPECT_EQ(tag.status().code(), absl::StatusCode::kInvalidArgument) << tag.status();
      EXPECT_EQ(CkRvFromStatus(tag.status()), CKR_KEY_SIZE_RANGE) << tag.status();
    }
  }
}

// A key as long as the digest always works; one byte shorter works correctly or is refused.
TEST_F(HmacTest, KeyAsLongAsTheDigestWorks) {
  for (DigestAlgorithm digest : kShaDigests) {
    const size_t length = DigestLength(digest);
    for (size_t key_length : {length, length - 1}) {
      Bytes key_value(key_length);
      for (size_t i = 0; i < key_length; ++i) key_value[i] = static_cast<uint8_t>(0x30 + i);
      YJ_ASSERT_OK_AND_ASSIGN(ScopedObject key,
                              CreateKnownSecretKey(CKK_GENERIC_SECRET, key_value, {}));
      absl::StatusOr<Bytes> tag = HmacSign(token(), key.handle(), digest, ToBytes("m"));
      if (key_length == length || tag.ok()) {
        YJ_ASSERT_OK(tag);
        YJ_ASSERT_OK_AND_ASSIGN(Bytes expected,
                                SoftwareHmac(digest, Secret(key_value), ToBytes("m")));
        EXPECT_EQ(Hex(*tag), Hex(expected)) << Name(digest) << ", key " << key_length;
      } else {
        EXPECT_EQ(tag.status().code(), absl::StatusCode::kInvalidArgument) << tag.status();
        std::cout << Name(digest) << " with a " << key_length << "-byte key: " << tag.status()
                  << "\n";
      }
    }
  }
}

TEST_F(HmacTest, VerifyAcceptsOnlyTheRightTag) {
  // 64 bytes: SoftHSM refuses HMAC keys shorter than the digest.
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject key, GenerateGenericSecret(token(), 64, {}));
  const Bytes message = ToBytes("transfer 100 to alice");
  for (DigestAlgorithm digest : kShaDigests) {
    YJ_ASSERT_OK_AND_ASSIGN(Bytes tag, HmacSign(token(), key.handle(), digest, message));
    YJ_ASSERT_OK_AND_ASSIGN(bool ok, HmacVerify(token(), key.handle(), digest, message, tag));
    EXPECT_TRUE(ok) << Name(digest);

    for (size_t i = 0; i < tag.size(); ++i) {
      Bytes bad = tag;
      bad[i] ^= 0x01;
      YJ_ASSERT_OK_AND_ASSIGN(bool flipped,
                              HmacVerify(token(), key.handle(), digest, message, bad));
      EXPECT_FALSE(flipped) << Name(digest) << " flipped byte " << i;
    }
    for (size_t length : {size_t{0}, size_t{1}, size_t{16}, tag.size() - 1}) {
      YJ_ASSERT_OK_AND_ASSIGN(bool truncated, HmacVerify(token(), key.handle(), digest, message,
                                                         absl::MakeConstSpan(tag.data(), length)));
      EXPECT_FALSE(truncated) << Name(digest) << " truncated to " << length;
    }
    Bytes extended = tag;
    extended.push_back(0);
    YJ_ASSERT_OK_AND_ASSIGN(bool longer,
                            HmacVerify(token(), key.handle(), digest, message, extended));
    EXPECT_FALSE(longer) << Name(digest) << " extended tag";

    YJ_ASSERT_OK_AND_ASSIGN(bool other, HmacVerify(token(), key.handle(), digest,
                                                   ToBytes("transfer 900 to alice"), tag));
    EXPECT_FALSE(other) << Name(digest) << " wrong message";
  }
  // A tag for one digest is not a tag for another, even where lengths agree after truncation.
  YJ_ASSERT_OK_AND_ASSIGN(Bytes tag512,
                          HmacSign(token(), key.handle(), DigestAlgorithm::kSha512, message));
  YJ_ASSERT_OK_AND_ASSIGN(bool cross, HmacVerify(token(), key.handle(), DigestAlgorithm::kSha256,
                                                 message, absl::MakeConstSpan(tag512.data(), 32)));
  EXPECT_FALSE(cross);
}

TEST_F(HmacTest, DifferentKeysGiveDifferentTags) {
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject a, GenerateGenericSecret(token(), 32, {}));
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject b, GenerateGenericSecret(token(), 32, {}));
  const Bytes message = ToBytes("m");
  YJ_ASSERT_OK_AND_ASSIGN(Bytes tag_a,
                          HmacSign(token(), a.handle(), DigestAlgorithm::kSha256, message));
  YJ_ASSERT_OK_AND_ASSIGN(Bytes tag_b,
                          HmacSign(token(), b.handle(), DigestAlgorithm::kSha256, message));
  EXPECT_NE(tag_a, tag_b);
  YJ_ASSERT_OK_AND_ASSIGN(
      bool ok, HmacVerify(token(), b.handle(), DigestAlgorithm::kSha256, message, tag_a));
  EXPECT_FALSE(ok);
}

TEST_F(HmacTest, Sm3IsFailedPrecondition) {
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject key, GenerateGenericSecret(token(), 32, {}));
  ExpectFailedPrecondition(
      HmacSign(token(), key.handle(), DigestAlgorithm::kSm3, ToBytes("m")).status(),
      "HmacSign kSm3");
  ExpectFailedPrecondition(
      HmacVerify(token(), key.handle(), DigestAlgorithm::kSm3, ToBytes("m"), Bytes(32)).status(),
      "HmacVerify kSm3");
}

TEST_F(HmacTest, AesKeyIsWrongKeyType) {
  // Allowed to sign, so the only thing wrong is its type.
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject aes,
                          GenerateAesKey(token(), 32, {.usage = kUsageSign | kUsageVerify}));
  ExpectFailedPrecondition(
      HmacSign(token(), aes.handle(), DigestAlgorithm::kSha256, ToBytes("m")).status(),
      "HmacSign with AES key (CKA_SIGN)");
  ExpectFailedPrecondition(
      HmacVerify(token(), aes.handle(), DigestAlgorithm::kSha256, ToBytes("m"), Bytes(32)).status(),
      "HmacVerify with AES key (CKA_VERIFY)");
  // And an ordinary encrypt/decrypt AES key.
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject aes_plain, GenerateAesKey(token(), 32, {}));
  ExpectFailedPrecondition(
      HmacSign(token(), aes_plain.handle(), DigestAlgorithm::kSha256, ToBytes("m")).status(),
      "HmacSign with AES key (encrypt/decrypt)");
}

TEST_F(HmacTest, EcPrivateKeyIsWrongKeyType) {
  YJ_ASSERT_OK_AND_ASSIGN(ScopedKeyPair pair, GenerateEcKeyPair(token(), EcCurve::kP256, {}));
  ExpectFailedPrecondition(
      HmacSign(token(), pair.private_key.handle(), DigestAlgorithm::kSha256, ToBytes("m")).status(),
      "HmacSign with EC private key");
  ExpectFailedPrecondition(HmacVerify(token(), pair.public_key.handle(), DigestAlgorithm::kSha256,
                                      ToBytes("m"), Bytes(32))
                               .status(),
                           "HmacVerify with EC public key");
}

TEST_F(HmacTest, KeyWithoutSignUsageFails) {
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject verify_only,
                          GenerateGenericSecret(token(), 32, {.usage = kUsageVerify}));
  ExpectFailedPrecondition(
      HmacSign(token(), verify_only.handle(), DigestAlgorithm::kSha256, ToBytes("m")).status(),
      "HmacSign with verify-only key");
}

}  // namespace
}  // namespace yinjian::hsm
