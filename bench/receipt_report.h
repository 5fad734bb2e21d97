// Presenting the receipts benchmark: per operation a markdown table of receipts off against on
// at each concurrency, the audit log on its own, the measured cost of one commit, and the
// verdicts against the targets; or JSON lines for scripts.
#ifndef YINJIAN_BENCH_RECEIPT_REPORT_H_
#define YINJIAN_BENCH_RECEIPT_REPORT_H_

#include <string>
#include <vector>

#include "bench/audit_commit_cost.h"
#include "bench/receipt_load.h"
#include "bench/service_operations.h"

namespace yinjian::bench {

// With receipts, at least this share of the throughput without them at saturation (the highest
// concurrency measured).
inline constexpr double kSaturationRatioTarget = 0.9;

struct ReceiptComparison {
  ServiceOperationInfo info;
  ReceiptCells off;  // audit.disabled_for_benchmarks_only
  ReceiptCells on;   // every call logged, receipt returned
};

struct ReceiptResults {
  std::vector<ReceiptComparison> operations;
  ReceiptCells log_alone;  // bench/audit_log_load.h
  AuditCommitCost commit_cost;
};

// For each operation a table (C, ops/s off and on, their ratio, p50 and p99 off and on, mean
// entries per checkpoint), then the log-alone table, then the commit cost, then two verdict
// lines per operation: the ratio at the highest concurrency against kSaturationRatioTarget, and
// the p50 difference at the lowest concurrency against AuditCommitCost::Allowance().
std::string FormatReceiptTables(const ReceiptResults& results);

// One JSON object per operation and concurrency, one per log-alone concurrency, then one for the
// commit cost (times in µs).
std::string FormatReceiptJsonLines(const ReceiptResults& results);

}  // namespace yinjian::bench

#endif  // YINJIAN_BENCH_RECEIPT_REPORT_H_
