// The tamper-evident audit log (R9, R10, R13): every call becomes one entry in an append-only
// RFC 6962 Merkle tree kept in the store, and every commit ends with a checkpoint (C2SP
// tlog-checkpoint) signed by the log key in the HSM. A caller's Append returns only once its
// entry and a checkpoint covering it are durable; if that cannot happen, Append fails and the
// service releases no result (fail closed).
//
// Group commit: callers queue their events and a committer thread commits everything queued at
// once (one store transaction, one HSM signature), then tells each caller. It wakes as soon as
// the queue is non-empty, so low load never waits for a timer; what arrives during a commit
// forms the next batch, so high load batches by itself. Callers may wait (Append) or be called
// back (AppendAsync), so a gRPC handler thread is never held for a commit.
//
// Rollback, truncation and forks: the latest checkpoint is also written to a file outside the
// store (replaced atomically, and only if it still holds the checkpoint this process wrote last)
// and optionally copied to a witness directory. Open refuses to start if the store is behind
// that checkpoint or disagrees with it. Checkpoints are only ever signed for the tree extended
// from the previous one, so two inconsistent checkpoints cannot be produced.
#ifndef YINJIAN_SERVICE_AUDIT_AUDIT_LOG_H_
#define YINJIAN_SERVICE_AUDIT_AUDIT_LOG_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "service/audit/audit_entry.h"
#include "service/audit/checkpoint_file.h"
#include "service/audit/compact_range.h"
#include "service/audit/log_key.h"
#include "service/audit/note_keys.h"
#include "service/audit/sm2_log_key.h"
#include "service/store/store.h"

namespace yinjian::audit {

struct AuditLogOptions {
  // The checkpoints' origin line and the note key name, e.g. "yinjian.example/audit".
  std::string origin;
  // Where the latest checkpoint is also kept, outside the store; "" keeps none (tests only).
  std::string checkpoint_file;
  // Where each new checkpoint is also copied, as <size>.checkpoint; "" for none.
  std::string witness_dir;
  // Most entries in one commit.
  size_t max_batch = 4096;
  // If set, every checkpoint also carries an SM2 signature line (after the ECDSA one). Must
  // outlive the log.
  Sm2LogKey* sm2_key = nullptr;
};

struct AppendedEntry {
  int64_t index = 0;
  std::string entry;  // the entry's bytes
};

struct AuditLogStats {
  int64_t commits = 0;
  int64_t entries = 0;
};

class AuditLog {
 public:
  // Loads the log's state from the store and checks it against the checkpoint file:
  // FAILED_PRECONDITION (naming both sizes) if the store is behind the last checkpoint this
  // server signed or its tree at that size has another root, or if the file's checkpoint is not
  // signed by `key`. `store` and `key` must outlive the log. One slot of the checkpoint file
  // that holds no checkpoint of this log is tolerated if the other does (see file_warning()).
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(store::Store& store, LogKey& key,
                                                        AuditLogOptions options);

  // Appends `event` as the next entry; returns when it is durable and covered by a signed
  // checkpoint. UNAVAILABLE if it could not be recorded (nothing about the call may then be
  // released). Thread-safe.
  absl::StatusOr<AppendedEntry> Append(const AuditEvent& event);

  // The same without waiting: `done` runs on the committer thread once the entry is durable and
  // checkpointed, or with UNAVAILABLE if it could not be recorded. `done` must not block long:
  // the next commit waits for it.
  using AppendCallback = std::function<void(absl::StatusOr<AppendedEntry>)>;
  void AppendAsync(AuditEvent event, AppendCallback done);

  ~AuditLog();

  // The receipt for entry `index`: C2SP tlog-proof text with the entry as its extra line, an
  // inclusion proof and the latest signed checkpoint. NOT_FOUND beyond the log.
  absl::StatusOr<std::string> Receipt(int64_t index);
  // The same for an entry this process has just appended, from memory where it can (the latest
  // checkpoint it signed and the subtree hashes it computed).
  absl::StatusOr<std::string> ReceiptFor(const AppendedEntry& entry);

