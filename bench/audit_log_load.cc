#include "bench/audit_log_load.h"

#include <filesystem>
#include <memory>
#include <vector>

#include "bench/audit_commit_cost.h"
#include "common/status_macros.h"
#include "service/audit/audit_log.h"
#include "service/audit/log_key.h"
#include "service/store/sqlite_store.h"

namespace yinjian::bench {

absl::StatusOr<ReceiptCells> MeasureAuditLogAlone(hsm::Token& token, const std::string& scratch_dir,
                                                  const ReceiptLoadOptions& options) {
  const std::filesystem::path dir(scratch_dir);
  ASSIGN_OR_RETURN(std::unique_ptr<store::SqliteStore> store,
                   store::SqliteStore::Open((dir / "log-alone.sqlite").string()));
  ASSIGN_OR_RETURN(std::unique_ptr<audit::LogKey> key, audit::LogKey::OpenOrCreate(token));
  ASSIGN_OR_RETURN(
      std::unique_ptr<audit::AuditLog> log,
      audit::AuditLog::Open(*store, *key,
                            {.origin = "yinjian/bench-log-alone",
                             .checkpoint_file = (dir / "log-alone.checkpoint").string()}));
  const audit::AuditEvent event = SampleAuditEvent();
  const OperationFn append = [&log, &event]() -> absl::Status {
    ASSIGN_OR_RETURN(audit::AppendedEntry entry, log->Append(event));
    return log->ReceiptFor(entry).status();
  };
  ReceiptCells cells;
  for (int concurrency : options.concurrency) {
    const std::vector<OperationFn> workers(concurrency, append);
    ASSIGN_OR_RETURN(cells[concurrency], MeasureReceiptCell(workers, log.get(), options));
  }
  return cells;
}

}  // namespace yinjian::bench
