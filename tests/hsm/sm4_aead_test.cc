#include "hsm/sm4_aead.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "hsm/ossl_ptr.h"
#include "tests/support/openssl_cli.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::hsm {
namespace {

using ::yinjian::testing::Hex;
using ::yinjian::testing::RunOpensslCliOk;
using ::yinjian::testing::TempDir;
using ::yinjian::testing::Unhex;

Bytes Slice(const Bytes& b, size_t from, size_t len) {
  return Bytes(b.begin() + from, b.begin() + from + len);
}

void ExpectAuthFailure(const absl::StatusOr<SecureBytes>& result, const std::string& what) {
  ASSERT_FALSE(result.ok()) << what;
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << what;
  EXPECT_EQ(result.status().message(), "authentication failed") << what;
}

// GB/T 32907-2016 Appendix A example 1, one SM4-ECB block: proves the underlying block cipher.
TEST(Sm4Test, StandardSingleBlockVector) {
  const Bytes key = Unhex("0123456789abcdeffedcba9876543210");
  const Bytes plaintext = key;
  EvpCipherPtr cipher(EVP_CIPHER_fetch(nullptr, "SM4-ECB", nullptr));
  ASSERT_NE(cipher, nullptr);
  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  ASSERT_EQ(EVP_EncryptInit_ex2(ctx.get(), cipher.get(), key.data(), nullptr, nullptr), 1);
  ASSERT_EQ(EVP_CIPHER_CTX_set_padding(ctx.get(), 0), 1);
  Bytes out(16);
  int len = 0;
  ASSERT_EQ(EVP_EncryptUpdate(ctx.get(), out.data(), &len, plaintext.data(), 16), 1);
  ASSERT_EQ(len, 16);
  EXPECT_EQ(Hex(out), "681edf34d206965e86b3e94f536e4246");
}

TEST(Sm4AeadTest, GeneratedKeysAreFreshAndFullLength) {
  YJ_ASSERT_OK_AND_ASSIGN(SecureBytes a, GenerateSm4AeadKey());
  YJ_ASSERT_OK_AND_ASSIGN(SecureBytes b, GenerateSm4AeadKey());
  EXPECT_EQ(a.size(), kSm4AeadKeyLength);
  EXPECT_NE(a, b);
}

TEST(Sm4AeadTest, RoundTripsManySizes) {
  YJ_ASSERT_OK_AND_ASSIGN(SecureBytes key, GenerateSm4AeadKey());
  for (size_t size : {0u, 1u, 15u, 16u, 17u, 31u, 32u, 33u, 1000u, 70000u}) {
    Bytes plaintext(size);
    for (size_t i = 0; i < size; ++i) plaintext[i] = static_cast<uint8_t>(i * 31 + 7);
    for (const Bytes& aad : {Bytes(), ToBytes("key=alpha/v1")}) {
      YJ_ASSERT_OK_AND_ASSIGN(Bytes blob, Sm4AeadEncrypt(key, plaintext, aad));
      EXPECT_EQ(blob.size(), size + kSm4AeadOverhead);
      YJ_ASSERT_OK_AND_ASSIGN(SecureBytes decrypted, Sm4AeadDecrypt(key, blob, aad));
      EXPECT_EQ(Bytes(decrypted.begin(), decrypted.end()), plaintext) << "size=" << size;
    }
  }
}

TEST(Sm4AeadTest, EncryptionIsRandomised) {
  YJ_ASSERT_OK_AND_ASSIGN(SecureBytes key, GenerateSm4AeadKey());
  YJ_ASSERT_OK_AND_ASSIGN(Bytes a, Sm4AeadEncrypt(key, ToBytes("same"), Bytes()));
  YJ_ASSERT_OK_AND_ASSIGN(Bytes b, Sm4AeadEncrypt(key, ToBytes("same"), Bytes()));
  EXPECT_NE(Slice(a, 0, kSm4AeadIvLength), Slice(b, 0, kSm4AeadIvLength));
  EXPECT_NE(a, b);
}

// Rebuilds the blob with the openssl CLI from the documented layout: SM4-CTR for the body and
// HMAC-SM3 over u64be(len(aad)) || aad || iv || ciphertext for the tag.
TEST(Sm4AeadTest, LayoutMatchesOpensslCli) {
  YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
  YJ_ASSERT_OK_AND_ASSIGN(SecureBytes key, GenerateSm4AeadKey());
  const Bytes enc_key(key.begin(), key.begin() + 16);
  const Bytes mac_key(key.begin() + 16, key.end());
  Bytes plaintext(1000 + 5);  // many blocks plus a partial one
  for (size_t i = 0; i < plaintext.size(); ++i) plaintext[i] = static_cast<uint8_t>(i ^ 0x5a);
  const Bytes aad = ToBytes("tenant-7/key-3");

  YJ_ASSERT_OK_AND_ASSIGN(Bytes blob, Sm4AeadEncrypt(key, plaintext, aad));
  const Bytes iv = Slice(blob, 0, kSm4AeadIvLength);
  const Bytes ciphertext = Slice(blob, kSm4AeadIvLength, plaintext.size());
  const Bytes tag = Slice(blob, kSm4AeadIvLength + plaintext.size(), kSm4AeadTagLength);

  YJ_ASSERT_OK_AND_ASSIGN(std::string pt_path, dir.WriteFile("pt", plaintext));
  YJ_ASSERT_OK(RunOpensslCliOk({"enc", "-sm4-ctr", "-K", Hex(enc_key), "-iv", Hex(iv), "-in",
                                pt_path, "-out", dir.File("ct")}));
  YJ_ASSERT_OK_AND_ASSIGN(Bytes cli_ciphertext, dir.ReadFile("ct"));
  EXPECT_EQ(Hex(cli_ciphertext), Hex(ciphertext));

  Bytes mac_input = {0, 0, 0, 0, 0, 0, 0, static_cast<uint8_t>(aad.size())};
  mac_input.insert(mac_input.end(), aad.begin(), aad.end());
  mac_input.insert(mac_input.end(), iv.begin(), iv.end());
  mac_input.insert(mac_input.end(), ciphertext.begin(), ciphertext.end());
  YJ_ASSERT_OK_AND_ASSIGN(std::string mac_path, dir.WriteFile("mac_input", mac_input));
  YJ_ASSERT_OK_AND_ASSIGN(
      std::string cli_tag,
      RunOpensslCliOk({"mac", "-digest", "SM3", "-macopt", absl::StrCat("hexkey:", Hex(mac_key)),
                       "-in", mac_path, "HMAC"}));
  EXPECT_EQ(Hex(tag), absl::AsciiStrToLower(absl::StripAsciiWhitespace(cli_tag)));
}

TEST(Sm4AeadTest, EveryFlippedBitPositionFails) {
  YJ_ASSERT_OK_AND_ASSIGN(SecureBytes key, GenerateSm4AeadKey());
  const Bytes aad = ToBytes("hdr");
  YJ_ASSERT_OK_AND_ASSIGN(Bytes blob, Sm4AeadEncrypt(key, ToBytes("secret"), aad));
  for (size_t i = 0; i < blob.size(); ++i) {
    for (uint8_t mask : {0x01, 0x80}) {
      Bytes tampered = blob;
      tampered[i] ^= mask;
      ExpectAuthFailure(Sm4AeadDecrypt(key, tampered, aad),
                        absl::StrCat("byte ", i, " mask ", mask));
    }
  }
}

TEST(Sm4AeadTest, TruncatedOrExtendedBlobsFail) {
  YJ_ASSERT_OK_AND_ASSIGN(SecureBytes key, GenerateSm4AeadKey());
  YJ_ASSERT_OK_AND_ASSIGN(Bytes blob, Sm4AeadEncrypt(key, ToBytes("secret"), Bytes()));
  for (size_t len = 0; len < blob.size(); ++len) {
    ExpectAuthFailure(Sm4AeadDecrypt(key, Slice(blob, 0, len), Bytes()),
                      absl::StrCat("prefix ", len));
    ExpectAuthFailure(Sm4AeadDecrypt(key, Slice(blob, blob.size() - len, len), Bytes()),
                      absl::StrCat("suffix ", len));
  }
  Bytes extended = blob;
  extended.push_back(0);
  ExpectAuthFailure(Sm4AeadDecrypt(key, extended, Bytes()), "extended");
}

TEST(Sm4AeadTest, WrongAadOrKeyFails) {
  YJ_ASSERT_OK_AND_ASSIGN(SecureBytes key, GenerateSm4AeadKey());
  YJ_ASSERT_OK_AND_ASSIGN(Bytes blob, Sm4AeadEncrypt(key, ToBytes("secret"), ToBytes("aad-1")));
  ExpectAuthFailure(Sm4AeadDecrypt(key, blob, ToBytes("aad-2")), "other aad");
  ExpectAuthFailure(Sm4AeadDecrypt(key, blob, Bytes()), "empty aad");
  ExpectAuthFailure(Sm4AeadDecrypt(key, blob, ToBytes(std::string("aad-1\0", 6))), "longer aad");

  YJ_ASSERT_OK_AND_ASSIGN(SecureBytes other_key, GenerateSm4AeadKey());
  ExpectAuthFailure(Sm4AeadDecrypt(other_key, blob, ToBytes("aad-1")), "other key");
  // Only the MAC half of the key differs.
  SecureBytes mac_changed = key;
  mac_changed[40] ^= 1;
  ExpectAuthFailure(Sm4AeadDecrypt(mac_changed, blob, ToBytes("aad-1")), "mac key changed");
}

TEST(Sm4AeadTest, WrongKeyLengthIsInvalidArgument) {
  for (size_t len : {0u, 16u, 32u, 47u, 49u}) {
    SecureBytes key(len, 0x11);
    EXPECT_EQ(Sm4AeadEncrypt(key, ToBytes("x"), Bytes()).status().code(),
              absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(Sm4AeadDecrypt(key, Bytes(64), Bytes()).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace yinjian::hsm
