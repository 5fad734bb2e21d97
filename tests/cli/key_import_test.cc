// Key material read for import (raw keys, PEM private keys in PKCS#8 and traditional forms,
// checked against the kind), and the wrapping, unwrapped here independently with OpenSSL as the
// HSM would (CKM_RSA_AES_KEY_WRAP: RSA-OAEP, then AES-KWP).
#include "cli/key_import.h"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <string>

#include "absl/strings/match.h"
#include "hsm/ossl_ptr.h"
#include "tests/support/status_test_macros.h"

namespace yinjian::cli {
namespace {

using hsm::BioPtr;
using hsm::EvpPkeyPtr;

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string Pkcs8Pem(const EVP_PKEY* key) {
  const BioPtr bio(BIO_new(BIO_s_mem()));
  EXPECT_EQ(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr), 1);
  return BioContents(bio.get());
}

// "EC PRIVATE KEY" / "RSA PRIVATE KEY".
std::string TraditionalPem(const EVP_PKEY* key) {
  const BioPtr bio(BIO_new(BIO_s_mem()));
  EXPECT_EQ(
      PEM_write_bio_PrivateKey_traditional(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr),
      1);
  return BioContents(bio.get());
}

std::string PublicPem(const EVP_PKEY* key) {
  const BioPtr bio(BIO_new(BIO_s_mem()));
  EXPECT_EQ(PEM_write_bio_PUBKEY(bio.get(), key), 1);
  return BioContents(bio.get());
}

hsm::Bytes SpkiDer(const EVP_PKEY* key) {
  const int length = i2d_PUBKEY(key, nullptr);
  EXPECT_GT(length, 0);
  hsm::Bytes der(static_cast<size_t>(length));
  unsigned char* out = der.data();
  EXPECT_EQ(i2d_PUBKEY(key, &out), length);
  return der;
}

// The private key in PKCS#8 DER, parsed as nothing but PKCS#8.
EvpPkeyPtr ParsePkcs8Der(const hsm::SecureBytes& der) {
  const unsigned char* in = der.data();
  const hsm::OsslPtr<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free> info(
      d2i_PKCS8_PRIV_KEY_INFO(nullptr, &in, static_cast<long>(der.size())));
  if (info == nullptr || in != der.data() + der.size()) return nullptr;
  return EvpPkeyPtr(EVP_PKCS82PKEY(info.get()));
}

std::string RandomBytes(size_t n) {
  std::string bytes(n, '\0');
  EXPECT_EQ(RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(n)), 1);
  return bytes;
}

// What the HSM does with wrapped_key_material: RSA-OAEP decryption of the first modulus-length
// bytes with `oaep_hash` (OAEP and MGF1), then AES-KWP unwrapping of the rest.
absl::StatusOr<std::string> Unwrap(EVP_PKEY* private_key, const EVP_MD* oaep_hash,
                                   absl::string_view wrapped) {
  const size_t rsa_length = static_cast<size_t>(EVP_PKEY_get_size(private_key));
  if (wrapped.size() <= rsa_length) return absl::InvalidArgumentError("too short");
  const hsm::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, private_key, nullptr));
  if (ctx == nullptr || EVP_PKEY_decrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), oaep_hash) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), oaep_hash) != 1) {
    return absl::InternalError("RSA-OAEP setup");
  }
  unsigned char transport_key[512] = {};
  size_t transport_key_length = sizeof(transport_key);
  if (EVP_PKEY_decrypt(ctx.get(), transport_key, &transport_key_length,
                       reinterpret_cast<const unsigned char*>(wrapped.data()), rsa_length) != 1) {
    return absl::InvalidArgumentError("RSA-OAEP decryption failed");
  }
  if (transport_key_length != 32) return absl::InvalidArgumentError("K is not 32 bytes");

  const hsm::EvpCipherCtxPtr cipher(EVP_CIPHER_CTX_new());
  EVP_CIPHER_CTX_set_flags(cipher.get(), EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
  if (EVP_DecryptInit_ex(cipher.get(), EVP_aes_256_wrap_pad(), nullptr, transport_key, nullptr) !=
      1) {
    return absl::InternalError("AES-KWP setup");
  }
  const absl::string_view kwp = wrapped.substr(rsa_length);
  std::string material(kwp.size(), '\0');
  int length = 0;
  int final_length = 0;
  unsigned char* const out = reinterpret_cast<unsigned char*>(material.data());
  if (EVP_DecryptUpdate(cipher.get(), out, &length,
                        reinterpret_cast<const unsigned char*>(kwp.data()),
                        static_cast<int>(kwp.size())) != 1 ||
      length <= 0 || EVP_DecryptFinal_ex(cipher.get(), out + length, &final_length) != 1) {
    return absl::InvalidArgumentError("AES-KWP unwrapping failed");
  }
  material.resize(static_cast<size_t>(length + final_length));
  return material;
}

