#include "service/api/digest_algorithms.h"

namespace yinjian::api {

absl::StatusOr<hsm::DigestAlgorithm> DigestFromProto(v1::DigestAlgorithm algorithm) {
  switch (algorithm) {
    case v1::DIGEST_ALGORITHM_SHA256: return hsm::DigestAlgorithm::kSha256;
    case v1::DIGEST_ALGORITHM_SHA384: return hsm::DigestAlgorithm::kSha384;
    case v1::DIGEST_ALGORITHM_SHA512: return hsm::DigestAlgorithm::kSha512;
    case v1::DIGEST_ALGORITHM_SM3: return hsm::DigestAlgorithm::kSm3;
    default: return absl::InvalidArgumentError("digest algorithm is missing or unknown");
  }
}

}  // namespace yinjian::api
