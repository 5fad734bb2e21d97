// Pins the worked example of docs/formats.md: every hex string below must match what
// service/format/ produces AND appear verbatim in the doc. The AES-256-GCM payload is checked
// with OpenSSL, so the example's AAD construction is the one a real AEAD accepts.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "service/format/ciphertext_format.h"
#include "service/format/encryption_context.h"
#include "tests/support/status_test_macros.h"

namespace yinjian::format {
namespace {

constexpr char kHeaderHex[] = "594a4301010766696e616e636508696e766f6963657300000003";
constexpr char kContextHex[] =
    "0000000200000007707572706f73650000000762696c6c696e670000000674656e616e74000000023432";
constexpr char kAadHex[] =
    "594a4301010766696e616e636508696e766f69636573000000030000000200000007707572706f7365000000"
    "0762696c6c696e670000000674656e616e74000000023432";
constexpr char kPayloadHex[] = "a0a1a2a3a4a5a6a7a8a9aaab8e7d10412a29bfd87082aab7c35d262b25f105ec07";
constexpr char kCiphertextHex[] =
    "594a4301010766696e616e636508696e766f6963657300000003a0a1a2a3a4a5a6a7a8a9aaab8e7d10412a29bf"
    "d87082aab7c35d262b25f105ec07";

const CiphertextHeader kHeader = {.algorithm = Algorithm::kAes256Gcm,
                                  .department = "finance",
                                  .key = "invoices",
                                  .version = 3};
const EncryptionContext kContext = {{"tenant", "42"}, {"purpose", "billing"}};

std::string Hex(absl::string_view bytes) { return absl::BytesToHexString(bytes); }

// AES-256-GCM decryption of an iv(12) || ciphertext || tag(16) payload; nullopt if the tag fails.
std::optional<std::string> GcmOpen(const std::string& key, absl::string_view payload,
                                   absl::string_view aad) {
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                      &EVP_CIPHER_CTX_free);
  const auto u8 = [](absl::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); };
  const absl::string_view iv = payload.substr(0, 12);
  const absl::string_view body = payload.substr(12, payload.size() - 28);
  std::string tag(payload.substr(payload.size() - 16));
  std::string plaintext(body.size(), '\0');
  int length = 0;
  if (ctx == nullptr ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, u8(key), u8(iv)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &length, u8(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<uint8_t*>(plaintext.data()), &length,
                        u8(body), static_cast<int>(body.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, 16, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), nullptr, &length) != 1) {
    return std::nullopt;
  }
  return plaintext;
}

std::string TestKey() {
  std::string key(32, '\0');
  for (int i = 0; i < 32; ++i) key[i] = static_cast<char>(i);
  return key;
}

TEST(WorkedExampleTest, HeaderHex) {
  YJ_ASSERT_OK_AND_ASSIGN(std::string header, EncodeHeader(kHeader));
  EXPECT_EQ(Hex(header), kHeaderHex);
}

TEST(WorkedExampleTest, CanonicalContextHex) {
  YJ_ASSERT_OK(ValidateContext(kContext));
  EXPECT_EQ(Hex(CanonicalContext(kContext)), kContextHex);
}

TEST(WorkedExampleTest, AssociatedDataHex) {
  YJ_ASSERT_OK_AND_ASSIGN(std::string header, EncodeHeader(kHeader));
  EXPECT_EQ(Hex(AssociatedData(header, kContext)), kAadHex);
}

TEST(WorkedExampleTest, CiphertextParsesAndDecrypts) {
  const std::string ciphertext = absl::HexStringToBytes(kCiphertextHex);
  YJ_ASSERT_OK_AND_ASSIGN(ParsedCiphertext parsed, ParseCiphertext(ciphertext));
  EXPECT_EQ(parsed.header, kHeader);
  EXPECT_EQ(Hex(parsed.header_bytes), kHeaderHex);
  EXPECT_EQ(Hex(parsed.payload), kPayloadHex);

  const std::string aad = AssociatedData(parsed.header_bytes, kContext);
  EXPECT_EQ(GcmOpen(TestKey(), parsed.payload, aad), std::optional<std::string>("hello"));
  // The same payload under another context or another key version must not decrypt.
  EXPECT_EQ(GcmOpen(TestKey(), parsed.payload,
                    AssociatedData(parsed.header_bytes, {{"tenant", "42"}})),
            std::nullopt);
  CiphertextHeader moved = kHeader;
  moved.version = 4;
  YJ_ASSERT_OK_AND_ASSIGN(std::string moved_header, EncodeHeader(moved));
  EXPECT_EQ(GcmOpen(TestKey(), parsed.payload, AssociatedData(moved_header, kContext)),
            std::nullopt);
}

TEST(WorkedExampleTest, DocShowsExactlyThesePins) {
  std::ifstream file(std::string(YINJIAN_SOURCE_DIR) + "/docs/formats.md");
  ASSERT_TRUE(file.is_open());
  std::stringstream doc;
  doc << file.rdbuf();
  for (const char* hex : {kHeaderHex, kContextHex, kAadHex, kPayloadHex, kCiphertextHex}) {
    // Each appears on a line of its own in a code block.
    EXPECT_TRUE(absl::StrContains(doc.str(), std::string("\n") + hex + "\n")) << hex;
  }
}

}  // namespace
}  // namespace yinjian::format
