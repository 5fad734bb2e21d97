// ECDSA signature encodings: PKCS#11 CKM_ECDSA's raw r || s versus the DER
// ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } used by X.509 and OpenSSL.
#ifndef YINJIAN_HSM_ECDSA_SIGNATURE_H_
#define YINJIAN_HSM_ECDSA_SIGNATURE_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "hsm/secure_bytes.h"

namespace yinjian::hsm {

// Converts r || s (two equal halves, each at most 66 bytes) to DER. INVALID_ARGUMENT for an empty,
// odd-length or oversized input, or if r or s is zero.
absl::StatusOr<Bytes> EcdsaRawToDer(absl::Span<const uint8_t> r_concat_s);

// Converts DER to r || s with each half left-padded to `field_bytes` (32 for P-256, 48 for P-384,
// 66 for P-521). INVALID_ARGUMENT if the DER is malformed or not canonical (BER lengths, padded or
// negative integers, trailing bytes), if r or s is zero, or if either does not fit `field_bytes`.
absl::StatusOr<Bytes> EcdsaDerToRaw(absl::Span<const uint8_t> der, size_t field_bytes);

}  // namespace yinjian::hsm

#endif  // YINJIAN_HSM_ECDSA_SIGNATURE_H_
