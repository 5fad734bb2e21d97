// Presenting the service benchmark: markdown tables for docs/performance.md, JSON lines for
// scripts.
#ifndef YINJIAN_BENCH_SERVICE_REPORT_H_
#define YINJIAN_BENCH_SERVICE_REPORT_H_

#include <string>

#include "absl/types/span.h"
#include "bench/service_comparison.h"

namespace yinjian::bench {

// The targets of the issue: the service reaches this share of the composed limit, and batch
// Encrypt this share of the raw AES-GCM rate.
inline constexpr double kComposedTarget = 0.8;
inline constexpr double kBatchRawTarget = 0.8;

// A summary table (one row per operation: best service rate against the best composed limit and
// the best peer rate), then a detail table (one row per operation and concurrency), then the
// batch-against-raw line and the notes on what the raw and peer columns measured.
std::string FormatComparisonTables(absl::Span<const OperationComparison> results);

// One JSON object per operation with every rate by concurrency / thread count.
std::string FormatComparisonJsonLines(absl::Span<const OperationComparison> results);

}  // namespace yinjian::bench

#endif  // YINJIAN_BENCH_SERVICE_REPORT_H_
