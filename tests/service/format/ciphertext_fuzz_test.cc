// A bounded, deterministic fuzz loop over ParseCiphertext: random bytes and mutations of valid
// ciphertexts. Each input is copied into a heap buffer of exactly its size, so a read past the
// end is caught by ASan (make sanitize) and not hidden by std::string's spare capacity.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "service/format/ciphertext_format.h"
#include "tests/support/status_test_macros.h"

namespace yinjian::format {
namespace {

constexpr int kIterations = 200000;

struct Tally {
  int parsed = 0;
  int rejected = 0;
};

std::string RandomBytes(std::mt19937& rng, size_t length) {
  std::string bytes(length, '\0');
  for (char& c : bytes) c = static_cast<char>(rng() & 0xff);
  return bytes;
}

std::vector<std::string> Seeds() {
  std::vector<std::string> seeds;
  const CiphertextHeader headers[] = {
      {.algorithm = Algorithm::kAes256Gcm, .department = "finance", .key = "invoices",
       .version = 3},
      {.algorithm = Algorithm::kSm4CtrHmacSm3, .department = "a", .key = "b", .version = 1},
      {.algorithm = Algorithm::kAes256Gcm, .department = std::string(64, 'd'),
       .key = std::string(128, 'k'), .version = 2147483647},
  };
  std::mt19937 rng(7);
  for (const CiphertextHeader& header : headers) {
    const std::string encoded = EncodeHeader(header).value();
    seeds.push_back(encoded + RandomBytes(rng, MinimumPayloadLength(header.algorithm)));
    seeds.push_back(encoded + RandomBytes(rng, MinimumPayloadLength(header.algorithm) + 17));
  }
  return seeds;
}

// One of: flip a byte, set a byte, truncate, insert a byte, delete a byte; one to four times.
std::string Mutate(std::mt19937& rng, std::string input) {
  const int rounds = 1 + static_cast<int>(rng() % 4);
  for (int round = 0; round < rounds; ++round) {
    const size_t position = input.empty() ? 0 : rng() % input.size();
    switch (rng() % 5) {
      case 0:
        if (!input.empty()) input[position] ^= static_cast<char>(1u << (rng() % 8));
        break;
      case 1:
        if (!input.empty()) input[position] = static_cast<char>(rng() & 0xff);
        break;
      case 2:
        input.resize(position);
        break;
      case 3:
        input.insert(position, 1, static_cast<char>(rng() & 0xff));
        break;
      default:
        if (!input.empty()) input.erase(position, 1);
        break;
    }
  }
  return input;
}

// Parses `input` from an exactly sized buffer and checks the result's invariants.
void CheckOne(const std::string& input, Tally& tally) {
  const size_t size = input.size();
  std::unique_ptr<char[]> buffer(new char[size == 0 ? 1 : size]);
  std::copy(input.begin(), input.end(), buffer.get());
  const absl::string_view view(buffer.get(), size);

  const auto parsed = ParseCiphertext(view);
  if (!parsed.ok()) {
    ++tally.rejected;
    ASSERT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    ASSERT_TRUE(absl::StartsWith(parsed.status().message(), "malformed ciphertext: "))
        << parsed.status();
    ASSERT_LT(parsed.status().message().size(), 64u) << parsed.status();
    return;
  }
  ++tally.parsed;
  // The header and payload tile the input exactly, and the header re-encodes byte for byte.
  ASSERT_EQ(parsed->header_bytes.data(), view.data());
  ASSERT_EQ(parsed->payload.data(), view.data() + parsed->header_bytes.size());
  ASSERT_EQ(parsed->header_bytes.size() + parsed->payload.size(), size);
  ASSERT_GE(parsed->payload.size(), MinimumPayloadLength(parsed->header.algorithm));
  const auto reencoded = EncodeHeader(parsed->header);
  ASSERT_TRUE(reencoded.ok()) << reencoded.status();
  ASSERT_EQ(*reencoded, parsed->header_bytes);
}

TEST(CiphertextFuzzTest, RandomAndMutatedInputsNeverCrashAndFailCleanly) {
  const std::vector<std::string> seeds = Seeds();
  std::mt19937 rng(20240601);
  Tally tally;
  for (int i = 0; i < kIterations; ++i) {
    std::string input;
    switch (i % 4) {
      case 0:  // random bytes
        input = RandomBytes(rng, rng() % 300);
        break;
      case 1:  // a valid prefix, then random bytes: reaches the name and version checks
        input = "YJC\x01" + std::string(1, static_cast<char>(1 + rng() % 2)) +
                RandomBytes(rng, rng() % 300);
        break;
      default:  // mutations of valid ciphertexts
        input = Mutate(rng, seeds[rng() % seeds.size()]);
        break;
    }
    ASSERT_NO_FATAL_FAILURE(CheckOne(input, tally)) << "iteration " << i;
  }
  // Both outcomes were exercised, so the checks above ran on each path.
  EXPECT_GT(tally.parsed, 1000);
  EXPECT_GT(tally.rejected, 1000);
}

}  // namespace
}  // namespace yinjian::format
