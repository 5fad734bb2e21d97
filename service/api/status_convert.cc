#include "service/api/status_convert.h"

#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "hsm/ck_rv.h"

namespace yinjian::api {
namespace {

std::string ClientMessageForHsmFailure(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kUnavailable: return "the HSM is unavailable; retry later";
    case absl::StatusCode::kResourceExhausted: return "the HSM is busy; retry later";
    case absl::StatusCode::kInvalidArgument: return "the HSM rejected the input";
    case absl::StatusCode::kNotFound: return "the key material is missing from the HSM";
    case absl::StatusCode::kFailedPrecondition: return "the HSM refused the operation for this key";
    default: return "internal error in the HSM layer";
  }
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status, absl::string_view method) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  const bool from_hsm = hsm::CkRvFromStatus(status).has_value();
  if (from_hsm || status.code() == absl::StatusCode::kInternal) {
    // The detail (function, CKR name, token label) is for operators, not callers.
    std::string line = absl::StrCat("yinjian-server: ", method, ": ", status.ToString(), "\n");
    std::fwrite(line.data(), 1, line.size(), stderr);
    return grpc::Status(code, from_hsm ? ClientMessageForHsmFailure(status.code())
                                       : "internal error");
  }
  return grpc::Status(code, std::string(status.message()));
}

}  // namespace yinjian::api