std::string AsString(const hsm::SecureBytes& bytes) {
  return std::string(bytes.begin(), bytes.end());
}

void ExpectInvalid(const absl::StatusOr<ImportMaterial>& material, absl::string_view fragment) {
  ASSERT_FALSE(material.ok());
  EXPECT_EQ(material.status().code(), absl::StatusCode::kInvalidArgument) << material.status();
  EXPECT_TRUE(absl::StrContains(material.status().message(), fragment)) << material.status();
}

class KeyImportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    p256_ = EVP_EC_gen("P-256");
    p384_ = EVP_EC_gen("P-384");
    rsa2048_ = EVP_RSA_gen(2048);
    rsa3072_ = EVP_RSA_gen(3072);
    ASSERT_NE(p256_, nullptr);
    ASSERT_NE(p384_, nullptr);
    ASSERT_NE(rsa2048_, nullptr);
    ASSERT_NE(rsa3072_, nullptr);
  }
  static void TearDownTestSuite() {
    for (EVP_PKEY* key : {p256_, p384_, rsa2048_, rsa3072_}) EVP_PKEY_free(key);
  }

  // Reads `pem` as `kind` and checks the material is `key` in PKCS#8 with its SPKI.
  static void ExpectReadsAs(v1::KeyKind kind, const std::string& pem, const EVP_PKEY* key) {
    YJ_ASSERT_OK_AND_ASSIGN(const ImportMaterial material, ReadImportMaterial(kind, pem));
    const EvpPkeyPtr parsed = ParsePkcs8Der(material.material);
    ASSERT_NE(parsed, nullptr);
    EXPECT_EQ(EVP_PKEY_eq(parsed.get(), key), 1);
    EXPECT_EQ(material.public_key_der, SpkiDer(key));
  }

  static EVP_PKEY* p256_;
  static EVP_PKEY* p384_;
  static EVP_PKEY* rsa2048_;
  static EVP_PKEY* rsa3072_;
};

EVP_PKEY* KeyImportTest::p256_ = nullptr;
EVP_PKEY* KeyImportTest::p384_ = nullptr;
EVP_PKEY* KeyImportTest::rsa2048_ = nullptr;
EVP_PKEY* KeyImportTest::rsa3072_ = nullptr;

TEST_F(KeyImportTest, RawKeysOfExactLength) {
  const std::string aes = RandomBytes(32);
  YJ_ASSERT_OK_AND_ASSIGN(const ImportMaterial material,
                          ReadImportMaterial(v1::KEY_KIND_AES256_GCM, aes));
  EXPECT_EQ(AsString(material.material), aes);
  EXPECT_TRUE(material.public_key_der.empty());

  const std::string hmac384 = RandomBytes(48);
  YJ_ASSERT_OK_AND_ASSIGN(const ImportMaterial hmac,
                          ReadImportMaterial(v1::KEY_KIND_HMAC_SHA384, hmac384));
  EXPECT_EQ(AsString(hmac.material), hmac384);
  YJ_EXPECT_OK(ReadImportMaterial(v1::KEY_KIND_HMAC_SHA256, RandomBytes(32)));
}

TEST_F(KeyImportTest, RawKeysOfOtherLengthsAreRejectedNamingTheLength) {
  ExpectInvalid(ReadImportMaterial(v1::KEY_KIND_AES256_GCM, RandomBytes(31)), "exactly 32 bytes");
  ExpectInvalid(ReadImportMaterial(v1::KEY_KIND_AES256_GCM, RandomBytes(33)), "exactly 32 bytes");
  ExpectInvalid(ReadImportMaterial(v1::KEY_KIND_HMAC_SHA384, RandomBytes(32)), "exactly 48 bytes");
  ExpectInvalid(ReadImportMaterial(v1::KEY_KIND_HMAC_SHA256, ""), "exactly 32 bytes");
  // A hex key with a newline is not the raw key, and its bytes never appear in the error.
  const std::string hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n";
  const auto material = ReadImportMaterial(v1::KEY_KIND_AES256_GCM, hex);
  ExpectInvalid(material, "exactly 32 bytes");
  EXPECT_FALSE(absl::StrContains(material.status().message(), "00112233"));
}

