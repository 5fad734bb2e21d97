#include "bench/receipt_load.h"

#include <memory>

#include "bench/grpc_load.h"
#include "common/status_macros.h"

namespace yinjian::bench {
namespace {

audit::AuditLogStats StatsOf(audit::AuditLog* log) {
  return log != nullptr ? log->stats() : audit::AuditLogStats{};
}

}  // namespace

absl::Duration ReceiptCell::CpuPerCall() const {
  return latency.operations > 0 ? process_cpu / int64_t(latency.operations)
                                : absl::ZeroDuration();
}

double ReceiptCell::EntriesPerCheckpoint() const {
  return log.commits > 0 ? double(log.entries) / double(log.commits) : 0;
}

absl::StatusOr<ReceiptCell> MeasureReceiptCell(absl::Span<const OperationFn> callers,
                                               audit::AuditLog* log,
                                               const ReceiptLoadOptions& options) {
  const audit::AuditLogStats before = StatsOf(log);
  const absl::Duration cpu_before = ProcessCpu();
  ASSIGN_OR_RETURN(
      RepeatedThroughput measured,
      MeasureMedianThroughput(callers, options.duration, options.repetitions, Latencies::kRecord));
  const audit::AuditLogStats after = StatsOf(log);
  const absl::Duration cpu = ProcessCpu() - cpu_before;
  return ReceiptCell{.ops_per_sec = measured.median_ops_per_sec,
                     .latency = measured.latency,
                     .log = {.commits = after.commits - before.commits,
                             .entries = after.entries - before.entries},
                     .process_cpu = cpu};
}

absl::StatusOr<ReceiptCells> MeasureReceiptCells(ServiceFixture& fixture,
                                                 ServiceOperation operation,
                                                 const ReceiptLoadOptions& options) {
  const std::shared_ptr<grpc::Channel> channel = fixture.NewChannel();
  audit::AuditLog* const log = fixture.server().audit_log();
  ReceiptCells cells;
  for (int concurrency : options.concurrency) {
    ASSIGN_OR_RETURN(
        std::vector<OperationFn> callers,
        StartCallers([&] { return MakeServiceCaller(channel, operation).call; }, concurrency));
    ASSIGN_OR_RETURN(cells[concurrency], MeasureReceiptCell(callers, log, options));
  }
  return cells;
}

}  // namespace yinjian::bench
