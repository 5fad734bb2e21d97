#include "service/format/ciphertext_format.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "service/format/encryption_context.h"
#include "tests/support/status_test_macros.h"

namespace yinjian::format {
namespace {

constexpr Algorithm kAlgorithms[] = {Algorithm::kAes256Gcm, Algorithm::kSm4CtrHmacSm3};

CiphertextHeader TestHeader(Algorithm algorithm) {
  return {.algorithm = algorithm, .department = "finance", .key = "invoices", .version = 3};
}

std::string Payload(size_t length) {
  std::string payload(length, '\0');
  for (size_t i = 0; i < length; ++i) payload[i] = static_cast<char>(0xA0 + i * 7);
  return payload;
}

std::string FromHex(absl::string_view hex) { return absl::HexStringToBytes(hex); }

void ExpectMalformed(absl::string_view ciphertext, absl::string_view reason) {
  const auto parsed = ParseCiphertext(ciphertext);
  ASSERT_FALSE(parsed.ok()) << absl::BytesToHexString(ciphertext);
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(parsed.status().message(), std::string("malformed ciphertext: ") + std::string(reason))
      << absl::BytesToHexString(ciphertext);
}

TEST(CiphertextFormatTest, MinimumPayloadLengths) {
  EXPECT_EQ(MinimumPayloadLength(Algorithm::kAes256Gcm), 28u);
  EXPECT_EQ(MinimumPayloadLength(Algorithm::kSm4CtrHmacSm3), 48u);
}

TEST(CiphertextFormatTest, EncodeHeaderLayout) {
  YJ_ASSERT_OK_AND_ASSIGN(
      std::string header,
      EncodeHeader({.algorithm = Algorithm::kSm4CtrHmacSm3, .department = "d", .key = "k2",
                    .version = 0x01020304}));
  EXPECT_EQ(absl::BytesToHexString(header), "594a43" "01" "02" "01" "64" "02" "6b32" "01020304");
}

TEST(CiphertextFormatTest, RoundTripBothAlgorithms) {
  for (Algorithm algorithm : kAlgorithms) {
    for (size_t extra : {size_t{0}, size_t{1}, size_t{1000}}) {
      YJ_ASSERT_OK_AND_ASSIGN(std::string header, EncodeHeader(TestHeader(algorithm)));
      const std::string payload = Payload(MinimumPayloadLength(algorithm) + extra);
      const std::string ciphertext = header + payload;
      YJ_ASSERT_OK_AND_ASSIGN(ParsedCiphertext parsed, ParseCiphertext(ciphertext));
      EXPECT_EQ(parsed.header, TestHeader(algorithm));
      EXPECT_EQ(parsed.header_bytes, header);
      EXPECT_EQ(parsed.payload, payload);
      // Views into the input, not copies.
      EXPECT_EQ(parsed.header_bytes.data(), ciphertext.data());
      EXPECT_EQ(parsed.payload.data(), ciphertext.data() + header.size());
    }
  }
}

TEST(CiphertextFormatTest, RoundTripAtTheLimits) {
  const CiphertextHeader header = {.algorithm = Algorithm::kAes256Gcm,
                                   .department = std::string(64, 'd'),
                                   .key = std::string(128, 'k'),
                                   .version = 2147483647};
  YJ_ASSERT_OK_AND_ASSIGN(std::string encoded, EncodeHeader(header));
  EXPECT_EQ(encoded.size(), 203u);
  EXPECT_EQ(encoded.size(), kMaxHeaderLength);  // the limit arithmetic depends on it
  YJ_ASSERT_OK_AND_ASSIGN(ParsedCiphertext parsed, ParseCiphertext(encoded + Payload(28)));
  EXPECT_EQ(parsed.header, header);

  YJ_ASSERT_OK_AND_ASSIGN(
      std::string smallest,
      EncodeHeader({.algorithm = Algorithm::kAes256Gcm, .department = "a", .key = "b",
                    .version = 1}));
  EXPECT_EQ(smallest.size(), 13u);
}

TEST(CiphertextFormatTest, EncodeHeaderRejectsInvalidFields) {
  const CiphertextHeader bad_headers[] = {
      {.algorithm = Algorithm::kAes256Gcm, .department = "Finance", .key = "k", .version = 1},
      {.algorithm = Algorithm::kAes256Gcm, .department = "", .key = "k", .version = 1},
      {.algorithm = Algorithm::kAes256Gcm, .department = "d", .key = "a..b", .version = 1},
      {.algorithm = Algorithm::kAes256Gcm, .department = "d", .key = std::string(129, 'k'),
       .version = 1},
      {.algorithm = Algorithm::kAes256Gcm, .department = "d", .key = "k", .version = 0},
      {.algorithm = Algorithm::kAes256Gcm, .department = "d", .key = "k", .version = -1},
      {.algorithm = static_cast<Algorithm>(0), .department = "d", .key = "k", .version = 1},
      {.algorithm = static_cast<Algorithm>(3), .department = "d", .key = "k", .version = 1},
  };
  for (const CiphertextHeader& header : bad_headers) {
    EXPECT_EQ(EncodeHeader(header).status().code(), absl::StatusCode::kInvalidArgument)
        << header.department << "/" << header.key << ":" << header.version;
  }
}

TEST(CiphertextFormatTest, ParseRejectsEachMalformedField) {
  const std::string gcm_payload = Payload(28);
  // Header of "finance/invoices:3", AES-256-GCM, split into its fields.
  const std::string magic = FromHex("594a43"), fmt = FromHex("01"), alg = FromHex("01");
  const std::string dept = FromHex("0766696e616e6365"), key = FromHex("08696e766f69636573");
  const std::string version = FromHex("00000003");
  YJ_ASSERT_OK(ParseCiphertext(magic + fmt + alg + dept + key + version + gcm_payload));

  ExpectMalformed("", "truncated header");
  ExpectMalformed("YJ", "truncated header");
  ExpectMalformed("YJC", "truncated header");
  ExpectMalformed("YJD" + fmt + alg + dept + key + version + gcm_payload, "bad magic");
  ExpectMalformed("yjc" + fmt + alg + dept + key + version + gcm_payload, "bad magic");
  for (const char* bad_format : {"00", "02", "ff"}) {
    ExpectMalformed(magic + FromHex(bad_format) + alg + dept + key + version + gcm_payload,
                    "unsupported format version");
  }
  for (const char* bad_algorithm : {"00", "03", "ff"}) {
    ExpectMalformed(magic + fmt + FromHex(bad_algorithm) + dept + key + version + gcm_payload,
                    "unknown algorithm");
  }
  const std::string prefix = magic + fmt + alg;
  ExpectMalformed(prefix + FromHex("00") + key + version + gcm_payload, "invalid department name");
  ExpectMalformed(prefix + "\x41" + std::string(65, 'd') + key + version + gcm_payload,
                  "invalid department name");
  ExpectMalformed(prefix + "\x07" "Finance" + key + version + gcm_payload,
                  "invalid department name");
  ExpectMalformed(prefix + dept + FromHex("00") + version + gcm_payload, "invalid key name");
  ExpectMalformed(prefix + dept + "\x81" + std::string(129, 'k') + version + gcm_payload,
                  "invalid key name");
  ExpectMalformed(prefix + dept + "\x02" ".." + version + gcm_payload, "invalid key name");
  for (const char* bad_version : {"00000000", "80000000", "ffffffff"}) {
    ExpectMalformed(prefix + dept + key + FromHex(bad_version) + gcm_payload,
                    "invalid key version");
  }
  ExpectMalformed(prefix + dept + key + version + Payload(27), "payload too short");
  const std::string sm4_prefix = magic + fmt + FromHex("02") + dept + key + version;
  ExpectMalformed(sm4_prefix + Payload(47), "payload too short");
  YJ_EXPECT_OK(ParseCiphertext(sm4_prefix + Payload(48)));
  // A name length pointing past the end of the input.
  ExpectMalformed(prefix + "\xff" "finance", "truncated header");
}

TEST(CiphertextFormatTest, ErrorsNeverEchoInput) {
  const std::string ciphertext = std::string("YJC\x01\x01\x0aSECRETDEPT\x01k", 18) +
                                 FromHex("00000001") + Payload(28);
  const auto parsed = ParseCiphertext(ciphertext);
  ASSERT_FALSE(parsed.ok());
  EXPECT_FALSE(absl::StrContains(parsed.status().message(), "SECRET")) << parsed.status();
  EXPECT_TRUE(absl::StartsWith(parsed.status().message(), "malformed ciphertext: "));
}

// Every prefix of a valid ciphertext is either rejected or, when only payload bytes were cut and
// the payload is still long enough, parses to the same header and a different (shorter) payload.
TEST(CiphertextFormatTest, EveryTruncationIsRejectedOrChangesThePayload) {
  for (Algorithm algorithm : kAlgorithms) {
    YJ_ASSERT_OK_AND_ASSIGN(std::string header, EncodeHeader(TestHeader(algorithm)));
    const size_t minimum = header.size() + MinimumPayloadLength(algorithm);
    const std::string ciphertext = header + Payload(MinimumPayloadLength(algorithm) + 5);
    YJ_ASSERT_OK_AND_ASSIGN(ParsedCiphertext whole, ParseCiphertext(ciphertext));
    for (size_t length = 0; length < ciphertext.size(); ++length) {
      const auto parsed = ParseCiphertext(absl::string_view(ciphertext).substr(0, length));
      if (length < minimum) {
        ASSERT_FALSE(parsed.ok()) << length;
        EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
        EXPECT_TRUE(absl::StartsWith(parsed.status().message(), "malformed ciphertext: "));
      } else {
        ASSERT_TRUE(parsed.ok()) << length << ": " << parsed.status();
        EXPECT_EQ(parsed->header, whole.header);
        EXPECT_NE(parsed->payload, whole.payload) << length;
        EXPECT_EQ(parsed->payload.size(), length - header.size());
      }
    }
  }
}

// Changing any header byte to any other value must either make the ciphertext unparseable or
// change the AEAD's associated data, so the tag check fails.
TEST(CiphertextFormatTest, EveryHeaderByteChangeFailsOrChangesAssociatedData) {
  const EncryptionContext context = {{"purpose", "billing"}};
  for (Algorithm algorithm : kAlgorithms) {
    YJ_ASSERT_OK_AND_ASSIGN(std::string header, EncodeHeader(TestHeader(algorithm)));
    const std::string ciphertext = header + Payload(MinimumPayloadLength(algorithm) + 40);
    const std::string original_aad = AssociatedData(header, context);
    int still_parsing = 0;
    for (size_t position = 0; position < header.size(); ++position) {
      for (int value = 0; value < 256; ++value) {
        if (value == static_cast<uint8_t>(header[position])) continue;
        std::string mutated = ciphertext;
        mutated[position] = static_cast<char>(value);
        const auto parsed = ParseCiphertext(mutated);
        if (!parsed.ok()) {
          EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
          continue;
        }
        ++still_parsing;
        EXPECT_NE(AssociatedData(parsed->header_bytes, context), original_aad)
            << "position " << position << " value " << value;
      }
    }
    // Name and version bytes accept many values, so the AAD comparison above really ran.
    EXPECT_GT(still_parsing, 100);
  }
}

TEST(AssociatedDataTest, IsHeaderThenCanonicalContext) {
  YJ_ASSERT_OK_AND_ASSIGN(std::string header, EncodeHeader(TestHeader(Algorithm::kAes256Gcm)));
  const EncryptionContext context = {{"tenant", "42"}};
  EXPECT_EQ(AssociatedData(header, context), header + CanonicalContext(context));
  EXPECT_EQ(AssociatedData(header, {}), header + std::string(4, '\0'));
}

TEST(AssociatedDataTest, BindsKeyVersionAlgorithmAndContext) {
  const EncryptionContext context = {{"tenant", "42"}};
  YJ_ASSERT_OK_AND_ASSIGN(std::string base, EncodeHeader(TestHeader(Algorithm::kAes256Gcm)));
  const std::string base_aad = AssociatedData(base, context);

  CiphertextHeader other_version = TestHeader(Algorithm::kAes256Gcm);
  other_version.version = 4;
  CiphertextHeader other_key = TestHeader(Algorithm::kAes256Gcm);
  other_key.key = "invoice";
  CiphertextHeader other_department = TestHeader(Algorithm::kAes256Gcm);
  other_department.department = "financ";
  for (const CiphertextHeader& moved :
       {other_version, other_key, other_department, TestHeader(Algorithm::kSm4CtrHmacSm3)}) {
    YJ_ASSERT_OK_AND_ASSIGN(std::string header, EncodeHeader(moved));
    EXPECT_NE(AssociatedData(header, context), base_aad);
  }
  EXPECT_NE(AssociatedData(base, {{"tenant", "43"}}), base_aad);
  EXPECT_NE(AssociatedData(base, {}), base_aad);
}

}  // namespace
}  // namespace yinjian::format
