#include "hsm/software_digest.h"

#include <gtest/gtest.h>

#include <string>

#include "absl/strings/ascii.h"
#include "tests/support/openssl_cli.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::hsm {
namespace {

using ::yinjian::testing::Hex;
using ::yinjian::testing::RunOpensslCliOk;
using ::yinjian::testing::TempDir;

TEST(SoftwareDigestTest, KnownAnswers) {
  YJ_ASSERT_OK_AND_ASSIGN(Bytes sha256, SoftwareDigest(DigestAlgorithm::kSha256, ToBytes("abc")));
  EXPECT_EQ(Hex(sha256), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  YJ_ASSERT_OK_AND_ASSIGN(Bytes sm3, SoftwareDigest(DigestAlgorithm::kSm3, ToBytes("abc")));
  EXPECT_EQ(Hex(sm3), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
}

TEST(SoftwareDigestTest, MatchesOpensslCliForEveryAlgorithm) {
  YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
  const Bytes message(1000, 0xa5);
  YJ_ASSERT_OK_AND_ASSIGN(std::string path, dir.WriteFile("msg", message));
  for (auto [digest, flag] :
       std::vector<std::pair<DigestAlgorithm, std::string>>{{DigestAlgorithm::kSha256, "-sha256"},
                                                            {DigestAlgorithm::kSha384, "-sha384"},
                                                            {DigestAlgorithm::kSha512, "-sha512"},
                                                            {DigestAlgorithm::kSm3, "-sm3"}}) {
    YJ_ASSERT_OK_AND_ASSIGN(Bytes ours, SoftwareDigest(digest, message));
    EXPECT_EQ(ours.size(), DigestLength(digest));
    YJ_ASSERT_OK_AND_ASSIGN(std::string cli, RunOpensslCliOk({"dgst", flag, "-r", path}));
    // `-r` prints "<hex> *<file>".
    EXPECT_EQ(Hex(ours), absl::AsciiStrToLower(cli.substr(0, 2 * ours.size()))) << flag;
  }
}

TEST(SoftwareDigestTest, EmptyMessage) {
  YJ_ASSERT_OK_AND_ASSIGN(Bytes sha256, SoftwareDigest(DigestAlgorithm::kSha256, Bytes()));
  EXPECT_EQ(Hex(sha256), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

}  // namespace
}  // namespace yinjian::hsm
