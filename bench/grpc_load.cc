#include "bench/grpc_load.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace yinjian::bench {

absl::Status FromGrpcStatus(const grpc::Status& status, absl::string_view what) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(what, ": ", status.error_message()));
}

absl::StatusOr<std::vector<OperationFn>> StartCallers(const CallerFactory& new_caller,
                                                      int concurrency) {
  if (concurrency < 1) return absl::InvalidArgumentError("concurrency must be >= 1");
  std::vector<OperationFn> callers;
  callers.reserve(concurrency);
  for (int i = 0; i < concurrency; ++i) {
    OperationFn caller = new_caller();
    RETURN_IF_ERROR(caller());
    callers.push_back(std::move(caller));
  }
  return callers;
}

absl::StatusOr<RepeatedThroughput> MeasureClosedLoop(const CallerFactory& new_caller,
                                                     const LoadOptions& options) {
  ASSIGN_OR_RETURN(std::vector<OperationFn> callers, StartCallers(new_caller, options.concurrency));
  return MeasureMedianThroughput(callers, options.duration, options.repetitions, options.latencies);
}

}  // namespace yinjian::bench
