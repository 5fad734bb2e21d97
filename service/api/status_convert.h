// absl::Status -> grpc::Status at the service boundary. Messages written by Yinjian for the
// caller (bad names, wrong kinds, unknown keys) pass through; failures reported by the HSM carry
// CKR names and token labels, which go to the server log only, and the caller gets a short,
// canonical message instead.
#ifndef YINJIAN_SERVICE_API_STATUS_CONVERT_H_
#define YINJIAN_SERVICE_API_STATUS_CONVERT_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace yinjian::api {

grpc::Status ToGrpcStatus(const absl::Status& status, absl::string_view method);

}  // namespace yinjian::api

#endif  // YINJIAN_SERVICE_API_STATUS_CONVERT_H_
