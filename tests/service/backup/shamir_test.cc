#include "service/backup/shamir.h"

#include <gtest/gtest.h>
#include <openssl/rand.h>

#include <vector>

#include "tests/support/status_test_macros.h"

namespace yinjian::backup {
namespace {

hsm::SecureBytes RandomSecret(size_t size) {
  hsm::SecureBytes secret(size);
  EXPECT_EQ(RAND_bytes(secret.data(), int(secret.size())), 1);
  return secret;
}

TEST(ShamirTest, AnyThresholdOfTheSharesRebuildsTheSecret) {
  const hsm::SecureBytes secret = RandomSecret(32);
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<Share> shares, SplitSecret(secret, 5, 3));
  ASSERT_EQ(shares.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(shares[i].index, i + 1);
    EXPECT_EQ(shares[i].y.size(), 32u);
    EXPECT_NE(shares[i].y, secret) << "a share must not be the secret";
  }
  // Every 3-subset, and more than three, in any order.
  for (int a = 0; a < 5; ++a) {
    for (int b = a + 1; b < 5; ++b) {
      for (int c = b + 1; c < 5; ++c) {
        std::vector<Share> some = {shares[c], shares[a], shares[b]};
        YJ_ASSERT_OK_AND_ASSIGN(hsm::SecureBytes rebuilt, CombineShares(some));
        EXPECT_EQ(rebuilt, secret) << a << b << c;
      }
    }
  }
  YJ_ASSERT_OK_AND_ASSIGN(hsm::SecureBytes all, CombineShares(shares));
  EXPECT_EQ(all, secret);
}

TEST(ShamirTest, FewerSharesThanTheThresholdGiveAnotherSecret) {
  const hsm::SecureBytes secret = RandomSecret(32);
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<Share> shares, SplitSecret(secret, 4, 3));
  std::vector<Share> two = {shares[0], shares[2]};
  YJ_ASSERT_OK_AND_ASSIGN(hsm::SecureBytes rebuilt, CombineShares(two));
  EXPECT_NE(rebuilt, secret);
}

TEST(ShamirTest, SplitsAreRandomised) {
  const hsm::SecureBytes secret = RandomSecret(16);
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<Share> first, SplitSecret(secret, 2, 2));
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<Share> second, SplitSecret(secret, 2, 2));
  EXPECT_NE(first[0].y, second[0].y);
}

TEST(ShamirTest, RefusesBadParametersAndShares) {
  const hsm::SecureBytes secret = RandomSecret(32);
  EXPECT_EQ(SplitSecret(secret, 3, 1).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SplitSecret(secret, 3, 4).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SplitSecret(secret, 1, 1).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SplitSecret(secret, 256, 2).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SplitSecret({}, 3, 2).status().code(), absl::StatusCode::kInvalidArgument);
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<Share> shares, SplitSecret(secret, 3, 2));
  EXPECT_EQ(CombineShares({}).status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<Share> twice = {shares[1], shares[1]};
  EXPECT_EQ(CombineShares(twice).status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<Share> uneven = {shares[0], shares[1]};
  uneven[1].y.pop_back();
  EXPECT_EQ(CombineShares(uneven).status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<Share> zero = {shares[0], shares[1]};
  zero[0].index = 0;
  EXPECT_EQ(CombineShares(zero).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace yinjian::backup
