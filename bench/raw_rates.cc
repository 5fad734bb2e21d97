#include "bench/raw_rates.h"

#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bench/openssl_workloads.h"
#include "bench/pkcs11_workloads.h"
#include "bench/throughput.h"
#include "common/status_macros.h"

namespace yinjian::bench {
namespace {

constexpr int kMaxThreads = 256;

absl::Status ValidateOptions(const RawRateOptions& options) {
  if (options.thread_counts.empty()) return absl::InvalidArgumentError("no thread counts");
  for (int threads : options.thread_counts) {
    if (threads < 1 || threads > kMaxThreads) {
      return absl::InvalidArgumentError(
          absl::StrCat("thread count must be 1..", kMaxThreads, ", got ", threads));
    }
  }
  if (options.duration <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("duration must be positive");
  }
  if (options.repetitions < 1) return absl::InvalidArgumentError("repetitions must be >= 1");
  if (options.payload_bytes == 0) return absl::InvalidArgumentError("payload must not be empty");
  return absl::OkStatus();
}

RateResult MakeResult(const std::string& name, Backend backend, int threads) {
  return RateResult{.operation = name, .backend = std::string(BackendName(backend)),
                    .threads = threads};
}

std::optional<std::string> SkipReason(const RawRateOptions& options, RawOperation operation,
                                      Backend backend) {
  if (backend == Backend::kOpenSsl) return std::nullopt;
  if (options.token == nullptr) return "no PKCS#11 token";
  return Pkcs11SkipReason(*options.token, operation, backend == Backend::kPkcs11Token);
}

absl::StatusOr<Workload> Prepare(const RawRateOptions& options, RawOperation operation,
                                 Backend backend) {
  if (backend == Backend::kOpenSsl) {
    return PrepareOpenSslWorkload(operation, options.payload_bytes);
  }
  return PreparePkcs11Workload(*options.token, operation, backend == Backend::kPkcs11Token,
                               options.payload_bytes);
}

// One worker per thread, each run once before timing: that checks the operation works and opens
// the sessions the pool will need, outside the measurement.
absl::StatusOr<RepeatedThroughput> MeasureWithThreads(const RawRateOptions& options,
                                                      const Workload& workload, int threads) {
  std::vector<OperationFn> workers;
  for (int i = 0; i < threads; ++i) {
    ASSIGN_OR_RETURN(OperationFn worker, workload.new_worker());
    RETURN_IF_ERROR(worker());
    workers.push_back(std::move(worker));
  }
  return MeasureMedianThroughput(workers, options.duration, options.repetitions);
}

// Measures one operation on every backend and thread count of `options`, appending to `out`.
absl::Status MeasureOperation(const RawRateOptions& options, RawOperation operation,
                              std::vector<RateResult>& out) {
  const std::string name = RawOperationName(operation, options.payload_bytes);
  for (Backend backend : options.backends) {
    std::optional<std::string> skip = SkipReason(options, operation, backend);
    absl::StatusOr<Workload> workload;
    if (!skip.has_value()) {
      workload = Prepare(options, operation, backend);
      if (!workload.ok()) {
        return absl::Status(workload.status().code(),
                            absl::StrCat("preparing ", name, " on ", BackendName(backend), ": ",
                                         workload.status().message()));
      }
    }
    for (int threads : options.thread_counts) {
      RateResult result = MakeResult(name, backend, threads);
      if (skip.has_value()) {
        result.skipped = *skip;
      } else {
        absl::StatusOr<RepeatedThroughput> rate = MeasureWithThreads(options, *workload, threads);
        if (!rate.ok()) {
          return absl::Status(rate.status().code(),
                              absl::StrCat(name, " on ", BackendName(backend), " with ", threads,
                                           " thread(s): ", rate.status().message()));
        }
        result.ops_per_sec = rate->median_ops_per_sec;
        result.samples = std::move(rate->samples);
      }
      if (options.on_result) options.on_result(result);
      out.push_back(std::move(result));
    }
  }  // the workload, and with it the keys in the HSM, goes here
  return absl::OkStatus();
}

}  // namespace

bool MatchesOperationFilter(absl::string_view name, absl::string_view filter) {
  if (filter.empty()) return true;
  for (absl::string_view alternative : absl::StrSplit(filter, '|', absl::SkipEmpty())) {
    if (absl::StrContains(absl::AsciiStrToLower(name), absl::AsciiStrToLower(alternative))) {
      return true;
    }
  }
  return false;
}

absl::StatusOr<std::vector<RateResult>> MeasureRawRates(const RawRateOptions& options) {
  RETURN_IF_ERROR(ValidateOptions(options));
  std::vector<RateResult> results;
  for (RawOperation operation : AllRawOperations()) {
    if (!MatchesOperationFilter(RawOperationName(operation, options.payload_bytes),
                                options.only)) {
      continue;
    }
    RETURN_IF_ERROR(MeasureOperation(options, operation, results));
  }
  return results;
}

absl::StatusOr<std::vector<RateResult>> MeasureRawOperation(const RawRateOptions& options,
                                                            absl::string_view operation) {
  RETURN_IF_ERROR(ValidateOptions(options));
  for (RawOperation candidate : AllRawOperations()) {
    if (absl::EqualsIgnoreCase(RawOperationName(candidate, options.payload_bytes), operation)) {
      std::vector<RateResult> results;
      RETURN_IF_ERROR(MeasureOperation(options, candidate, results));
      return results;
    }
  }
  return absl::NotFoundError(absl::StrCat("no operation named '", operation, "' (payload ",
                                          PayloadText(options.payload_bytes), ")"));
}

const RateResult* FindRate(absl::Span<const RateResult> results, absl::string_view operation,
                           absl::string_view backend, int threads) {
  for (const RateResult& result : results) {
    if (absl::EqualsIgnoreCase(result.operation, operation) && result.backend == backend &&
        result.threads == threads) {
      return &result;
    }
  }
  return nullptr;
}

}  // namespace yinjian::bench
