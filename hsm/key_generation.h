// Key generation inside the HSM. Every function returns owning handles: the new objects are
// destroyed when the result goes out of scope unless the caller Keep()s them.
#ifndef YINJIAN_HSM_KEY_GENERATION_H_
#define YINJIAN_HSM_KEY_GENERATION_H_

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "hsm/attributes.h"
#include "hsm/objects.h"
#include "hsm/token.h"

namespace yinjian::hsm {

enum class EcCurve { kP256, kP384 };

// DER-encoded OIDs as CKA_EC_PARAMS wants them.
absl::Span<const uint8_t> EcCurveParams(EcCurve curve);
absl::Span<const uint8_t> Ed25519Params();
// Bytes in a field element (32 for P-256, 48 for P-384), i.e. half a raw ECDSA signature.
size_t EcCurveFieldBytes(EcCurve curve);

// AES key of 16, 24 or 32 bytes (INVALID_ARGUMENT otherwise).
absl::StatusOr<ScopedObject> GenerateAesKey(Token& token, size_t key_bytes,
                                            const KeyOptions& options);
// Generic secret for HMAC: 16 to 128 bytes, a multiple of 8. Tokens may demand at least the
// digest length at use (SoftHSM: 32 bytes for SHA-256, 48 for SHA-384, 64 for SHA-512).
absl::StatusOr<ScopedObject> GenerateGenericSecret(Token& token, size_t key_bytes,
                                                   const KeyOptions& options);
absl::StatusOr<ScopedKeyPair> GenerateEcKeyPair(Token& token, EcCurve curve,
                                                const KeyOptions& options);
// RSA with 2048, 3072 or 4096 bits (INVALID_ARGUMENT otherwise), public exponent 65537.
absl::StatusOr<ScopedKeyPair> GenerateRsaKeyPair(Token& token, size_t modulus_bits,
                                                 const KeyOptions& options);
absl::StatusOr<ScopedKeyPair> GenerateEd25519KeyPair(Token& token, const KeyOptions& options);

}  // namespace yinjian::hsm

#endif  // YINJIAN_HSM_KEY_GENERATION_H_
