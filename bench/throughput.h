// Measures how many times per second a set of threads can run an operation: the timing core of
// every Yinjian benchmark, so that raw HSM rates and service rates are measured the same way.
#ifndef YINJIAN_BENCH_THROUGHPUT_H_
#define YINJIAN_BENCH_THROUGHPUT_H_

#include <functional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace yinjian::bench {

// Performs the operation once. Each measuring thread has its own callable, so it may keep
// per-thread state (OpenSSL contexts, buffers) without locks.
using OperationFn = std::function<absl::Status()>;

struct ThroughputSample {
  double ops_per_sec = 0;  // sum over threads of (operations / that thread's elapsed time)
  uint64_t operations = 0;
};

// Runs workers[i] on thread i in a loop for `duration`, all threads released together by a
// barrier, timed with std::chrono::steady_clock. The first failed operation stops every thread
// and is returned (annotated with the thread number); a failed operation is never counted.
// INVALID_ARGUMENT for no workers or a non-positive duration.
absl::StatusOr<ThroughputSample> MeasureThroughput(absl::Span<const OperationFn> workers,
                                                   absl::Duration duration);

struct RepeatedThroughput {
  double median_ops_per_sec = 0;
  std::vector<double> samples;  // ops/s of each repetition, in run order
};

// MeasureThroughput `repetitions` times (>= 1) with the same workers; the median of the rates.
absl::StatusOr<RepeatedThroughput> MeasureMedianThroughput(absl::Span<const OperationFn> workers,
                                                           absl::Duration duration,
                                                           int repetitions);

}  // namespace yinjian::bench

#endif  // YINJIAN_BENCH_THROUGHPUT_H_