TEST_F(KeyImportTest, EcKeysInPkcs8AndTraditionalForm) {
  ExpectReadsAs(v1::KEY_KIND_ECDSA_P256, Pkcs8Pem(p256_), p256_);
  ExpectReadsAs(v1::KEY_KIND_ECDSA_P256, TraditionalPem(p256_), p256_);
  ExpectReadsAs(v1::KEY_KIND_ECDSA_P384, Pkcs8Pem(p384_), p384_);
  ExpectReadsAs(v1::KEY_KIND_ECDSA_P384, TraditionalPem(p384_), p384_);
  EXPECT_TRUE(absl::StartsWith(TraditionalPem(p256_), "-----BEGIN EC PRIVATE KEY-----"));
}

TEST_F(KeyImportTest, EcParametersBlockBeforeTheKeyIsSkipped) {
  // As `openssl ecparam -name prime256v1 -genkey` writes it.
  const BioPtr bio(BIO_new(BIO_s_mem()));
  ASSERT_EQ(PEM_write_bio_Parameters(bio.get(), p256_), 1);
  const std::string pem = BioContents(bio.get()) + TraditionalPem(p256_);
  ASSERT_TRUE(absl::StartsWith(pem, "-----BEGIN EC PARAMETERS-----"));
  ExpectReadsAs(v1::KEY_KIND_ECDSA_P256, pem, p256_);
}

TEST_F(KeyImportTest, ExplicitCurveAndCompressedPointComeOutNamedAndUncompressed) {
  const EvpPkeyPtr key(EVP_EC_gen("P-256"));
  ASSERT_NE(key, nullptr);
  ASSERT_EQ(EVP_PKEY_set_utf8_string_param(key.get(), OSSL_PKEY_PARAM_EC_ENCODING,
                                           OSSL_PKEY_EC_ENCODING_EXPLICIT),
            1);
  ASSERT_EQ(EVP_PKEY_set_utf8_string_param(key.get(), OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                           OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_COMPRESSED),
            1);
  const std::string pem = TraditionalPem(key.get());
  // Named P-256 keys take about 230 PEM characters, explicit parameters over 400.
  ASSERT_GT(pem.size(), 400u);
  YJ_ASSERT_OK_AND_ASSIGN(const ImportMaterial material,
                          ReadImportMaterial(v1::KEY_KIND_ECDSA_P256, pem));
  // SPKI of a named P-256 key with an uncompressed point is 91 bytes; explicit parameters would
  // take over 200.
  EXPECT_EQ(material.public_key_der.size(), 91u);
  EXPECT_LT(material.material.size(), 160u);
  const EvpPkeyPtr parsed = ParsePkcs8Der(material.material);
  ASSERT_NE(parsed, nullptr);
  EXPECT_EQ(EVP_PKEY_eq(parsed.get(), key.get()), 1);
}

TEST_F(KeyImportTest, RsaKeysInPkcs8AndTraditionalForm) {
  ExpectReadsAs(v1::KEY_KIND_RSA_PSS_2048, Pkcs8Pem(rsa2048_), rsa2048_);
  ExpectReadsAs(v1::KEY_KIND_RSA_PKCS1_2048, TraditionalPem(rsa2048_), rsa2048_);
  ExpectReadsAs(v1::KEY_KIND_RSA_PKCS1_3072, Pkcs8Pem(rsa3072_), rsa3072_);
  EXPECT_TRUE(absl::StartsWith(TraditionalPem(rsa2048_), "-----BEGIN RSA PRIVATE KEY-----"));
}

