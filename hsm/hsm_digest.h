// Digests computed by the HSM (CKM_SHA256/384/512), in one call or streamed in parts. Most
// callers should hash in software (hsm/software_digest.h): it is faster and has SM3. These exist
// for deployments whose policy demands the HSM's own implementation.
#ifndef YINJIAN_HSM_HSM_DIGEST_H_
#define YINJIAN_HSM_HSM_DIGEST_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "hsm/digest_algorithm.h"
#include "hsm/secure_bytes.h"
#include "hsm/session_pool.h"
#include "hsm/token.h"

namespace yinjian::hsm {

// FAILED_PRECONDITION for an algorithm the token lacks (always kSm3 on SoftHSM).
absl::StatusOr<Bytes> HsmDigest(Token& token, DigestAlgorithm digest,
                                absl::Span<const uint8_t> message);

// A multi-part digest holding one session for its lifetime. Not thread-safe. Abandoning it
// without Finish() ends the HSM operation cleanly.
class HsmDigestStream {
 public:
  static absl::StatusOr<std::unique_ptr<HsmDigestStream>> Start(Token& token,
                                                               DigestAlgorithm digest);
  ~HsmDigestStream();

  absl::Status Update(absl::Span<const uint8_t> part);
  // The digest of every part so far. The stream cannot be used afterwards.
  absl::StatusOr<Bytes> Finish();

 private:
  HsmDigestStream(Token& token, SessionLease lease, DigestAlgorithm digest)
      : token_(token), lease_(std::move(lease)), digest_(digest) {}
  absl::Status Check(absl::Status status);

  Token& token_;
  SessionLease lease_;
  DigestAlgorithm digest_;
  bool active_ = true;
};

}  // namespace yinjian::hsm

#endif  // YINJIAN_HSM_HSM_DIGEST_H_
