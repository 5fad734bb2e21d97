// Signatures made and checked inside the HSM. ECDSA and RSA hash in software (OpenSSL) and sign
// the digest in the HSM (CKM_ECDSA, CKM_RSA_PKCS with a DigestInfo, CKM_RSA_PKCS_PSS): one path
// for messages and caller-computed digests, and it needs only the raw mechanisms every HSM has
// (SoftHSM lacks CKM_ECDSA_SHA256). Ed25519 signs the message with CKM_EDDSA.
//
// Encodings are the standard ones: DER ECDSA-Sig-Value, RSA per RFC 8017, raw 64-byte Ed25519.
#ifndef YINJIAN_HSM_SIGNING_H_
#define YINJIAN_HSM_SIGNING_H_

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "hsm/pkcs11.h"
#include "hsm/secure_bytes.h"
#include "hsm/signature_algorithm.h"
#include "hsm/token.h"

namespace yinjian::hsm {

// Signs `message` with the private key. FAILED_PRECONDITION if the token lacks the mechanism
// (always for SM2: see hsm/sm2.h) or the key does not fit the algorithm.
absl::StatusOr<Bytes> SignMessage(Token& token, CK_OBJECT_HANDLE private_key,
                                  SignatureAlgorithm algorithm, absl::Span<const uint8_t> message);

// Signs a digest the caller computed with the algorithm's hash. INVALID_ARGUMENT if its length
// is wrong or the algorithm hashes internally (Ed25519, SM2).
absl::StatusOr<Bytes> SignDigest(Token& token, CK_OBJECT_HANDLE private_key,
                                 SignatureAlgorithm algorithm, absl::Span<const uint8_t> digest);

// true if the signature is valid for the public key; false if it is not (including a malformed
// signature encoding). Errors only for bad calls: wrong key, unsupported mechanism.
absl::StatusOr<bool> VerifyMessage(Token& token, CK_OBJECT_HANDLE public_key,
                                   SignatureAlgorithm algorithm,
                                   absl::Span<const uint8_t> message,
                                   absl::Span<const uint8_t> signature);
absl::StatusOr<bool> VerifyDigest(Token& token, CK_OBJECT_HANDLE public_key,
                                  SignatureAlgorithm algorithm, absl::Span<const uint8_t> digest,
                                  absl::Span<const uint8_t> signature);

}  // namespace yinjian::hsm

#endif  // YINJIAN_HSM_SIGNING_H_
