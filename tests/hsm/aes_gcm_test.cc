// AES-GCM in a real SoftHSM token: round trips, the IV || ciphertext || tag layout, interop with
// OpenSSL's AES-256-GCM in both directions, and every way a sealed blob or key can be wrong.
#include "hsm/aes_gcm.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <iostream>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "hsm/key_generation.h"
#include "hsm/ossl_ptr.h"
#include "tests/support/openssl_cli.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/token_fixture.h"

namespace yinjian::hsm {
namespace {

using ::yinjian::testing::Unhex;

class AesGcmTest : public ::yinjian::testing::TokenTest {};

Bytes ToPlain(const SecureBytes& s) { return Bytes(s.begin(), s.end()); }

Bytes Pattern(size_t size) {
  Bytes out(size);
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<uint8_t>(i * 131 + 17);
  return out;
}

void ExpectAuthFailure(const absl::StatusOr<SecureBytes>& result, const std::string& what) {
  ASSERT_FALSE(result.ok()) << what << ": returned " << result->size() << " plaintext bytes";
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument)
      << what << ": " << result.status();
  EXPECT_EQ(result.status().message(), "authentication failed") << what;
}

// AES-256-GCM with a 12-byte IV and 16-byte tag in OpenSSL; output IV || ct || tag.
Bytes OpensslSeal(const Bytes& key, const Bytes& iv, const Bytes& plaintext, const Bytes& aad) {
  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  EXPECT_EQ(EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), iv.data()), 1);
  int len = 0;
  if (!aad.empty()) {
    EXPECT_EQ(EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(), aad.size()), 1);
  }
  Bytes out = iv;
  out.resize(kGcmIvBytes + plaintext.size() + kGcmTagBytes);
  EXPECT_EQ(EVP_EncryptUpdate(ctx.get(), out.data() + kGcmIvBytes, &len, plaintext.data(),
                              plaintext.size()),
            1);
  int final_len = 0;
  EXPECT_EQ(EVP_EncryptFinal_ex(ctx.get(), out.data() + kGcmIvBytes + len, &final_len), 1);
  EXPECT_EQ(static_cast<size_t>(len + final_len), plaintext.size());
  EXPECT_EQ(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kGcmTagBytes,
                                out.data() + kGcmIvBytes + plaintext.size()),
            1);
  return out;
}

// Opens IV || ct || tag with OpenSSL; nullopt if authentication fails.
std::optional<Bytes> OpensslOpen(const Bytes& key, const Bytes& sealed, const Bytes& aad) {
  if (sealed.size() < kGcmIvBytes + kGcmTagBytes) return std::nullopt;
  const size_t ct_len = sealed.size() - kGcmIvBytes - kGcmTagBytes;
  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  EXPECT_EQ(EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), sealed.data()),
            1);
  int len = 0;
  if (!aad.empty()) {
    EXPECT_EQ(EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data(), aad.size()), 1);
  }
  Bytes out(ct_len + 1);
  EXPECT_EQ(EVP_DecryptUpdate(ctx.get(), out.data(), &len, sealed.data() + kGcmIvBytes, ct_len), 1);
  Bytes tag(sealed.end() - kGcmTagBytes, sealed.end());
  EXPECT_EQ(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kGcmTagBytes, tag.data()), 1);
  int final_len = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), out.data() + len, &final_len) != 1) return std::nullopt;
  out.resize(len + final_len);
  return out;
}

TEST_F(AesGcmTest, RoundTripsWithAndWithoutAad) {
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject key, GenerateAesKey(token(), 32, {}));
  const Bytes plaintext = ToBytes("attack at dawn");
  for (const Bytes& aad : {Bytes(), ToBytes("header v1")}) {
    YJ_ASSERT_OK_AND_ASSIGN(Bytes sealed, AesGcmEncrypt(token(), key.handle(), plaintext, aad));
    YJ_ASSERT_OK_AND_ASSIGN(SecureBytes opened, AesGcmDecrypt(token(), key.handle(), sealed, aad));
    EXPECT_EQ(ToPlain(opened), plaintext) << "aad size " << aad.size();
  }
}

