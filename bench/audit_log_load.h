// The audit log without the service around it: C threads, each in a closed loop appending an
// entry and taking its receipt (what CallAuditor::Record does for a call), on a scratch store
// and checkpoint file beside the service's, signed by the service's log key. It shows how far
// group commit batches when the number of waiting callers is not bounded by the server's
// threads.
#ifndef YINJIAN_BENCH_AUDIT_LOG_LOAD_H_
#define YINJIAN_BENCH_AUDIT_LOG_LOAD_H_

#include <string>

#include "absl/status/statusor.h"
#include "bench/receipt_load.h"
#include "hsm/token.h"

namespace yinjian::bench {

// One cell per concurrency (ops_per_sec counts appends); the log starts empty. `token` is the
// service's token, whose log key signs (made if the token has none). Errors from opening the
// scratch store or log, or the first failed append.
absl::StatusOr<ReceiptCells> MeasureAuditLogAlone(hsm::Token& token, const std::string& scratch_dir,
                                                  const ReceiptLoadOptions& options);

}  // namespace yinjian::bench

#endif  // YINJIAN_BENCH_AUDIT_LOG_LOAD_H_
