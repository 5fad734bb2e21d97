// SM2 signatures (GB/T 32918.2 / GM/T 0003) with SM3 and the default distinguishing ID
// "1234567812345678" (GM/T 0009), in software. Used for keys that are wrapped at rest rather than
// held in the HSM, and to verify SM2 signatures.
#ifndef YINJIAN_HSM_SM2_H_
#define YINJIAN_HSM_SM2_H_

#include <openssl/evp.h>

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "hsm/secure_bytes.h"

namespace yinjian::hsm {

// The distinguishing ID mixed into Z_A; always set explicitly, never left to OpenSSL defaults.
inline constexpr std::string_view kSm2DefaultId = "1234567812345678";

// Generates an SM2 key pair and returns its private key as unencrypted PKCS#8 (PrivateKeyInfo)
// DER, owned by the caller, for wrapping at rest. INTERNAL if OpenSSL fails.
absl::StatusOr<SecureBytes> GenerateSm2Key();

// Returns the SPKI DER of the public half of a PKCS#8 SM2 private key. INVALID_ARGUMENT if
// `pkcs8` is malformed or not an SM2 key (the error never includes key bytes).
absl::StatusOr<Bytes> Sm2PublicKeySpki(const SecureBytes& pkcs8);

// Signs `message` (SM3 with Z_A over kSm2DefaultId, computed inside) and returns the DER
// SEQUENCE { r, s } signature. Errors as Sm2PublicKeySpki; INTERNAL if signing fails.
absl::StatusOr<Bytes> Sm2Sign(const SecureBytes& pkcs8, absl::Span<const uint8_t> message);

// Returns whether `signature` (DER) is a valid SM2 signature over `message` for the SM2 key in
// `spki`. A malformed signature is false. INVALID_ARGUMENT if `spki` is malformed or not SM2.
absl::StatusOr<bool> Sm2Verify(absl::Span<const uint8_t> spki, absl::Span<const uint8_t> message,
                               absl::Span<const uint8_t> signature);
// The same with a key already parsed (and checked to be SM2).
absl::StatusOr<bool> Sm2VerifyWithKey(EVP_PKEY* key, absl::Span<const uint8_t> message,
                                      absl::Span<const uint8_t> signature);

}  // namespace yinjian::hsm

#endif  // YINJIAN_HSM_SM2_H_