TEST_F(KeyImportTest, KeysOfTheWrongCurveSizeOrTypeAreRejected) {
  ExpectInvalid(ReadImportMaterial(v1::KEY_KIND_ECDSA_P384, Pkcs8Pem(p256_)), "P-384");
  ExpectInvalid(ReadImportMaterial(v1::KEY_KIND_ECDSA_P256, TraditionalPem(p384_)), "P-256");
  ExpectInvalid(ReadImportMaterial(v1::KEY_KIND_RSA_PSS_3072, Pkcs8Pem(rsa2048_)), "3072-bit");
  ExpectInvalid(ReadImportMaterial(v1::KEY_KIND_RSA_PKCS1_4096, TraditionalPem(rsa3072_)),
                "4096-bit");
  ExpectInvalid(ReadImportMaterial(v1::KEY_KIND_RSA_PKCS1_2048, Pkcs8Pem(p256_)), "RSA");
  ExpectInvalid(ReadImportMaterial(v1::KEY_KIND_ECDSA_P256, Pkcs8Pem(rsa2048_)), "EC");
  // A PEM file is not a raw symmetric key.
  ExpectInvalid(ReadImportMaterial(v1::KEY_KIND_AES256_GCM, Pkcs8Pem(p256_)), "exactly 32");
}

TEST_F(KeyImportTest, PublicKeysEncryptedKeysAndGarbageAreRejected) {
  ExpectInvalid(ReadImportMaterial(v1::KEY_KIND_ECDSA_P256, PublicPem(p256_)), "not a private");
  ExpectInvalid(ReadImportMaterial(v1::KEY_KIND_RSA_PSS_2048, PublicPem(rsa2048_)),
                "not a private");
  ExpectInvalid(ReadImportMaterial(v1::KEY_KIND_ECDSA_P256, "not a key at all"), "PEM");
  ExpectInvalid(ReadImportMaterial(v1::KEY_KIND_ECDSA_P256, ""), "PEM");
  ExpectInvalid(ReadImportMaterial(v1::KEY_KIND_ECDSA_P256, RandomBytes(64)), "PEM");
  // A private key label around a damaged body.
  std::string damaged = Pkcs8Pem(p256_);
  damaged[40] = damaged[40] == 'A' ? 'B' : 'A';
  damaged.erase(60, 8);
  EXPECT_FALSE(ReadImportMaterial(v1::KEY_KIND_ECDSA_P256, damaged).ok());

  const BioPtr bio(BIO_new(BIO_s_mem()));
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(bio.get(), p256_, EVP_aes_256_cbc(), nullptr, 0, nullptr,
                                          const_cast<char*>("password")),
            1);
  ExpectInvalid(ReadImportMaterial(v1::KEY_KIND_ECDSA_P256, BioContents(bio.get())), "encrypted");
}

TEST_F(KeyImportTest, OnlyTheListedKindsCanBeImported) {
  for (const v1::KeyKind kind : {v1::KEY_KIND_SM4, v1::KEY_KIND_HMAC_SM3, v1::KEY_KIND_ED25519,
                                 v1::KEY_KIND_SM2, v1::KEY_KIND_UNSPECIFIED}) {
    const absl::Status status = CheckImportableKind(kind);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_TRUE(absl::StrContains(status.message(), "cannot be imported")) << status;
    ExpectInvalid(ReadImportMaterial(kind, RandomBytes(32)), "cannot be imported");
  }
  EXPECT_EQ(CheckImportableKind(v1::KEY_KIND_SM2).message(), "kind sm2 cannot be imported");
  for (const v1::KeyKind kind :
       {v1::KEY_KIND_AES256_GCM, v1::KEY_KIND_HMAC_SHA256, v1::KEY_KIND_HMAC_SHA384,
        v1::KEY_KIND_ECDSA_P256, v1::KEY_KIND_ECDSA_P384, v1::KEY_KIND_RSA_PSS_2048,
        v1::KEY_KIND_RSA_PSS_3072, v1::KEY_KIND_RSA_PSS_4096, v1::KEY_KIND_RSA_PKCS1_2048,
        v1::KEY_KIND_RSA_PKCS1_3072, v1::KEY_KIND_RSA_PKCS1_4096}) {
    YJ_EXPECT_OK(CheckImportableKind(kind));
  }
}

