#include "bench/audit_commit_cost.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "service/audit/checkpoint_file.h"
#include "service/audit/log_key.h"
#include "service/store/records.h"
#include "service/store/sqlite_store.h"

namespace yinjian::bench {
namespace {

// The store neither computes nor checks hashes, so stand-ins of the right length do.
constexpr size_t kHashBytes = 32;

// A checkpoint as the log signs it: origin, size and base64 root hash lines.
constexpr char kCheckpointBody[] =
    "yinjian/yinjian-sbench\n123456\nWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlo=\n";

// The signed note as stored and written to the checkpoint file: the body, a blank line and a
// signature line of the usual length (stand-in characters).
std::string SampleNote() {
  return absl::StrCat(kCheckpointBody, "\n", std::string(110, 's'), "\n");
}

absl::Status Annotate(const absl::Status& status, absl::string_view part) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(part, ": ", status.message()));
}

// Appends the next entry as a batch of one, with the Merkle nodes it completes and a checkpoint
// of the new size: the transaction AuditLog makes for a commit of one entry.
OperationFn StoreCommitWorker(std::shared_ptr<store::SqliteStore> store) {
  return [store = std::move(store), event = SampleAuditEvent(), note = SampleNote(),
          hash = std::string(kHashBytes, 'Z'), next = int64_t{0}]() mutable {
    const int64_t index = next++;
    std::vector<store::AuditNodeRecord> nodes;
    for (int64_t position = index, level = 1; position & 1; ++level) {
      position >>= 1;
      nodes.push_back({.level = int32_t(level), .index = position, .hash = hash});
    }
    const store::AuditEntryRecord entry{.index = index,
                                        .entry = audit::EncodeEntry(event, index),
                                        .leaf_hash = hash,
                                        .time = event.time,
                                        .principal = event.principal,
                                        .department = event.department,
                                        .operation = event.operation,
                                        .key = event.key,
                                        .decision = event.decision,
                                        .result = event.result};
    return store->AppendAudit(
        {entry}, nodes,
        {.size = index + 1, .root_hash = hash, .note = note, .created = absl::Now()});
  };
}

OperationFn SignatureWorker(std::shared_ptr<audit::LogKey> key) {
  return [key = std::move(key), body = hsm::ToBytes(kCheckpointBody)]() -> absl::Status {
    return key->Sign(body).status();
  };
}

// What AuditLog writes after each commit: the note over the checkpoint file's older slot, then
// fdatasync (service/audit/checkpoint_file.h). The first call creates the file.
absl::StatusOr<OperationFn> CheckpointFileWorker(std::string path) {
  ASSIGN_OR_RETURN(std::shared_ptr<audit::CheckpointFile> file,
                   audit::CheckpointFile::Open(
                       std::move(path), [](absl::string_view) -> absl::StatusOr<audit::Checkpoint> {
                         return absl::FailedPreconditionError("a fresh file is expected");
                       }));
  return [file, note = SampleNote()] { return file->Write(note); };
}

// A thread that answers each RoundTrip, woken and waited for the way the audit log's committer
// is (absl::Mutex conditions): each trip is two wake-ups, one each way.
class Echoer {
 public:
  Echoer() : thread_([this] { Serve(); }) {}
  ~Echoer() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    thread_.join();
  }

  absl::Status RoundTrip() {
    absl::MutexLock lock(&mu_);
    ++asked_;
    mu_.Await(absl::Condition(this, &Echoer::Answered));
    return absl::OkStatus();
  }

 private:
  bool Answered() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return answered_ == asked_; }
  bool Asked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return answered_ != asked_ || stopping_; }
  void Serve() {
    absl::MutexLock lock(&mu_);
    for (;;) {
      mu_.Await(absl::Condition(this, &Echoer::Asked));
      if (stopping_) return;
      answered_ = asked_;
    }
  }

  absl::Mutex mu_;
  int64_t asked_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t answered_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // last: started once the rest is ready
};

absl::StatusOr<LatencyPercentiles> Measure(OperationFn worker, const CommitCostOptions& options,
                                           absl::string_view part) {
  const OperationFn workers[] = {std::move(worker)};
  absl::StatusOr<RepeatedThroughput> measured =
      MeasureMedianThroughput(workers, options.duration, options.repetitions, Latencies::kRecord);
  RETURN_IF_ERROR(Annotate(measured.status(), part));
  return measured->latency;
}

}  // namespace

audit::AuditEvent SampleAuditEvent() {
  return {.time = absl::Now(),
          .principal = "bench-application",
          .certificate = std::string(64, 'c'),
          .department = "bench",
          .operation = "Encrypt",
          .key = "bench/aes",
          .key_version = 1,
          .decision = "allow",
          .reason = "OWNER",
          .result = "OK",
          .request_digest = std::string(64, 'a'),
          .response_digest = std::string(64, 'b')};
}

absl::StatusOr<AuditCommitCost> MeasureAuditCommitCost(hsm::Token& token,
                                                       const CommitCostOptions& options) {
  const std::filesystem::path dir(options.scratch_dir);
  AuditCommitCost cost;

  absl::StatusOr<std::unique_ptr<store::SqliteStore>> opened =
      store::SqliteStore::Open((dir / "commit-cost.sqlite").string());
  RETURN_IF_ERROR(Annotate(opened.status(), "scratch store"));
  std::shared_ptr<store::SqliteStore> scratch_store = std::move(*opened);
  ASSIGN_OR_RETURN(cost.store_commit,
                   Measure(StoreCommitWorker(scratch_store), options, "store commit"));

  absl::StatusOr<std::unique_ptr<audit::LogKey>> key = audit::LogKey::OpenOrCreate(token);
  RETURN_IF_ERROR(Annotate(key.status(), "log key"));
  ASSIGN_OR_RETURN(cost.signature,
                   Measure(SignatureWorker(std::move(*key)), options, "log key signature"));

  ASSIGN_OR_RETURN(OperationFn file_writer,
                   CheckpointFileWorker((dir / "commit-cost.checkpoint").string()));
  ASSIGN_OR_RETURN(cost.checkpoint_file,
                   Measure(std::move(file_writer), options, "checkpoint file"));

  auto echoer = std::make_shared<Echoer>();
  const absl::Duration cpu_before = ProcessCpu();
  ASSIGN_OR_RETURN(cost.handoff,
                   Measure([echoer] { return echoer->RoundTrip(); }, options, "thread handoff"));
  if (cost.handoff.operations > 0) {
    cost.handoff_cpu = (ProcessCpu() - cpu_before) / int64_t(cost.handoff.operations);
  }
  return cost;
}

}  // namespace yinjian::bench