  // The newest signed checkpoint (note text). NOT_FOUND for a log with no entries yet.
  absl::StatusOr<store::AuditCheckpointRecord> LatestCheckpoint();

  // PROOF(old_size, new_size) from the stored subtree hashes. INVALID_ARGUMENT unless
  // old_size <= new_size <= the log's size.
  absl::StatusOr<std::vector<Hash>> ConsistencyProof(int64_t old_size, int64_t new_size);

  const std::string& origin() const { return options_.origin; }
  const std::string& log_key_pem() const { return key_.public_key_pem(); }
  // The C2SP verifier key string ("<origin>+<key id>+<base64>").
  std::string VerifierKey() const;
  const NoteVerifier& verifier() const { return signer_->verifier(); }
  // The SM2 key's PEM, verifier key and verifier; "", "" and null without one.
  std::string sm2_log_key_pem() const;
  std::string Sm2VerifierKey() const;
  const NoteVerifier* sm2_verifier() const;
  AuditLogStats stats();
  // Non-empty if Open found a slot of the checkpoint file that is not a checkpoint of this log
  // while the other slot is (CheckpointFile::refused_slot()): for the server to report.
  std::string file_warning() const { return file_ ? file_->refused_slot() : std::string(); }

 private:
  struct Pending {
    AuditEvent event;
    AppendCallback done;
  };
  // The tree as committed: what the next commit extends.
  struct Tree {
    CompactRange range;
    std::string checkpoint_note;  // the latest signed checkpoint, "" if none
  };

  AuditLog(store::Store& store, LogKey& key, AuditLogOptions options);
  absl::Status Load();
  absl::Status CheckAgainstFile();
  // Commits `batch` as the entries after `tree_`; on success advances tree_.
  absl::StatusOr<std::vector<AppendedEntry>> Commit(const std::vector<Pending>& batch);
  absl::StatusOr<std::vector<AppendedEntry>> CommitOnce(const std::vector<Pending>& batch,
                                                        Tree& tree);
  absl::Status PublishCheckpoint(const std::string& note, int64_t size);
  absl::StatusOr<std::string> ReceiptAt(int64_t index, const std::string& entry,
                                        const store::AuditCheckpointRecord& checkpoint);
  // Subtree hashes: from the cache, else from the store (and then cached). They never change.
  SubtreeHashFn SubtreeFromStore();
  void CacheNodes(const std::vector<store::AuditNodeRecord>& nodes,
                  const std::vector<store::AuditEntryRecord>& leaves);

  store::Store& store_;
  LogKey& key_;
  const AuditLogOptions options_;
  std::unique_ptr<CallbackNoteSigner> signer_;
  std::unique_ptr<CallbackNoteSigner> sm2_signer_;  // null without an SM2 key
  // The signers of every checkpoint, and their verifiers (what a checkpoint file is checked
  // against).
  std::vector<const NoteSigner*> signers_;
  std::vector<const NoteVerifier*> verifiers_;

  void CommitLoop();

  absl::Mutex mu_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  AuditLogStats stats_ ABSL_GUARDED_BY(mu_);
  store::AuditCheckpointRecord latest_ ABSL_GUARDED_BY(mu_);  // the newest this process knows

  absl::Mutex cache_mu_;
  std::map<std::pair<int32_t, int64_t>, Hash> node_cache_ ABSL_GUARDED_BY(cache_mu_);

  std::thread committer_;
  // Only the committer thread (and Open, before it starts) touches the tree and the file.
  Tree tree_;
  std::unique_ptr<CheckpointFile> file_;  // null without a checkpoint file
};

}  // namespace yinjian::audit

#endif  // YINJIAN_SERVICE_AUDIT_AUDIT_LOG_H_
