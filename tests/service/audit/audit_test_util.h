// Shared by the audit core tests: software signing keys standing in for the HSM's log key, and
// the RFC 6962 reference tree.
#ifndef YINJIAN_TESTS_SERVICE_AUDIT_AUDIT_TEST_UTIL_H_
#define YINJIAN_TESTS_SERVICE_AUDIT_AUDIT_TEST_UTIL_H_

#include <openssl/evp.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "hsm/ossl_ptr.h"
#include "hsm/ossl_status.h"
#include "hsm/public_key.h"
#include "hsm/secure_bytes.h"
#include "hsm/sm2.h"
#include "service/audit/merkle.h"
#include "service/audit/note_keys.h"
#include "tests/support/openssl_cli.h"

namespace yinjian::audit::fixtures {

// An ECDSA P-256 key pair in software; signs like the HSM key (DER, SHA-256 over the message).
class SoftwareP256Key {
 public:
  static absl::StatusOr<SoftwareP256Key> Generate() {
    hsm::EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (key == nullptr) return hsm::OsslInternal("P-256 key generation failed");
    absl::StatusOr<hsm::Bytes> spki = hsm::EncodeSpkiDer(key.get());
    if (!spki.ok()) return spki.status();
    return SoftwareP256Key(std::shared_ptr<EVP_PKEY>(key.release(), EVP_PKEY_free),
                           *std::move(spki));
  }

  const hsm::Bytes& spki() const { return spki_; }
  EVP_PKEY* pkey() const { return key_.get(); }

  CallbackNoteSigner::SignFn SignFn() const {
    return [key = key_](absl::Span<const uint8_t> message) -> absl::StatusOr<hsm::Bytes> {
      hsm::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
      size_t len = 0;
      if (ctx == nullptr ||
          EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA2-256", nullptr, nullptr, key.get(),
                                nullptr) != 1 ||
          EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size()) != 1) {
        return hsm::OsslInternal("ECDSA sign init failed");
      }
      hsm::Bytes signature(len);
      if (EVP_DigestSign(ctx.get(), signature.data(), &len, message.data(), message.size()) != 1) {
        return hsm::OsslInternal("ECDSA sign failed");
      }
      signature.resize(len);
      return signature;
    };
  }

 private:
  SoftwareP256Key(std::shared_ptr<EVP_PKEY> key, hsm::Bytes spki)
      : key_(std::move(key)), spki_(std::move(spki)) {}

  std::shared_ptr<EVP_PKEY> key_;
  hsm::Bytes spki_;
};

// An SM2 key pair in software (PKCS#8), signing with hsm::Sm2Sign.
struct SoftwareSm2Key {
  static absl::StatusOr<SoftwareSm2Key> Generate() {
    absl::StatusOr<hsm::SecureBytes> pkcs8 = hsm::GenerateSm2Key();
    if (!pkcs8.ok()) return pkcs8.status();
    absl::StatusOr<hsm::Bytes> spki = hsm::Sm2PublicKeySpki(*pkcs8);
    if (!spki.ok()) return spki.status();
    return SoftwareSm2Key{std::make_shared<hsm::SecureBytes>(*std::move(pkcs8)), *std::move(spki)};
  }

  CallbackNoteSigner::SignFn SignFn() const {
    return [pkcs8 = pkcs8](absl::Span<const uint8_t> message) {
      return hsm::Sm2Sign(*pkcs8, message);
    };
  }

  std::shared_ptr<hsm::SecureBytes> pkcs8;
  hsm::Bytes spki;
};

// RFC 6962 reference tree (google/certificate-transparency, as transparency-dev/merkle's
// testonly package publishes it): the 8 leaf inputs, the roots of every prefix (RootHashes()[n]
// is the root of the first n leaves) and the hashes of all perfect subtrees by level.
inline std::vector<hsm::Bytes> ReferenceLeafInputs() {
  using ::yinjian::testing::Unhex;
  return {Unhex(""),
          Unhex("00"),
          Unhex("10"),
          Unhex("2021"),
          Unhex("3031"),
          Unhex("40414243"),
          Unhex("5051525354555657"),
          Unhex("606162636465666768696a6b6c6d6e6f")};
}

inline Hash HashFromHex(const std::string& hex) {
  const std::vector<uint8_t> bytes = ::yinjian::testing::Unhex(hex);
  Hash hash{};
  std::copy_n(bytes.begin(), std::min(bytes.size(), hash.size()), hash.begin());
  return hash;
}

inline std::vector<Hash> ReferenceRootHashes() {
  return {
      HashFromHex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
      HashFromHex("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
      HashFromHex("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
      HashFromHex("aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"),
      HashFromHex("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
      HashFromHex("4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4"),
      HashFromHex("76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"),
      HashFromHex("ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c"),
      HashFromHex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
  };
}

inline std::vector<std::vector<Hash>> ReferenceNodeHashes() {
  return {
      {
          HashFromHex("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
          HashFromHex("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
          HashFromHex("0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7"),
          HashFromHex("07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7"),
          HashFromHex("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
          HashFromHex("4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658"),
          HashFromHex("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
          HashFromHex("46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"),
      },
      {
          HashFromHex("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
          HashFromHex("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
          HashFromHex("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
          HashFromHex("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
      },
      {
          HashFromHex("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
          HashFromHex("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
      },
      {
          HashFromHex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
      },
  };
}

}  // namespace yinjian::audit::fixtures

#endif  // YINJIAN_TESTS_SERVICE_AUDIT_AUDIT_TEST_UTIL_H_
