// One-shot message digests computed in software with OpenSSL (SHA-2 family and SM3).
#ifndef YINJIAN_HSM_SOFTWARE_DIGEST_H_
#define YINJIAN_HSM_SOFTWARE_DIGEST_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "hsm/digest_algorithm.h"
#include "hsm/secure_bytes.h"

namespace yinjian::hsm {

// Returns digest(message), DigestLength(digest) bytes. Fails with INTERNAL only if OpenSSL cannot
// fetch or run the digest (e.g. a provider is missing).
absl::StatusOr<Bytes> SoftwareDigest(DigestAlgorithm digest, absl::Span<const uint8_t> message);

}  // namespace yinjian::hsm

#endif  // YINJIAN_HSM_SOFTWARE_DIGEST_H_