TEST_F(KeyImportTest, WrappedMaterialUnwrapsWithTheImportPrivateKey) {
  YJ_ASSERT_OK_AND_ASSIGN(const ImportMaterial ec,
                          ReadImportMaterial(v1::KEY_KIND_ECDSA_P256, Pkcs8Pem(p256_)));
  const std::string aes = RandomBytes(32);
  const std::string pem = PublicPem(rsa3072_);
  struct HashCase {
    const char* name;
    const EVP_MD* md;
    const EVP_MD* other;
  };
  for (const HashCase& hash :
       {HashCase{"sha1", EVP_sha1(), EVP_sha256()}, HashCase{"sha256", EVP_sha256(), EVP_sha1()}}) {
    SCOPED_TRACE(hash.name);
    for (const std::string& material : {aes, AsString(ec.material)}) {
      YJ_ASSERT_OK_AND_ASSIGN(const std::string wrapped,
                              WrapForImport(pem, hash.name, hsm::AsSpan(material)));
      // RSA-OAEP output as long as the modulus, then KWP: padded to 8 bytes plus 8.
      EXPECT_EQ(wrapped.size(), 384u + (material.size() + 7) / 8 * 8 + 8);
      YJ_ASSERT_OK_AND_ASSIGN(const std::string unwrapped, Unwrap(rsa3072_, hash.md, wrapped));
      EXPECT_EQ(unwrapped, material);
      EXPECT_FALSE(Unwrap(rsa3072_, hash.other, wrapped).ok());
    }
  }
}

TEST_F(KeyImportTest, TamperingWithEitherPartMakesUnwrappingFail) {
  const std::string material = RandomBytes(48);
  YJ_ASSERT_OK_AND_ASSIGN(const std::string wrapped,
                          WrapForImport(PublicPem(rsa3072_), "sha256", hsm::AsSpan(material)));
  YJ_ASSERT_OK(Unwrap(rsa3072_, EVP_sha256(), wrapped));
  for (const size_t position :
       {size_t{0}, size_t{200}, size_t{383}, size_t{384}, size_t{400}, wrapped.size() - 1}) {
    std::string tampered = wrapped;
    tampered[position] = static_cast<char>(tampered[position] ^ 0x01);
    EXPECT_FALSE(Unwrap(rsa3072_, EVP_sha256(), tampered).ok()) << position;
  }
}

TEST_F(KeyImportTest, EachWrapUsesAFreshTransportKey) {
  const std::string material = RandomBytes(32);
  const std::string pem = PublicPem(rsa3072_);
  YJ_ASSERT_OK_AND_ASSIGN(const std::string first,
                          WrapForImport(pem, "sha256", hsm::AsSpan(material)));
  YJ_ASSERT_OK_AND_ASSIGN(const std::string second,
                          WrapForImport(pem, "sha256", hsm::AsSpan(material)));
  EXPECT_NE(first.substr(384), second.substr(384));
}

TEST_F(KeyImportTest, WrapRefusesBadParameters) {
  const std::string material = RandomBytes(32);
  const auto expect_invalid = [&](absl::string_view pem, absl::string_view hash,
                                  absl::string_view what) {
    const auto wrapped = WrapForImport(pem, hash, hsm::AsSpan(material));
    ASSERT_FALSE(wrapped.ok()) << what;
    EXPECT_EQ(wrapped.status().code(), absl::StatusCode::kInvalidArgument) << wrapped.status();
  };
  const std::string rsa_pem = PublicPem(rsa3072_);
  expect_invalid(rsa_pem, "md5", "unknown hash");
  expect_invalid(rsa_pem, "SHA256", "hash names are lowercase");
  expect_invalid(rsa_pem, "", "no hash");
  expect_invalid(PublicPem(p256_), "sha256", "EC import key");
  const EvpPkeyPtr small(EVP_RSA_gen(1024));
  ASSERT_NE(small, nullptr);
  expect_invalid(PublicPem(small.get()), "sha256", "RSA-1024 import key");
  expect_invalid("garbage", "sha256", "not PEM");
  expect_invalid(Pkcs8Pem(rsa3072_), "sha256", "a private key, not SPKI");
  const auto empty = WrapForImport(rsa_pem, "sha256", {});
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  // RSA-2048 is the smallest import key accepted.
  YJ_EXPECT_OK(WrapForImport(PublicPem(rsa2048_), "sha1", hsm::AsSpan(material)));
}

}  // namespace
}  // namespace yinjian::cli