TEST_F(AesGcmTest, RoundTripsEmptyPlaintext) {
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject key, GenerateAesKey(token(), 32, {}));
  for (const Bytes& aad : {Bytes(), ToBytes("only the header")}) {
    YJ_ASSERT_OK_AND_ASSIGN(Bytes sealed, AesGcmEncrypt(token(), key.handle(), {}, aad));
    EXPECT_EQ(sealed.size(), kGcmIvBytes + kGcmTagBytes);
    YJ_ASSERT_OK_AND_ASSIGN(SecureBytes opened, AesGcmDecrypt(token(), key.handle(), sealed, aad));
    EXPECT_TRUE(opened.empty());
    // An empty message is still authenticated: a changed tag is rejected.
    sealed.back() ^= 0x01;
    ExpectAuthFailure(AesGcmDecrypt(token(), key.handle(), sealed, aad), "empty, bad tag");
  }
}

TEST_F(AesGcmTest, RoundTripsOneMebibyte) {
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject key, GenerateAesKey(token(), 32, {}));
  const Bytes plaintext = Pattern(1 << 20);
  const Bytes aad = ToBytes("big");
  YJ_ASSERT_OK_AND_ASSIGN(Bytes sealed, AesGcmEncrypt(token(), key.handle(), plaintext, aad));
  EXPECT_EQ(sealed.size(), kGcmIvBytes + plaintext.size() + kGcmTagBytes);
  YJ_ASSERT_OK_AND_ASSIGN(SecureBytes opened, AesGcmDecrypt(token(), key.handle(), sealed, aad));
  EXPECT_TRUE(ToPlain(opened) == plaintext);
}

TEST_F(AesGcmTest, OutputIsIvCiphertextTagAndFreshPerMessage) {
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject key, GenerateAesKey(token(), 32, {}));
  const Bytes plaintext = Pattern(37);
  YJ_ASSERT_OK_AND_ASSIGN(Bytes a, AesGcmEncrypt(token(), key.handle(), plaintext, {}));
  YJ_ASSERT_OK_AND_ASSIGN(Bytes b, AesGcmEncrypt(token(), key.handle(), plaintext, {}));
  ASSERT_EQ(a.size(), 12u + 37u + 16u);
  ASSERT_EQ(b.size(), a.size());
  EXPECT_NE(a, b);
  EXPECT_NE(Bytes(a.begin(), a.begin() + 12), Bytes(b.begin(), b.begin() + 12)) << "IV reused";
  EXPECT_NE(Bytes(a.begin() + 12, a.begin() + 49), plaintext) << "ciphertext is the plaintext";
}

TEST_F(AesGcmTest, HsmCiphertextOpensInOpenssl) {
  const Bytes key_value = Unhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject key, CreateKnownSecretKey(CKK_AES, key_value, {}));
  for (size_t size : {0u, 1u, 16u, 100u, 4097u}) {
    const Bytes plaintext = Pattern(size);
    const Bytes aad = ToBytes(absl::StrCat("aad-", size));
    YJ_ASSERT_OK_AND_ASSIGN(Bytes sealed, AesGcmEncrypt(token(), key.handle(), plaintext, aad));
    std::optional<Bytes> opened = OpensslOpen(key_value, sealed, aad);
    ASSERT_TRUE(opened.has_value()) << "OpenSSL rejected the HSM's ciphertext, size " << size;
    EXPECT_EQ(*opened, plaintext);
    // And OpenSSL agrees the AAD is bound in.
    EXPECT_FALSE(OpensslOpen(key_value, sealed, ToBytes("other")).has_value());
  }
}

TEST_F(AesGcmTest, OpensslCiphertextOpensInHsm) {
  const Bytes key_value = Unhex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject key, CreateKnownSecretKey(CKK_AES, key_value, {}));
  const Bytes iv = Unhex("cafebabefacedbaddecaf888");
  for (size_t size : {0u, 1u, 16u, 100u, 4097u}) {
    const Bytes plaintext = Pattern(size);
    const Bytes aad = size % 2 == 0 ? Bytes() : ToBytes("odd sizes carry aad");
    const Bytes sealed = OpensslSeal(key_value, iv, plaintext, aad);
    YJ_ASSERT_OK_AND_ASSIGN(SecureBytes opened, AesGcmDecrypt(token(), key.handle(), sealed, aad));
    EXPECT_EQ(ToPlain(opened), plaintext) << "size " << size;
  }
}

