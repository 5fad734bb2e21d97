#include "bench/throughput.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <latch>
#include <thread>

#include "absl/strings/str_cat.h"

namespace yinjian::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Reading the clock costs ~20 ns (vDSO); for sub-microsecond operations reading it after every
// call would be a visible share of the measurement, so read it every few operations.
constexpr int kOperationsPerClockRead = 4;

struct ThreadOutcome {
  uint64_t operations = 0;
  double seconds = 0;
  absl::Status status;
  std::vector<absl::Duration> latencies;
};

// Runs `operation` until `duration` has passed since the start, `stop` is set, or an operation
// fails (which then sets `stop`). Reads the clock every kOperationsPerClockRead operations, or
// with Latencies::kRecord after every one, recording its duration.
void RunThread(const OperationFn& operation, Clock::duration duration, Latencies latencies,
               std::latch& start, std::atomic<bool>& stop, ThreadOutcome& outcome) {
  const bool record = latencies == Latencies::kRecord;
  const int per_clock_read = record ? 1 : kOperationsPerClockRead;
  start.arrive_and_wait();
  const Clock::time_point begin = Clock::now();
  const Clock::time_point deadline = begin + duration;
  Clock::time_point now = begin;
  uint64_t operations = 0;
  while (now < deadline && !stop.load(std::memory_order_relaxed)) {
    for (int i = 0; i < per_clock_read; ++i) {
      absl::Status status = operation();
      if (!status.ok()) {
        outcome.status = std::move(status);
        stop.store(true, std::memory_order_relaxed);
        return;
      }
      ++operations;
    }
    const Clock::time_point before = now;
    now = Clock::now();
    if (record) outcome.latencies.push_back(absl::FromChrono(now - before));
  }
  outcome.operations = operations;
  outcome.seconds = std::chrono::duration<double>(now - begin).count();
}

// The latency at nearest rank ceil(fraction * n) of the n in `latencies`.
absl::Duration NearestRank(std::vector<absl::Duration>& latencies, double fraction) {
  size_t rank = static_cast<size_t>(std::ceil(fraction * double(latencies.size())));
  rank = std::clamp<size_t>(rank, 1, latencies.size());
  auto nth = latencies.begin() + static_cast<std::ptrdiff_t>(rank - 1);
  std::nth_element(latencies.begin(), nth, latencies.end());
  return *nth;
}

}  // namespace

absl::StatusOr<ThroughputSample> MeasureThroughput(absl::Span<const OperationFn> workers,
                                                   absl::Duration duration, Latencies latencies) {
  if (workers.empty()) return absl::InvalidArgumentError("no workers to measure");
  if (duration <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("measurement duration must be positive");
  }
  const auto clock_duration =
      std::chrono::duration_cast<Clock::duration>(absl::ToChronoNanoseconds(duration));
  std::latch start(static_cast<std::ptrdiff_t>(workers.size()));
  std::atomic<bool> stop{false};
  std::vector<ThreadOutcome> outcomes(workers.size());
  {
    std::vector<std::jthread> threads;
    threads.reserve(workers.size());
    for (size_t i = 0; i < workers.size(); ++i) {
      threads.emplace_back(RunThread, std::cref(workers[i]), clock_duration, latencies,
                           std::ref(start), std::ref(stop), std::ref(outcomes[i]));
    }
  }  // jthreads join here
  ThroughputSample sample;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const ThreadOutcome& outcome = outcomes[i];
    if (!outcome.status.ok()) {
      return absl::Status(outcome.status.code(),
                          absl::StrCat("thread ", i, ": ", outcome.status.message()));
    }
    sample.operations += outcome.operations;
    if (outcome.seconds > 0) sample.ops_per_sec += outcome.operations / outcome.seconds;
  }
  for (ThreadOutcome& outcome : outcomes) {
    sample.latencies.insert(sample.latencies.end(), outcome.latencies.begin(),
                            outcome.latencies.end());
  }
  return sample;
}

absl::StatusOr<RepeatedThroughput> MeasureMedianThroughput(absl::Span<const OperationFn> workers,
                                                           absl::Duration duration, int repetitions,
                                                           Latencies latencies) {
  if (repetitions < 1) return absl::InvalidArgumentError("repetitions must be at least 1");
  RepeatedThroughput result;
  std::vector<absl::Duration> all_latencies;
  for (int i = 0; i < repetitions; ++i) {
    absl::StatusOr<ThroughputSample> sample = MeasureThroughput(workers, duration, latencies);
    if (!sample.ok()) return sample.status();
    result.samples.push_back(sample->ops_per_sec);
    all_latencies.insert(all_latencies.end(), sample->latencies.begin(), sample->latencies.end());
  }
  result.latency = Percentiles(all_latencies);
  std::vector<double> sorted = result.samples;
  std::sort(sorted.begin(), sorted.end());
  const size_t mid = sorted.size() / 2;
  result.median_ops_per_sec =
      sorted.size() % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return result;
}

LatencyPercentiles Percentiles(std::vector<absl::Duration>& latencies) {
  if (latencies.empty()) return {};
  return {.p50 = NearestRank(latencies, 0.50),
          .p99 = NearestRank(latencies, 0.99),
          .operations = latencies.size()};
}

absl::Duration ProcessCpu() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return absl::ZeroDuration();
  return absl::DurationFromTimeval(usage.ru_utime) + absl::DurationFromTimeval(usage.ru_stime);
}

}  // namespace yinjian::bench
