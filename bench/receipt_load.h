// One side of the receipts benchmark (bench/audit_bench_main.cc): closed-loop load on a running
// service with per-call latency, and what its audit log did meanwhile. Run once against a
// server with the audit log and once against one with audit.disabled_for_benchmarks_only.
#ifndef YINJIAN_BENCH_RECEIPT_LOAD_H_
#define YINJIAN_BENCH_RECEIPT_LOAD_H_

#include <map>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "bench/service_fixture.h"
#include "bench/service_operations.h"
#include "bench/throughput.h"
#include "service/audit/audit_log.h"

namespace yinjian::bench {

struct ReceiptCell {
  double ops_per_sec = 0;      // median of the repetitions
  LatencyPercentiles latency;  // of every timed call of every repetition
  // Commits and entries from the first timed call to the last (not the callers' first calls);
  // zero when the server keeps no audit log.
  audit::AuditLogStats log;
  // CPU time (user + system) of the whole process, servers and callers alike, over the
  // repetitions: what the calls cost the machine, whatever the two CPUs overlapped.
  absl::Duration process_cpu;

  // process_cpu / timed calls; zero without calls.
  absl::Duration CpuPerCall() const;

  // Entries per signed checkpoint (one per commit); 0 without commits.
  double EntriesPerCheckpoint() const;
};

using ReceiptCells = std::map<int, ReceiptCell>;  // by concurrency

struct ReceiptLoadOptions {
  std::vector<int> concurrency = {1, 4, 16, 64};
  absl::Duration duration = absl::Seconds(1);  // per repetition
  int repetitions = 3;
};

// One cell: MeasureMedianThroughput of `callers` with per-call latencies, and what `log` (may be
// null) committed meanwhile. The first failed call aborts with its status.
absl::StatusOr<ReceiptCell> MeasureReceiptCell(absl::Span<const OperationFn> callers,
                                               audit::AuditLog* log,
                                               const ReceiptLoadOptions& options);

// Measures `operation` on the fixture's service at each concurrency in turn, the callers of
// each sharing one channel (bench/grpc_load.h). The first failed call aborts with its status.
absl::StatusOr<ReceiptCells> MeasureReceiptCells(ServiceFixture& fixture,
                                                 ServiceOperation operation,
                                                 const ReceiptLoadOptions& options);

}  // namespace yinjian::bench

#endif  // YINJIAN_BENCH_RECEIPT_LOAD_H_