TEST_F(AesGcmTest, EveryFlippedByteFailsAuthentication) {
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject key, GenerateAesKey(token(), 32, {}));
  const Bytes aad = ToBytes("aad");
  YJ_ASSERT_OK_AND_ASSIGN(Bytes sealed, AesGcmEncrypt(token(), key.handle(), Pattern(5), aad));
  ASSERT_EQ(sealed.size(), 12u + 5u + 16u);
  for (size_t i = 0; i < sealed.size(); ++i) {
    Bytes tampered = sealed;
    tampered[i] ^= 0x80;
    ExpectAuthFailure(AesGcmDecrypt(token(), key.handle(), tampered, aad),
                      absl::StrCat("flipped byte ", i));
  }
  // The original still opens: failures did not disturb the key or the sessions.
  YJ_EXPECT_OK(AesGcmDecrypt(token(), key.handle(), sealed, aad));
}

TEST_F(AesGcmTest, WrongAadFails) {
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject key, GenerateAesKey(token(), 32, {}));
  YJ_ASSERT_OK_AND_ASSIGN(Bytes sealed,
                          AesGcmEncrypt(token(), key.handle(), Pattern(40), ToBytes("aad-1")));
  ExpectAuthFailure(AesGcmDecrypt(token(), key.handle(), sealed, ToBytes("aad-2")), "other aad");
  ExpectAuthFailure(AesGcmDecrypt(token(), key.handle(), sealed, {}), "missing aad");
  YJ_ASSERT_OK_AND_ASSIGN(Bytes no_aad, AesGcmEncrypt(token(), key.handle(), Pattern(40), {}));
  ExpectAuthFailure(AesGcmDecrypt(token(), key.handle(), no_aad, ToBytes("x")), "added aad");
}

TEST_F(AesGcmTest, TruncatedInputFails) {
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject key, GenerateAesKey(token(), 32, {}));
  YJ_ASSERT_OK_AND_ASSIGN(Bytes sealed, AesGcmEncrypt(token(), key.handle(), Pattern(20), {}));
  for (size_t length = 0; length < kGcmIvBytes + kGcmTagBytes; ++length) {
    ExpectAuthFailure(
        AesGcmDecrypt(token(), key.handle(), absl::MakeConstSpan(sealed.data(), length), {}),
        absl::StrCat("length ", length));
  }
  for (size_t drop : {1u, 2u, 16u, 20u}) {
    ExpectAuthFailure(AesGcmDecrypt(token(), key.handle(),
                                    absl::MakeConstSpan(sealed.data(), sealed.size() - drop), {}),
                      absl::StrCat("dropped last ", drop));
  }
}

TEST_F(AesGcmTest, WrongKeyFails) {
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject key, GenerateAesKey(token(), 32, {}));
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject other, GenerateAesKey(token(), 32, {}));
  YJ_ASSERT_OK_AND_ASSIGN(Bytes sealed, AesGcmEncrypt(token(), key.handle(), Pattern(64), {}));
  ExpectAuthFailure(AesGcmDecrypt(token(), other.handle(), sealed, {}), "other AES-256 key");
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject short_key, GenerateAesKey(token(), 16, {}));
  ExpectAuthFailure(AesGcmDecrypt(token(), short_key.handle(), sealed, {}), "AES-128 key");
}

TEST_F(AesGcmTest, KeyWithoutEncryptUsageFails) {
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject wrap_only,
                          GenerateAesKey(token(), 32, {.usage = kUsageWrap}));
  absl::StatusOr<Bytes> sealed = AesGcmEncrypt(token(), wrap_only.handle(), Pattern(8), {});
  ASSERT_FALSE(sealed.ok());
  EXPECT_EQ(sealed.status().code(), absl::StatusCode::kFailedPrecondition) << sealed.status();
  std::cout << "AES key without CKA_ENCRYPT: " << sealed.status() << "\n";

  // Nor may it decrypt a valid blob made with the same key value elsewhere.
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject good, GenerateAesKey(token(), 32, {}));
  YJ_ASSERT_OK_AND_ASSIGN(Bytes blob, AesGcmEncrypt(token(), good.handle(), Pattern(8), {}));
  absl::StatusOr<SecureBytes> opened = AesGcmDecrypt(token(), wrap_only.handle(), blob, {});
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kFailedPrecondition) << opened.status();
}

