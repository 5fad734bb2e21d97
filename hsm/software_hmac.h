// HMAC over the software digests (HMAC-SHA-2, HMAC-SM3) via OpenSSL's EVP_MAC "HMAC".
#ifndef YINJIAN_HSM_SOFTWARE_HMAC_H_
#define YINJIAN_HSM_SOFTWARE_HMAC_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "hsm/digest_algorithm.h"
#include "hsm/secure_bytes.h"

namespace yinjian::hsm {

// Returns HMAC-<digest>(key, message), DigestLength(digest) bytes. INVALID_ARGUMENT if `key` is
// empty; INTERNAL if OpenSSL fails. The key is only read, never copied outside OpenSSL.
absl::StatusOr<Bytes> SoftwareHmac(DigestAlgorithm digest, const SecureBytes& key,
                                   absl::Span<const uint8_t> message);

// Returns whether `tag` is HMAC-<digest>(key, message), comparing in constant time. A tag of the
// wrong length is simply false. Errors as SoftwareHmac.
absl::StatusOr<bool> VerifySoftwareHmac(DigestAlgorithm digest, const SecureBytes& key,
                                        absl::Span<const uint8_t> message,
                                        absl::Span<const uint8_t> tag);

// For constructions built on HMAC (e.g. SM4 AEAD): the HMAC of the concatenation of `parts`,
// without materialising the concatenation. `key` is a view into a secret the caller holds in
// SecureBytes. Errors as SoftwareHmac.
absl::StatusOr<Bytes> SoftwareHmacOfParts(DigestAlgorithm digest, absl::Span<const uint8_t> key,
                                          absl::Span<const absl::Span<const uint8_t>> parts);

}  // namespace yinjian::hsm

#endif  // YINJIAN_HSM_SOFTWARE_HMAC_H_
