// HMAC in the HSM with a generic-secret key (CKM_SHA256_HMAC, CKM_SHA384_HMAC, CKM_SHA512_HMAC).
// HMAC-SM3 is not a PKCS#11 mechanism of SoftHSM: see hsm/sm3.h for the software path.
#ifndef YINJIAN_HSM_HMAC_H_
#define YINJIAN_HSM_HMAC_H_

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "hsm/digest_algorithm.h"
#include "hsm/pkcs11.h"
#include "hsm/secure_bytes.h"
#include "hsm/token.h"

namespace yinjian::hsm {

// The full-length tag. FAILED_PRECONDITION for kSm3 or a key that may not sign.
absl::StatusOr<Bytes> HmacSign(Token& token, CK_OBJECT_HANDLE key, DigestAlgorithm digest,
                               absl::Span<const uint8_t> message);

// true if `tag` is the message's HMAC under `key` (compared inside the HSM); false otherwise,
// including for a tag of the wrong length.
absl::StatusOr<bool> HmacVerify(Token& token, CK_OBJECT_HANDLE key, DigestAlgorithm digest,
                                absl::Span<const uint8_t> message, absl::Span<const uint8_t> tag);

}  // namespace yinjian::hsm

#endif  // YINJIAN_HSM_HMAC_H_
