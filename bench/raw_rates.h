// Raw operation rates of the PKCS#11 layer (hsm/) and of OpenSSL for the same algorithms: the
// baseline every later benchmark (e.g. the gRPC service) compares against in the same run.
//
//   RawRateOptions options{.token = token.get(), .thread_counts = {2}};
//   options.backends = {Backend::kPkcs11Session};
//   ASSIGN_OR_RETURN(auto rates, MeasureRawOperation(options, "AES-256-GCM encrypt 1 KiB"));
#ifndef YINJIAN_BENCH_RAW_RATES_H_
#define YINJIAN_BENCH_RAW_RATES_H_

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "bench/raw_operation.h"
#include "hsm/token.h"

namespace yinjian::bench {

struct RateResult {
  std::string operation;        // display name, e.g. "AES-256-GCM encrypt 1 KiB"
  std::string backend;          // "pkcs11-token", "pkcs11-session" or "openssl"
  int threads = 1;
  double ops_per_sec = 0;       // median over the repetitions; 0 if skipped
  std::vector<double> samples;  // ops/s of each repetition, in run order
  std::string skipped;          // why it was not measured; empty if it was

  bool measured() const { return skipped.empty(); }
};

struct RawRateOptions {
  // Token for the PKCS#11 backends, already open and logged in; not owned. nullptr skips them.
  // Keys are created in it for each operation and destroyed when that operation is done.
  hsm::Token* token = nullptr;
  // Selects operations by display name: '|'-separated alternatives, each a case-insensitive
  // substring ("sign|SHA-256"). Empty selects every operation.
  std::string only;
  std::vector<Backend> backends = AllBackends();
  std::vector<int> thread_counts = {1, 2};
  absl::Duration duration = absl::Seconds(1);  // per repetition
  int repetitions = 3;                          // the median is reported
  size_t payload_bytes = 1024;
  // Called with each result as soon as it is known (progress output); optional.
  std::function<void(const RateResult&)> on_result;
};

// Measures every selected operation on every backend with every thread count, in table order.
// INVALID_ARGUMENT for bad options. A failing operation aborts the whole measurement with its
// error (naming operation and backend); nothing it did is counted.
absl::StatusOr<std::vector<RateResult>> MeasureRawRates(const RawRateOptions& options);

// Measures only the operation whose display name is `operation` (case-insensitive, e.g.
// "AES-256-GCM encrypt 1 KiB" with payload_bytes 1024), ignoring options.only. NOT_FOUND if no
// operation has that name.
absl::StatusOr<std::vector<RateResult>> MeasureRawOperation(const RawRateOptions& options,
                                                            absl::string_view operation);

// The result for (operation, backend, threads), or nullptr.
const RateResult* FindRate(absl::Span<const RateResult> results, absl::string_view operation,
                           absl::string_view backend, int threads);

// Whether `name` is selected by an options.only filter.
bool MatchesOperationFilter(absl::string_view name, absl::string_view filter);

}  // namespace yinjian::bench

#endif  // YINJIAN_BENCH_RAW_RATES_H_
