// Bring your own key on a real SoftHSM token: material wrapped here with OpenSSL exactly as
// keys.proto describes (RSA-OAEP + AES-KWP for the department's import key) is unwrapped and
// re-wrapped inside the HSM, and the service then computes with the officer's own key: the HMAC
// matches OpenSSL's, the AES-GCM ciphertext opens with OpenSSL, the signatures verify under the
// officer's public key. Tampered, mismatched and unsupported material is refused.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "hsm/ossl_ptr.h"
#include "hsm/public_key.h"
#include "hsm/software_verify.h"
#include "service/core/encryption_service.h"
#include "service/core/mac_service.h"
#include "service/core/signature_service.h"
#include "service/format/ciphertext_format.h"
#include "tests/service/core/lifecycle_fixture.h"

namespace yinjian::core {
namespace {

// The officer's side, written independently of yinjianctl: K, OAEP-SHA-1 under the import key,
// then RFC 5649 of the material under K.
std::string WrapForImport(const std::string& import_pem, const std::string& material) {
  hsm::Bytes spki = *hsm::PemToSpkiDer(import_pem);
  hsm::EvpPkeyPtr key = *hsm::ParseSpkiDer(spki);
  unsigned char k[32];
  EXPECT_EQ(RAND_bytes(k, sizeof(k)), 1);
  hsm::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(key.get(), nullptr));
  EXPECT_EQ(EVP_PKEY_encrypt_init(ctx.get()), 1);
  EXPECT_EQ(EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING), 1);
  EXPECT_EQ(EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), EVP_sha1()), 1);
  EXPECT_EQ(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha1()), 1);
  size_t length = 0;
  EXPECT_EQ(EVP_PKEY_encrypt(ctx.get(), nullptr, &length, k, sizeof(k)), 1);
  std::string out(length, '\0');
  EXPECT_EQ(EVP_PKEY_encrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &length, k,
                             sizeof(k)),
            1);
  out.resize(length);
  EVP_CIPHER_CTX* wrap = EVP_CIPHER_CTX_new();
  EVP_CIPHER_CTX_set_flags(wrap, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
  EXPECT_EQ(EVP_EncryptInit_ex(wrap, EVP_aes_256_wrap_pad(), nullptr, k, nullptr), 1);
  std::string wrapped(material.size() + 16, '\0');
  int n = 0;
  EXPECT_EQ(EVP_EncryptUpdate(wrap, reinterpret_cast<unsigned char*>(wrapped.data()), &n,
                              reinterpret_cast<const unsigned char*>(material.data()),
                              static_cast<int>(material.size())),
            1);
  int m = 0;
  EXPECT_EQ(EVP_EncryptFinal_ex(wrap, reinterpret_cast<unsigned char*>(wrapped.data()) + n, &m), 1);
  EVP_CIPHER_CTX_free(wrap);
  wrapped.resize(n + m);
  return out + wrapped;
}

std::string Random(size_t n) {
  std::string bytes(n, '\0');
  EXPECT_EQ(RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(n)), 1);
  return bytes;
}

// A fresh key pair made by OpenSSL: PKCS#8 DER private key and SPKI DER public key.
struct OfficerPair {
  std::string pkcs8;
  std::string spki;
};

// Takes ownership of `pkey`.
OfficerPair PairOf(EVP_PKEY* pkey) {
  EXPECT_NE(pkey, nullptr);
  OfficerPair pair;
  PKCS8_PRIV_KEY_INFO* info = EVP_PKEY2PKCS8(pkey);
  unsigned char* der = nullptr;
  int length = i2d_PKCS8_PRIV_KEY_INFO(info, &der);
  pair.pkcs8.assign(reinterpret_cast<char*>(der), length);
  OPENSSL_clear_free(der, length);
  PKCS8_PRIV_KEY_INFO_free(info);
  der = nullptr;
  length = i2d_PUBKEY(pkey, &der);
  pair.spki.assign(reinterpret_cast<char*>(der), length);
  OPENSSL_free(der);
  EVP_PKEY_free(pkey);
  return pair;
}

class KeyImportTest : public testing::LifecycleTest {
 protected:
  KeyImportTest() : LifecycleTest("imp") {}

  std::string ImportPem() {
    absl::StatusOr<std::string> pem = manager_->ImportPublicKeyPem(dept_);
    EXPECT_TRUE(pem.ok()) << pem.status();
    return pem.ok() ? *pem : "";
  }

  absl::StatusOr<KeyDescription> Import(const std::string& key, keys::KeyKind kind,
                                        const std::string& material, const std::string& spki = "") {
    return manager_->ImportKey(
        Name(key), kind, "", {},
        {.wrapped = WrapForImport(ImportPem(), material), .public_key_der = spki});
  }
};

TEST_F(KeyImportTest, TheServiceComputesWithTheOfficersHmacKey) {
  const std::string secret = Random(32);
  YJ_ASSERT_OK_AND_ASSIGN(KeyDescription key, Import("tokens", keys::KeyKind::kHmacSha256, secret));
  EXPECT_EQ(key.key.origin, store::kKeyImported);
  EXPECT_EQ(key.key.protection_level, "hsm");
  MacService macs(*resolver_);
  YJ_ASSERT_OK_AND_ASSIGN(MacResult mac, macs.Mac(Name("tokens"), "citizen 4711"));
  unsigned char expected[32];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>("citizen 4711"), 12, expected, &length);
  EXPECT_EQ(mac.mac, std::string(reinterpret_cast<char*>(expected), length));
}

