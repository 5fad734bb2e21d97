// Presenting raw rates: a markdown table for people, JSON lines for scripts and later
// benchmarks' reports.
#ifndef YINJIAN_BENCH_RATE_REPORT_H_
#define YINJIAN_BENCH_RATE_REPORT_H_

#include <string>

#include "absl/types/span.h"
#include "bench/raw_rates.h"

namespace yinjian::bench {

// 950 -> "950", 17712 -> "17.7k", 1703000 -> "1.70M".
std::string FormatOpsPerSec(double ops_per_sec);

// A markdown table with one row per operation and one column per backend (in order of first
// appearance); each cell lists the rates for the thread counts in the header, "17.7k / 24.8k".
// Skipped cells read "skipped"; their reasons follow the table, one line per distinct reason.
std::string FormatRateTable(absl::Span<const RateResult> results);

// One JSON object per result and line:
// {"operation":"...","backend":"...","threads":1,"ops_per_sec":123.4,"samples":[...],
//  "skipped":null}   ("ops_per_sec":null and "skipped":"<reason>" when skipped).
std::string FormatRateJsonLines(absl::Span<const RateResult> results);

}  // namespace yinjian::bench

#endif  // YINJIAN_BENCH_RATE_REPORT_H_
