// yinjian.v1.DigestAlgorithm -> hsm::DigestAlgorithm.
#ifndef YINJIAN_SERVICE_API_DIGEST_ALGORITHMS_H_
#define YINJIAN_SERVICE_API_DIGEST_ALGORITHMS_H_

#include "absl/status/statusor.h"
#include "hsm/digest_algorithm.h"
#include "yinjian/v1/common.pb.h"

namespace yinjian::api {

// INVALID_ARGUMENT for DIGEST_ALGORITHM_UNSPECIFIED or unknown values.
absl::StatusOr<hsm::DigestAlgorithm> DigestFromProto(v1::DigestAlgorithm algorithm);

}  // namespace yinjian::api

#endif  // YINJIAN_SERVICE_API_DIGEST_ALGORITHMS_H_
