// Signature verification in software against a SubjectPublicKeyInfo, for every
// SignatureAlgorithm. Used to check HSM signatures and to serve verify requests without the HSM.
#ifndef YINJIAN_HSM_SOFTWARE_VERIFY_H_
#define YINJIAN_HSM_SOFTWARE_VERIFY_H_

#include <openssl/evp.h>

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "hsm/secure_bytes.h"
#include "hsm/signature_algorithm.h"
#include "hsm/software_digest.h"  // SoftwareDigest, for callers of VerifyDigestSignature

namespace yinjian::hsm {

// Returns true if `signature` is a valid `algorithm` signature over `message` by the key in
// `spki` (DER), false if it is not, including when the signature bytes are malformed (ECDSA and
// SM2 signatures are DER; RSA signatures are modulus-sized; Ed25519 64 bytes).
// INVALID_ARGUMENT if `spki` is malformed or holds a key of the wrong type for `algorithm`
// (e.g. an RSA key with kEcdsaSha256); INTERNAL if OpenSSL fails.
absl::StatusOr<bool> VerifySignature(absl::Span<const uint8_t> spki, SignatureAlgorithm algorithm,
                                     absl::Span<const uint8_t> message,
                                     absl::Span<const uint8_t> signature);

// A public key parsed once, for many verifications with one algorithm: OpenSSL 3's decoders
// make parsing an SPKI dearer than an ECDSA verification (audit checkpoints check every
// signature the HSM makes with one key). Immutable and safe to share between threads.
class VerifyingKey {
 public:
  // Errors as VerifySignature's for `spki`.
  static absl::StatusOr<VerifyingKey> Parse(absl::Span<const uint8_t> spki,
                                            SignatureAlgorithm algorithm);
  // As VerifySignature.
  absl::StatusOr<bool> Verify(absl::Span<const uint8_t> message,
                              absl::Span<const uint8_t> signature) const;

 private:
  VerifyingKey(std::shared_ptr<EVP_PKEY> key, SignatureAlgorithm algorithm)
      : key_(std::move(key)), algorithm_(algorithm) {}

  std::shared_ptr<EVP_PKEY> key_;
  SignatureAlgorithm algorithm_;
};

// As VerifySignature, but over a digest the caller computed with DigestOf(algorithm). ECDSA and
// RSA only: INVALID_ARGUMENT for kEd25519 and kSm2Sm3 (whose signatures are not over a plain
// digest) and for a digest of the wrong length.
absl::StatusOr<bool> VerifyDigestSignature(absl::Span<const uint8_t> spki,
                                           SignatureAlgorithm algorithm,
                                           absl::Span<const uint8_t> digest,
                                           absl::Span<const uint8_t> signature);

}  // namespace yinjian::hsm

#endif  // YINJIAN_HSM_SOFTWARE_VERIFY_H_
