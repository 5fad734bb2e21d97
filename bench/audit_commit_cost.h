// What one audit-log commit costs on an idle service, measured directly rather than through
// gRPC: the durable store transaction (SqliteStore::AppendAudit of a one-entry batch with its
// Merkle nodes and checkpoint, synchronous=FULL) and the checkpoint's ECDSA P-256 signature by
// the log key in the HSM (audit::LogKey::Sign). With receipts on, a call at low load should take
// at most that much longer than without them. AuditLog also writes the checkpoint file after
// every commit (one slot overwritten in place, then fdatasync); that is measured too, and
// reported apart from the allowance. So is what a thread handoff costs on this machine: a call
// with receipts crosses threads twice more than one without (the handler queues its entry and
// the log's committer thread wakes; the committer finishes the call and a gRPC thread wakes).
#ifndef YINJIAN_BENCH_AUDIT_COMMIT_COST_H_
#define YINJIAN_BENCH_AUDIT_COMMIT_COST_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bench/throughput.h"
#include "hsm/token.h"
#include "service/audit/audit_entry.h"

namespace yinjian::bench {

struct AuditCommitCost {
  LatencyPercentiles store_commit;
  LatencyPercentiles signature;
  LatencyPercentiles checkpoint_file;
  // One round trip to another thread and back (two wake-ups), and the process's CPU per trip.
  LatencyPercentiles handoff;
  absl::Duration handoff_cpu;

  // The extra latency receipts may add at low load: one commit and one signature (medians).
  absl::Duration Allowance() const { return store_commit.p50 + signature.p50; }
};

struct CommitCostOptions {
  // Where the scratch database and checkpoint file are made: a folder on the file system that
  // holds the service's store, so that both pay the same fsync.
  std::string scratch_dir;
  absl::Duration duration = absl::Seconds(1);  // per repetition and part
  int repetitions = 3;
};

// The entry an Encrypt call makes, as the service fills it (digests and fingerprint stand-ins of
// the right length).
audit::AuditEvent SampleAuditEvent();

// Measures the four parts one after another, each timed on one thread. `token` is the service's
// token: the log key is the server's own (made if the token has none yet). Errors from opening
// the scratch store, the HSM or the file system, prefixed with the part being measured.
absl::StatusOr<AuditCommitCost> MeasureAuditCommitCost(hsm::Token& token,
                                                       const CommitCostOptions& options);

}  // namespace yinjian::bench

#endif  // YINJIAN_BENCH_AUDIT_COMMIT_COST_H_