TEST_F(KeyImportTest, AesCiphertextsOpenWithTheOfficersKey) {
  const std::string secret = Random(32);
  YJ_ASSERT_OK(Import("archive", keys::KeyKind::kAes256Gcm, secret).status());
  EncryptionService encryption(*resolver_);
  YJ_ASSERT_OK_AND_ASSIGN(EncryptResult sealed,
                          encryption.Encrypt(Name("archive"), "minutes of 3 May", {}));
  YJ_ASSERT_OK_AND_ASSIGN(format::ParsedCiphertext parsed,
                          format::ParseCiphertext(sealed.ciphertext));
  const std::string aad = format::AssociatedData(parsed.header_bytes, {});
  const absl::string_view iv = parsed.payload.substr(0, 12);
  const absl::string_view tag = parsed.payload.substr(parsed.payload.size() - 16);
  const absl::string_view body = parsed.payload.substr(12, parsed.payload.size() - 28);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ASSERT_EQ(EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr,
                               reinterpret_cast<const unsigned char*>(secret.data()),
                               reinterpret_cast<const unsigned char*>(iv.data())),
            1);
  int n = 0;
  ASSERT_EQ(EVP_DecryptUpdate(ctx, nullptr, &n, reinterpret_cast<const unsigned char*>(aad.data()),
                              static_cast<int>(aad.size())),
            1);
  std::string plain(body.size(), '\0');
  ASSERT_EQ(EVP_DecryptUpdate(ctx, reinterpret_cast<unsigned char*>(plain.data()), &n,
                              reinterpret_cast<const unsigned char*>(body.data()),
                              static_cast<int>(body.size())),
            1);
  ASSERT_EQ(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, const_cast<char*>(tag.data())), 1);
  int m = 0;
  EXPECT_EQ(EVP_DecryptFinal_ex(ctx, reinterpret_cast<unsigned char*>(plain.data()) + n, &m), 1);
  EVP_CIPHER_CTX_free(ctx);
  EXPECT_EQ(plain, "minutes of 3 May");
}

TEST_F(KeyImportTest, SignaturesVerifyUnderTheOfficersPublicKey) {
  struct Case {
    keys::KeyKind kind;
    OfficerPair pair;
  };
  const Case cases[] = {
      {keys::KeyKind::kEcdsaP256, PairOf(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"))},
      {keys::KeyKind::kRsaPss2048,
       PairOf(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}))},
  };
  for (const Case& c : cases) {
    const OfficerPair& pair = c.pair;
    const std::string name = std::string("seal-") + keys::Info(c.kind).name;
    YJ_ASSERT_OK(Import(name, c.kind, pair.pkcs8, pair.spki).status());
    SignatureService signatures(*resolver_);
    YJ_ASSERT_OK_AND_ASSIGN(SignResult signed_, signatures.Sign(Name(name), {"decree 12", false}));
    YJ_ASSERT_OK_AND_ASSIGN(
        bool valid, hsm::VerifySignature(hsm::AsSpan(pair.spki), *keys::Info(c.kind).signature,
                                         hsm::AsSpan("decree 12"), hsm::AsSpan(signed_.signature)));
    EXPECT_TRUE(valid) << name;
  }
}

TEST_F(KeyImportTest, BadMaterialIsRefusedAndImportedKeysRotateOnlyByImport) {
  const std::string pem = ImportPem();
  // Tampered transport: one flipped bit in the OAEP part, then in the KWP part.
  std::string wrapped = WrapForImport(pem, Random(32));
  for (size_t at : {size_t{10}, wrapped.size() - 3}) {
    std::string tampered = wrapped;
    tampered[at] ^= 0x01;
    EXPECT_EQ(
        manager_->ImportKey(Name("t"), keys::KeyKind::kAes256Gcm, "", {}, {.wrapped = tampered})
            .status()
            .code(),
        absl::StatusCode::kInvalidArgument)
        << at;
  }
  // Wrong length for the kind; a public key that is not the private key's; an unsupported kind.
  EXPECT_EQ(Import("short", keys::KeyKind::kAes256Gcm, Random(16)).status().code(),
            absl::StatusCode::kInvalidArgument);
  const OfficerPair mine = PairOf(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  const OfficerPair other = PairOf(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  EXPECT_EQ(Import("mixed", keys::KeyKind::kEcdsaP256, mine.pkcs8, other.spki).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Import("nospki", keys::KeyKind::kEcdsaP256, mine.pkcs8).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Import("curve", keys::KeyKind::kEcdsaP384, mine.pkcs8, mine.spki).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Import("gm", keys::KeyKind::kSm4, Random(16)).status().code(),
            absl::StatusCode::kFailedPrecondition);
  for (const char* refused : {"short", "mixed", "nospki", "curve", "gm", "t"}) {
    EXPECT_EQ(store_->GetKey(dept_, refused).status().code(), absl::StatusCode::kNotFound);
  }

  // Imported keys: new versions only by import, and no automatic rotation.
  YJ_ASSERT_OK(Import("byok", keys::KeyKind::kHmacSha384, Random(48)).status());
  EXPECT_EQ(manager_->RotateKey(Name("byok")).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(manager_->SetRotationPeriod(Name("byok"), absl::Hours(24), Now()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  YJ_ASSERT_OK_AND_ASSIGN(
      KeyDescription next,
      manager_->ImportKeyVersion(Name("byok"), {.wrapped = WrapForImport(pem, Random(48))}));
  EXPECT_EQ(next.key.primary_version, 2);
  YJ_ASSERT_OK(
      manager_->CreateKey(Name("made"), keys::KeyKind::kHmacSha384, std::nullopt, "").status());
  EXPECT_EQ(manager_->ImportKeyVersion(Name("made"), {.wrapped = WrapForImport(pem, Random(48))})
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace yinjian::core
