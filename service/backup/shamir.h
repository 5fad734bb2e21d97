// Shamir secret sharing over GF(256) (libgfshare): a backup key split among N custodians so
// that any M of them, and no fewer, rebuild it (R12).
#ifndef YINJIAN_SERVICE_BACKUP_SHAMIR_H_
#define YINJIAN_SERVICE_BACKUP_SHAMIR_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "hsm/secure_bytes.h"

namespace yinjian::backup {

struct Share {
  int index = 0;       // the share's x coordinate, 1..255
  hsm::SecureBytes y;  // as long as the secret
};

// Splits `secret` into `custodians` shares (indexes 1..custodians), any `threshold` of which
// rebuild it. The polynomial's coefficients come from OpenSSL's private DRBG. INVALID_ARGUMENT
// unless 2 <= threshold <= custodians <= 255 (a threshold of 1 would make every share the
// secret itself) and the secret is non-empty.
absl::StatusOr<std::vector<Share>> SplitSecret(absl::Span<const uint8_t> secret, int custodians,
                                               int threshold);

// Rebuilds a secret from shares. INVALID_ARGUMENT for no shares, indexes outside 1..255 or
// repeated, or shares of different lengths. Fewer shares than the threshold give a wrong
// secret, not an error: check the result (the backup manifest carries a key check value).
absl::StatusOr<hsm::SecureBytes> CombineShares(absl::Span<const Share> shares);

}  // namespace yinjian::backup

#endif  // YINJIAN_SERVICE_BACKUP_SHAMIR_H_
