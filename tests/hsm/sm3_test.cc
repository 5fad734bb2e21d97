#include "hsm/sm3.h"

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
using ::yinjian::testing::Unhex;

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

SecureBytes SecureFromHex(std::string_view hex) {
  Bytes raw = Unhex(hex);
  return SecureBytes(raw.begin(), raw.end());
}

// GM/T 0004-2012 Appendix A, example 1.
TEST(Sm3Test, StandardVectorAbc) {
  YJ_ASSERT_OK_AND_ASSIGN(Bytes digest, Sm3Digest(ToBytes("abc")));
  EXPECT_EQ(Hex(digest), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
}

// GM/T 0004-2012 Appendix A, example 2 (a 512-bit message: two blocks after padding).
TEST(Sm3Test, StandardVectorAbcdTimes16) {
  YJ_ASSERT_OK_AND_ASSIGN(Bytes digest, Sm3Digest(ToBytes(Repeat("abcd", 16))));
  EXPECT_EQ(Hex(digest), "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
}

TEST(Sm3Test, HasherMatchesOneShotAcrossChunks) {
  YJ_ASSERT_OK_AND_ASSIGN(auto hasher, Sm3Hasher::Create());
  for (int i = 0; i < 16; ++i) YJ_ASSERT_OK(hasher->Update(ToBytes("abcd")));
  YJ_ASSERT_OK(hasher->Update(Bytes()));  // empty updates are harmless
  YJ_ASSERT_OK_AND_ASSIGN(Bytes digest, hasher->Finish());
  EXPECT_EQ(Hex(digest), "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
}

TEST(Sm3Test, HasherRefusesUseAfterFinish) {
  YJ_ASSERT_OK_AND_ASSIGN(auto hasher, Sm3Hasher::Create());
  YJ_ASSERT_OK(hasher->Finish().status());
  EXPECT_EQ(hasher->Update(ToBytes("x")).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(hasher->Finish().status().code(), absl::StatusCode::kFailedPrecondition);
}

// HMAC-SM3 has no GM/T vector, so cross-check against `openssl mac`, for keys shorter than, equal
// to and longer than SM3's 64-byte block, and an empty message.
TEST(HmacSm3Test, MatchesOpensslCli) {
  YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
  const std::string message = Repeat("The quick brown fox jumps over the lazy dog. ", 7);
  for (size_t key_len : {1u, 16u, 32u, 64u, 100u}) {
    for (const std::string& msg : {message, std::string()}) {
      SecureBytes key(key_len);
      for (size_t i = 0; i < key_len; ++i) key[i] = static_cast<uint8_t>(i * 7 + key_len);
      YJ_ASSERT_OK_AND_ASSIGN(Bytes tag, HmacSm3(key, ToBytes(msg)));
      YJ_ASSERT_OK_AND_ASSIGN(std::string msg_path, dir.WriteFile("msg", msg));
      YJ_ASSERT_OK_AND_ASSIGN(
          std::string cli,
          RunOpensslCliOk({"mac", "-digest", "SM3", "-macopt",
                           absl::StrCat("hexkey:", Hex(Bytes(key.begin(), key.end()))), "-in",
                           msg_path, "HMAC"}));
      EXPECT_EQ(Hex(tag), absl::AsciiStrToLower(absl::StripAsciiWhitespace(cli)))
          << "key_len=" << key_len << " msg_len=" << msg.size();
    }
  }
}

TEST(HmacSm3Test, VerifyAcceptsOnlyTheRightTag) {
  SecureBytes key = SecureFromHex("000102030405060708090a0b0c0d0e0f");
  const Bytes message = ToBytes("message");
  YJ_ASSERT_OK_AND_ASSIGN(Bytes tag, HmacSm3(key, message));
  ASSERT_EQ(tag.size(), kSm3DigestLength);
  YJ_ASSERT_OK_AND_ASSIGN(bool ok, VerifyHmacSm3(key, message, tag));
  EXPECT_TRUE(ok);

  for (size_t i = 0; i < tag.size(); ++i) {
    Bytes bad = tag;
    bad[i] ^= 0x01;
    YJ_ASSERT_OK_AND_ASSIGN(bool bad_ok, VerifyHmacSm3(key, message, bad));
    EXPECT_FALSE(bad_ok) << "byte " << i;
  }
  YJ_ASSERT_OK_AND_ASSIGN(bool truncated,
                          VerifyHmacSm3(key, message, Bytes(tag.begin(), tag.end() - 1)));
  EXPECT_FALSE(truncated);
  YJ_ASSERT_OK_AND_ASSIGN(bool empty, VerifyHmacSm3(key, message, Bytes()));
  EXPECT_FALSE(empty);
  YJ_ASSERT_OK_AND_ASSIGN(bool other_message, VerifyHmacSm3(key, ToBytes("messagf"), tag));
  EXPECT_FALSE(other_message);
  SecureBytes other_key = key;
  other_key[0] ^= 0x80;
  YJ_ASSERT_OK_AND_ASSIGN(bool other_key_ok, VerifyHmacSm3(other_key, message, tag));
  EXPECT_FALSE(other_key_ok);
}

TEST(HmacSm3Test, EmptyKeyIsInvalidArgument) {
  EXPECT_EQ(HmacSm3(SecureBytes(), ToBytes("m")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyHmacSm3(SecureBytes(), ToBytes("m"), Bytes(32)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace yinjian::hsm
