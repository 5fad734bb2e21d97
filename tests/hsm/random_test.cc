// Random bytes from a real SoftHSM token: the allowed lengths, the refused ones, and a sanity
// check that the output is not constant or badly skewed.
#include "hsm/random.h"

#include <gtest/gtest.h>

#include <array>
#include <iostream>

#include "tests/support/status_test_macros.h"
#include "tests/support/token_fixture.h"

namespace yinjian::hsm {
namespace {

class RandomTest : public ::yinjian::testing::TokenTest {};

TEST_F(RandomTest, AllowedLengths) {
  for (size_t count : {size_t{1}, size_t{32}, size_t{1000}, kMaxRandomBytes}) {
    YJ_ASSERT_OK_AND_ASSIGN(Bytes bytes, GenerateRandom(token(), count));
    EXPECT_EQ(bytes.size(), count);
  }
}

TEST_F(RandomTest, RefusedLengths) {
  for (size_t count : {size_t{0}, kMaxRandomBytes + 1, size_t{1} << 30}) {
    absl::StatusOr<Bytes> bytes = GenerateRandom(token(), count);
    ASSERT_FALSE(bytes.ok()) << count;
    EXPECT_EQ(bytes.status().code(), absl::StatusCode::kInvalidArgument) << bytes.status();
  }
}

TEST_F(RandomTest, DrawsDiffer) {
  YJ_ASSERT_OK_AND_ASSIGN(Bytes a, GenerateRandom(token(), 32));
  YJ_ASSERT_OK_AND_ASSIGN(Bytes b, GenerateRandom(token(), 32));
  EXPECT_NE(a, b);
  EXPECT_NE(a, Bytes(32, 0));
}

TEST_F(RandomTest, LargeDrawLooksUniform) {
  YJ_ASSERT_OK_AND_ASSIGN(Bytes bytes, GenerateRandom(token(), kMaxRandomBytes));
  std::array<size_t, 256> counts = {};
  for (uint8_t b : bytes) ++counts[b];
  // 65536 bytes over 256 values: 256 expected each, standard deviation ~16. Bounds of 128..400
  // are > 8 sigma away, so a healthy generator essentially never trips them.
  size_t zeros = counts[0];
  for (size_t value = 0; value < counts.size(); ++value) {
    EXPECT_GE(counts[value], 128u) << "byte value " << value;
    EXPECT_LE(counts[value], 400u) << "byte value " << value;
  }
  EXPECT_LT(zeros, bytes.size());
  // Chi-square with 255 degrees of freedom: mean 255, sd ~22.6; 400 is > 6 sigma.
  double chi_square = 0;
  for (size_t c : counts) {
    const double d = static_cast<double>(c) - 256.0;
    chi_square += d * d / 256.0;
  }
  EXPECT_LT(chi_square, 400.0);
  std::cout << "chi-square over 256 byte values: " << chi_square << "\n";
}

}  // namespace
}  // namespace yinjian::hsm
