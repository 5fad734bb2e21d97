#include "hsm/software_verify.h"

#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "absl/status/status.h"
#include "common/status_macros.h"
#include "hsm/ossl_ptr.h"
#include "hsm/ossl_status.h"
#include "hsm/public_key.h"
#include "hsm/sm2.h"

namespace yinjian::hsm {
namespace {

// OpenSSL wants a non-null pointer even for empty input.
const uint8_t* DataOrEmpty(absl::Span<const uint8_t> data) {
  static const uint8_t kEmpty = 0;
  return data.empty() ? &kEmpty : data.data();
}

// Parses `spki` and checks its key type suits `algorithm`.
absl::StatusOr<EvpPkeyPtr> ParseKeyFor(absl::Span<const uint8_t> spki,
                                       SignatureAlgorithm algorithm) {
  ASSIGN_OR_RETURN(EvpPkeyPtr key, ParseSpkiDer(spki));
  bool matches = false;
  switch (KeyTypeOf(algorithm)) {
    case SignatureKeyType::kEc:
      matches = EVP_PKEY_is_a(key.get(), "EC");  // SM2 keys are not "EC" here
      break;
    case SignatureKeyType::kRsa:
      matches = EVP_PKEY_is_a(key.get(), "RSA") ||
                (IsRsaPss(algorithm) && EVP_PKEY_is_a(key.get(), "RSA-PSS"));
      break;
    case SignatureKeyType::kEd25519:
      matches = EVP_PKEY_is_a(key.get(), "ED25519");
      break;
    case SignatureKeyType::kSm2:
      matches = EVP_PKEY_is_a(key.get(), "SM2");
      break;
  }
  if (!matches) return absl::InvalidArgumentError("public key type does not match the algorithm");
  return key;
}

// PSS with MGF1 over the message hash and a salt exactly as long as that hash.
absl::Status ConfigureRsaPss(EVP_PKEY_CTX* ctx, DigestAlgorithm digest) {
  if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md_name(ctx, DigestEvpName(digest), nullptr) != 1) {
    return OsslInvalidArgument("cannot use RSA-PSS with this key");
  }
  return absl::OkStatus();
}

// Interprets a final verify call: 1 is valid; 0 or negative (e.g. undecodable DER) is invalid.
bool VerifyResult(int rc) {
  ClearOsslErrors();
  return rc == 1;
}

}  // namespace

absl::StatusOr<bool> VerifySignature(absl::Span<const uint8_t> spki, SignatureAlgorithm algorithm,
                                     absl::Span<const uint8_t> message,
                                     absl::Span<const uint8_t> signature) {
  ASSIGN_OR_RETURN(const VerifyingKey key, VerifyingKey::Parse(spki, algorithm));
  return key.Verify(message, signature);
}

absl::StatusOr<VerifyingKey> VerifyingKey::Parse(absl::Span<const uint8_t> spki,
                                                 SignatureAlgorithm algorithm) {
  ASSIGN_OR_RETURN(EvpPkeyPtr key, ParseKeyFor(spki, algorithm));
  return VerifyingKey(std::shared_ptr<EVP_PKEY>(key.release(), EVP_PKEY_free), algorithm);
}

absl::StatusOr<bool> VerifyingKey::Verify(absl::Span<const uint8_t> message,
                                          absl::Span<const uint8_t> signature) const {
  if (algorithm_ == SignatureAlgorithm::kSm2Sm3) {
    return Sm2VerifyWithKey(key_.get(), message, signature);
  }
  const std::optional<DigestAlgorithm> digest = DigestOf(algorithm_);
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) return OsslInternal("cannot allocate digest context");
  EVP_PKEY_CTX* pkey_ctx = nullptr;  // owned by ctx
  if (EVP_DigestVerifyInit_ex(ctx.get(), &pkey_ctx, digest ? DigestEvpName(*digest) : nullptr,
                              nullptr, nullptr, key_.get(), nullptr) != 1) {
    return OsslInternal("verify init failed");
  }
  if (IsRsaPss(algorithm_)) RETURN_IF_ERROR(ConfigureRsaPss(pkey_ctx, *digest));
  return VerifyResult(EVP_DigestVerify(ctx.get(), DataOrEmpty(signature), signature.size(),
                                       DataOrEmpty(message), message.size()));
}

absl::StatusOr<bool> VerifyDigestSignature(absl::Span<const uint8_t> spki,
                                           SignatureAlgorithm algorithm,
                                           absl::Span<const uint8_t> digest,
                                           absl::Span<const uint8_t> signature) {
  const SignatureKeyType key_type = KeyTypeOf(algorithm);
  if (key_type != SignatureKeyType::kEc && key_type != SignatureKeyType::kRsa) {
    return absl::InvalidArgumentError("digest verification is only for ECDSA and RSA");
  }
  const DigestAlgorithm hash = *DigestOf(algorithm);
  if (digest.size() != DigestLength(hash)) {
    return absl::InvalidArgumentError("digest length does not match the algorithm's hash");
  }
  ASSIGN_OR_RETURN(EvpPkeyPtr key, ParseKeyFor(spki, algorithm));
  EvpMdPtr md(EVP_MD_fetch(nullptr, DigestEvpName(hash), nullptr));
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (md == nullptr || ctx == nullptr || EVP_PKEY_verify_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), md.get()) != 1) {
    return OsslInternal("verify init failed");
  }
  if (IsRsaPss(algorithm)) RETURN_IF_ERROR(ConfigureRsaPss(ctx.get(), hash));
  return VerifyResult(EVP_PKEY_verify(ctx.get(), DataOrEmpty(signature), signature.size(),
                                      digest.data(), digest.size()));
}

}  // namespace yinjian::hsm
