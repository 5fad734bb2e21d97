#include "hsm/software_hmac.h"

#include <gtest/gtest.h>

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "tests/support/openssl_cli.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::hsm {
namespace {

using ::yinjian::testing::Hex;
using ::yinjian::testing::RunOpensslCliOk;
using ::yinjian::testing::TempDir;

// RFC 4231 test case 2.
TEST(SoftwareHmacTest, HmacSha256Rfc4231Case2) {
  const SecureBytes key = {'J', 'e', 'f', 'e'};
  YJ_ASSERT_OK_AND_ASSIGN(Bytes tag, SoftwareHmac(DigestAlgorithm::kSha256, key,
                                                  ToBytes("what do ya want for nothing?")));
  EXPECT_EQ(Hex(tag), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(SoftwareHmacTest, MatchesOpensslCliForEveryDigest) {
  YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
  const Bytes message = ToBytes("message for every digest");
  YJ_ASSERT_OK_AND_ASSIGN(std::string path, dir.WriteFile("msg", message));
  const SecureBytes key(40, 0x0b);
  for (auto [digest, name] :
       std::vector<std::pair<DigestAlgorithm, std::string>>{{DigestAlgorithm::kSha256, "SHA256"},
                                                            {DigestAlgorithm::kSha384, "SHA384"},
                                                            {DigestAlgorithm::kSha512, "SHA512"},
                                                            {DigestAlgorithm::kSm3, "SM3"}}) {
    YJ_ASSERT_OK_AND_ASSIGN(Bytes tag, SoftwareHmac(digest, key, message));
    EXPECT_EQ(tag.size(), DigestLength(digest));
    YJ_ASSERT_OK_AND_ASSIGN(
        std::string cli,
        RunOpensslCliOk({"mac", "-digest", name, "-macopt",
                         absl::StrCat("hexkey:", Hex(Bytes(key.begin(), key.end()))), "-in", path,
                         "HMAC"}));
    EXPECT_EQ(Hex(tag), absl::AsciiStrToLower(absl::StripAsciiWhitespace(cli))) << name;
  }
}

TEST(SoftwareHmacTest, PartsEqualTheConcatenation) {
  const SecureBytes key(32, 0x42);
  const Bytes a = ToBytes("first"), b = ToBytes(""), c = ToBytes("third");
  const absl::Span<const uint8_t> parts[] = {a, b, c};
  YJ_ASSERT_OK_AND_ASSIGN(Bytes from_parts, SoftwareHmacOfParts(DigestAlgorithm::kSm3, key, parts));
  YJ_ASSERT_OK_AND_ASSIGN(Bytes whole,
                          SoftwareHmac(DigestAlgorithm::kSm3, key, ToBytes("firstthird")));
  EXPECT_EQ(from_parts, whole);
}

TEST(SoftwareHmacTest, VerifyIsExact) {
  const SecureBytes key(32, 0x42);
  const Bytes message = ToBytes("m");
  YJ_ASSERT_OK_AND_ASSIGN(Bytes tag, SoftwareHmac(DigestAlgorithm::kSha512, key, message));
  YJ_ASSERT_OK_AND_ASSIGN(bool ok, VerifySoftwareHmac(DigestAlgorithm::kSha512, key, message, tag));
  EXPECT_TRUE(ok);
  YJ_ASSERT_OK_AND_ASSIGN(bool other_digest,
                          VerifySoftwareHmac(DigestAlgorithm::kSha384, key, message, tag));
  EXPECT_FALSE(other_digest);
  tag.back() ^= 1;
  YJ_ASSERT_OK_AND_ASSIGN(bool flipped,
                          VerifySoftwareHmac(DigestAlgorithm::kSha512, key, message, tag));
  EXPECT_FALSE(flipped);
  EXPECT_EQ(SoftwareHmac(DigestAlgorithm::kSha256, SecureBytes(), message).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace yinjian::hsm
