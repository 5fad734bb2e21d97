// Closed-loop load on a gRPC server: `concurrency` callers, each a thread with its own blocking
// stub on one shared channel, each starting its next call as soon as the previous one returned.
// Timed by bench/throughput.h, the same loop that measures the raw HSM rates.
#ifndef YINJIAN_BENCH_GRPC_LOAD_H_
#define YINJIAN_BENCH_GRPC_LOAD_H_

#include <grpcpp/grpcpp.h>

#include <cstddef>
#include <functional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "bench/throughput.h"

namespace yinjian::bench {

// Makes the callable of one caller (its stub, request and response live in it). The callable
// returns OK only if the call succeeded and its response checks out.
using CallerFactory = std::function<OperationFn()>;

struct LoadOptions {
  int concurrency = 1;
  absl::Duration duration = absl::Seconds(1);  // per repetition
  int repetitions = 3;                         // the median is reported
  Latencies latencies = Latencies::kIgnore;    // kRecord: also per-call latency percentiles
};

// Makes `concurrency` callers and runs each once (this opens the connection and checks the call
// works). The first failed call's status; INVALID_ARGUMENT for a concurrency below 1.
absl::StatusOr<std::vector<OperationFn>> StartCallers(const CallerFactory& new_caller,
                                                      int concurrency);

// StartCallers, then measures them (MeasureMedianThroughput). The first failed call aborts the
// measurement with its status; INVALID_ARGUMENT for bad options.
absl::StatusOr<RepeatedThroughput> MeasureClosedLoop(const CallerFactory& new_caller,
                                                     const LoadOptions& options);

// What one call carries: serialised request and response sizes.
struct WireSizes {
  size_t request_bytes = 0;
  size_t response_bytes = 0;
};

// OK, or the call's status as an absl::Status whose message starts with `what`.
absl::Status FromGrpcStatus(const grpc::Status& status, absl::string_view what);

}  // namespace yinjian::bench

#endif  // YINJIAN_BENCH_GRPC_LOAD_H_
