// Measures how many times per second a set of threads can run an operation, and optionally how
// long each run took: the timing core of every Yinjian benchmark, so that raw HSM rates, service
// rates and service latencies are measured the same way.
#ifndef YINJIAN_BENCH_THROUGHPUT_H_
#define YINJIAN_BENCH_THROUGHPUT_H_

#include <cstdint>
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

// Whether to time every operation on its own. Recording reads the clock after every operation
// instead of every few, which only matters for operations of well under a microsecond.
enum class Latencies { kIgnore, kRecord };

struct ThroughputSample {
  double ops_per_sec = 0;  // sum over threads of (operations / that thread's elapsed time)
  uint64_t operations = 0;
  std::vector<absl::Duration> latencies;  // of every operation, with Latencies::kRecord
};

// Runs workers[i] on thread i in a loop for `duration`, all threads released together by a
// barrier, timed with std::chrono::steady_clock. The first failed operation stops every thread
// and is returned (annotated with the thread number); a failed operation is never counted.
// INVALID_ARGUMENT for no workers or a non-positive duration.
absl::StatusOr<ThroughputSample> MeasureThroughput(absl::Span<const OperationFn> workers,
                                                   absl::Duration duration,
                                                   Latencies latencies = Latencies::kIgnore);

// Nearest-rank percentiles of per-operation latencies; zero when none were recorded.
struct LatencyPercentiles {
  absl::Duration p50;
  absl::Duration p99;
  uint64_t operations = 0;  // how many latencies they are taken from
};

struct RepeatedThroughput {
  double median_ops_per_sec = 0;
  std::vector<double> samples;  // ops/s of each repetition, in run order
  LatencyPercentiles latency;   // over every operation of every repetition
};

// MeasureThroughput `repetitions` times (>= 1) with the same workers; the median of the rates,
// and with Latencies::kRecord the percentiles of all repetitions' latencies taken together.
absl::StatusOr<RepeatedThroughput> MeasureMedianThroughput(
    absl::Span<const OperationFn> workers, absl::Duration duration, int repetitions,
    Latencies latencies = Latencies::kIgnore);

// CPU time (user + system) this process has used so far, all threads together; zero if the
// system cannot tell.
absl::Duration ProcessCpu();

// The nearest-rank percentiles of `latencies` (reordered in place); zero for an empty list.
LatencyPercentiles Percentiles(std::vector<absl::Duration>& latencies);

}  // namespace yinjian::bench

#endif  // YINJIAN_BENCH_THROUGHPUT_H_