TEST_F(AesGcmTest, KeyWithOnlyDecryptUsageCannotEncrypt) {
  const Bytes key_value(32, 0x42);
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject enc,
                          CreateKnownSecretKey(CKK_AES, key_value, {.usage = kUsageEncrypt}));
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject dec,
                          CreateKnownSecretKey(CKK_AES, key_value, {.usage = kUsageDecrypt}));
  absl::StatusOr<Bytes> by_dec = AesGcmEncrypt(token(), dec.handle(), Pattern(8), {});
  ASSERT_FALSE(by_dec.ok());
  EXPECT_EQ(by_dec.status().code(), absl::StatusCode::kFailedPrecondition) << by_dec.status();
  YJ_ASSERT_OK_AND_ASSIGN(Bytes sealed, AesGcmEncrypt(token(), enc.handle(), Pattern(8), {}));
  absl::StatusOr<SecureBytes> by_enc = AesGcmDecrypt(token(), enc.handle(), sealed, {});
  ASSERT_FALSE(by_enc.ok());
  EXPECT_EQ(by_enc.status().code(), absl::StatusCode::kFailedPrecondition) << by_enc.status();
  YJ_ASSERT_OK_AND_ASSIGN(SecureBytes opened, AesGcmDecrypt(token(), dec.handle(), sealed, {}));
  EXPECT_EQ(ToPlain(opened), Pattern(8));
}

TEST_F(AesGcmTest, HmacKeyFailsWithWrongKeyType) {
  // A generic secret with usage sign only: no CKA_ENCRYPT, and the wrong key type for GCM.
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject hmac_key, GenerateGenericSecret(token(), 32, {}));
  absl::StatusOr<Bytes> sealed = AesGcmEncrypt(token(), hmac_key.handle(), Pattern(8), {});
  ASSERT_FALSE(sealed.ok());
  EXPECT_EQ(sealed.status().code(), absl::StatusCode::kFailedPrecondition) << sealed.status();
  std::cout << "generic secret (sign only) for GCM encrypt: " << sealed.status() << "\n";

  // Even a generic secret that allows encrypt/decrypt is not an AES key.
  YJ_ASSERT_OK_AND_ASSIGN(
      ScopedObject generic_enc,
      GenerateGenericSecret(token(), 32, {.usage = kUsageEncrypt | kUsageDecrypt}));
  absl::StatusOr<Bytes> sealed2 = AesGcmEncrypt(token(), generic_enc.handle(), Pattern(8), {});
  ASSERT_FALSE(sealed2.ok());
  EXPECT_EQ(sealed2.status().code(), absl::StatusCode::kFailedPrecondition) << sealed2.status();
  std::cout << "generic secret (encrypt) for GCM encrypt: " << sealed2.status() << "\n";

  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject aes, GenerateAesKey(token(), 32, {}));
  YJ_ASSERT_OK_AND_ASSIGN(Bytes blob, AesGcmEncrypt(token(), aes.handle(), Pattern(8), {}));
  absl::StatusOr<SecureBytes> opened = AesGcmDecrypt(token(), generic_enc.handle(), blob, {});
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kFailedPrecondition) << opened.status();
  std::cout << "generic secret (decrypt) for GCM decrypt: " << opened.status() << "\n";
}

TEST_F(AesGcmTest, FailuresLeaveNoBrokenSessions) {
  const uint64_t broken_before = token().pool().stats().broken;
  YJ_ASSERT_OK_AND_ASSIGN(ScopedObject key, GenerateAesKey(token(), 32, {}));
  YJ_ASSERT_OK_AND_ASSIGN(Bytes sealed, AesGcmEncrypt(token(), key.handle(), Pattern(30), {}));
  for (int i = 0; i < 20; ++i) {
    Bytes tampered = sealed;
    tampered[kGcmIvBytes + i] ^= 1;
    EXPECT_FALSE(AesGcmDecrypt(token(), key.handle(), tampered, {}).ok());
    YJ_ASSERT_OK(AesGcmDecrypt(token(), key.handle(), sealed, {}));
  }
  EXPECT_EQ(token().pool().stats().broken, broken_before);
}

}  // namespace
}  // namespace yinjian::hsm
