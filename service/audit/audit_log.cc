#include "service/audit/audit_log.h"

#include <pthread.h>

#include <algorithm>
#include <bit>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "service/audit/checkpoint.h"
#include "service/audit/merkle.h"
#include "service/audit/proof_text.h"
#include "service/audit/signed_note.h"
#include "service/pki/pem_files.h"

namespace yinjian::audit {
namespace {

std::string AsString(const Hash& hash) {
  return std::string(reinterpret_cast<const char*>(hash.data()), hash.size());
}

absl::StatusOr<Hash> AsHash(const std::string& bytes) {
  Hash hash;
  if (bytes.size() != hash.size()) return absl::DataLossError("a stored hash is not 32 bytes");
  std::copy(bytes.begin(), bytes.end(), hash.begin());
  return hash;
}

absl::Status Unavailable(const absl::Status& cause) {
  return absl::UnavailableError(
      absl::StrCat("the audit log cannot record this call: ", cause.message()));
}

}  // namespace

AuditLog::AuditLog(store::Store& store, LogKey& key, AuditLogOptions options)
    : store_(store), key_(key), options_(std::move(options)) {}

constexpr size_t kNodeCacheCapacity = 1 << 18;

SubtreeHashFn AuditLog::SubtreeFromStore() {
  return [this](uint64_t begin, uint64_t end) -> absl::StatusOr<Hash> {
    const int32_t level = std::countr_zero(end - begin);
    const auto position = std::make_pair(level, int64_t(begin >> level));
    {
      absl::MutexLock lock(&cache_mu_);
      auto cached = node_cache_.find(position);
      if (cached != node_cache_.end()) return cached->second;
    }
    ASSIGN_OR_RETURN(std::string stored, store_.GetAuditNode(position.first, position.second));
    ASSIGN_OR_RETURN(Hash hash, AsHash(stored));
    absl::MutexLock lock(&cache_mu_);
    if (node_cache_.size() >= kNodeCacheCapacity) node_cache_.clear();
    node_cache_.emplace(position, hash);
    return hash;
  };
}

void AuditLog::CacheNodes(const std::vector<store::AuditNodeRecord>& nodes,
                          const std::vector<store::AuditEntryRecord>& leaves) {
  absl::MutexLock lock(&cache_mu_);
  if (node_cache_.size() + nodes.size() + leaves.size() >= kNodeCacheCapacity) {
    node_cache_.clear();
  }
  for (const store::AuditNodeRecord& node : nodes) {
    absl::StatusOr<Hash> hash = AsHash(node.hash);
    if (hash.ok()) node_cache_.emplace(std::make_pair(node.level, node.index), *hash);
  }
  for (const store::AuditEntryRecord& leaf : leaves) {
    absl::StatusOr<Hash> hash = AsHash(leaf.leaf_hash);
    if (hash.ok()) node_cache_.emplace(std::make_pair(0, leaf.index), *hash);
  }
}

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(store::Store& store, LogKey& key,
                                                         AuditLogOptions options) {
  std::unique_ptr<AuditLog> log(new AuditLog(store, key, std::move(options)));
  LogKey* signing_key = &key;
  ASSIGN_OR_RETURN(
      log->signer_,
      CallbackNoteSigner::Create(
          NoteKeyType::kEcdsaP256, log->options_.origin, key.public_key_spki(),
          [signing_key](absl::Span<const uint8_t> message) { return signing_key->Sign(message); }));
  if (Sm2LogKey* sm2_key = log->options_.sm2_key; sm2_key != nullptr) {
    ASSIGN_OR_RETURN(
        log->sm2_signer_,
        CallbackNoteSigner::Create(
            NoteKeyType::kSm2, log->options_.origin, sm2_key->public_key_spki(),
            [sm2_key](absl::Span<const uint8_t> message) { return sm2_key->Sign(message); }));
  }
  for (const CallbackNoteSigner* signer : {log->signer_.get(), log->sm2_signer_.get()}) {
    if (signer == nullptr) continue;
    log->signers_.push_back(signer);
    log->verifiers_.push_back(&signer->verifier());
  }
  RETURN_IF_ERROR(log->Load());
  RETURN_IF_ERROR(log->CheckAgainstFile());
  // A crash between the store commit and the witness copy leaves the newest checkpoint
  // unpublished: publish it now (the copy of an existing size is kept as it is).
  if (!log->options_.witness_dir.empty() && !log->tree_.checkpoint_note.empty()) {
    const std::string path =
        absl::StrCat(log->options_.witness_dir, "/", log->tree_.range.size(), ".checkpoint");
    absl::Status written =
        pki::WriteFileAtomically(path, log->tree_.checkpoint_note, 0644, pki::IfExists::kFail);
    if (!written.ok() && !absl::IsAlreadyExists(written)) return written;
  }
  AuditLog* raw = log.get();
  log->committer_ = std::thread([raw] {
    // Named, so that `top -H` and perf show the log's committer apart from gRPC's threads.
    pthread_setname_np(pthread_self(), "yj-audit-log");
    raw->CommitLoop();
  });
  return log;
}

absl::Status AuditLog::Load() {
  ASSIGN_OR_RETURN(int64_t size, store_.AuditLogSize());
  ASSIGN_OR_RETURN(CompactRange range, CompactRange::Load(uint64_t(size), SubtreeFromStore()));
  Tree tree{.range = std::move(range)};
  if (size > 0) {
    ASSIGN_OR_RETURN(store::AuditCheckpointRecord latest, store_.LatestAuditCheckpoint());
    ASSIGN_OR_RETURN(Hash root, tree.range.Root());
    if (latest.size != size || latest.root_hash != AsString(root)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the audit log in the store holds ", size, " entries but its latest checkpoint is of ",
          latest.size, " entries or another root; the store was altered"));
    }
    tree.checkpoint_note = latest.note;
    absl::MutexLock lock(&mu_);
    latest_ = std::move(latest);
  }
  tree_ = std::move(tree);
  return absl::OkStatus();
}

absl::Status AuditLog::CheckAgainstFile() {
  if (options_.checkpoint_file.empty()) return absl::OkStatus();
  // A slot is accepted only if it is a checkpoint signed by this log's key.
  absl::StatusOr<std::unique_ptr<CheckpointFile>> file = CheckpointFile::Open(
      options_.checkpoint_file,
      [this](absl::string_view note) { return OpenCheckpoint(note, verifiers_, options_.origin); });
  if (!file.ok()) return file.status();
  file_ = *std::move(file);
  if (!file_->newest_checkpoint()) {
    // First start with this file: record where the log stands now.
    if (!tree_.checkpoint_note.empty()) {
      return PublishCheckpoint(tree_.checkpoint_note, int64_t(tree_.range.size()));
    }
    return absl::OkStatus();
  }
  const Checkpoint& signed_checkpoint = *file_->newest_checkpoint();
  const uint64_t size = tree_.range.size();
  if (signed_checkpoint.size > size) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the store's audit log holds ", size, " entries, but this server signed a checkpoint of ",
        signed_checkpoint.size, " (", options_.checkpoint_file,
        "): the store was rolled back or truncated; restore the newer store"));
  }
  ASSIGN_OR_RETURN(CompactRange then,
                   CompactRange::Load(signed_checkpoint.size, SubtreeFromStore()));
  ASSIGN_OR_RETURN(Hash root, then.Root());
  if (root != signed_checkpoint.root) {
    return absl::FailedPreconditionError(
        absl::StrCat("the store's audit log disagrees with the checkpoint of ",
                     signed_checkpoint.size, " entries this server signed (",
                     options_.checkpoint_file, "): the log was forked or rewritten"));
  }
  return absl::OkStatus();
}

absl::Status AuditLog::PublishCheckpoint(const std::string& note, int64_t size) {
  // Compare and swap: the file is written only if it still holds what this process wrote.
  if (file_ != nullptr) RETURN_IF_ERROR(file_->Write(note));
  if (!options_.witness_dir.empty()) {
    const std::string path = absl::StrCat(options_.witness_dir, "/", size, ".checkpoint");
    absl::Status written = pki::WriteFileAtomically(path, note, 0644, pki::IfExists::kFail);
    if (!written.ok() && !absl::IsAlreadyExists(written)) return written;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<AppendedEntry>> AuditLog::CommitOnce(const std::vector<Pending>& batch,
                                                                Tree& tree) {
  const absl::Time now = absl::Now();
  std::vector<store::AuditEntryRecord> entries;
  std::vector<store::AuditNodeRecord> nodes;
  std::vector<AppendedEntry> appended;
  entries.reserve(batch.size());
  for (const Pending& pending : batch) {
    const uint64_t index = tree.range.size();
    std::string bytes = EncodeEntry(pending.event, int64_t(index));
    ASSIGN_OR_RETURN(Hash leaf, LeafHash(absl::MakeConstSpan(
                                    reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size())));
    // The perfect subtrees this leaf completes: one per trailing one-bit of its index, each the
    // node of the frontier entry to its left and the subtree just completed (level 0, the leaf
    // itself, is the entry's leaf_hash).
    const std::vector<Hash>& frontier = tree.range.frontier();
    Hash node = leaf;
    uint64_t position = index;
    for (int level = 0; position & 1; ++level) {
      ASSIGN_OR_RETURN(node, NodeHash(frontier[frontier.size() - 1 - level], node));
      position >>= 1;
      nodes.push_back({.level = level + 1, .index = int64_t(position), .hash = AsString(node)});
    }
    RETURN_IF_ERROR(tree.range.Append(leaf));
    const AuditEvent& event = pending.event;
    entries.push_back({.index = int64_t(index),
                       .entry = bytes,
                       .leaf_hash = AsString(leaf),
                       .time = event.time,
                       .principal = event.principal,
                       .department = event.department,
                       .operation = event.operation,
                       .key = event.key,
                       .decision = event.decision,
                       .result = event.result});
    appended.push_back({.index = int64_t(index), .entry = std::move(bytes)});
  }
  ASSIGN_OR_RETURN(Hash root, tree.range.Root());
  ASSIGN_OR_RETURN(
      std::string body,
      FormatCheckpoint({.origin = options_.origin, .size = tree.range.size(), .root = root}));
  ASSIGN_OR_RETURN(std::string note, SignNote(body, signers_));
  store::AuditCheckpointRecord checkpoint{.size = int64_t(tree.range.size()),
                                          .root_hash = AsString(root),
                                          .note = note,
                                          .created = now};
  RETURN_IF_ERROR(store_.AppendAudit(entries, nodes, checkpoint));
  CacheNodes(nodes, entries);
  tree.checkpoint_note = std::move(note);
  {
    absl::MutexLock lock(&mu_);
    latest_ = std::move(checkpoint);
  }
  return appended;
}

absl::StatusOr<std::vector<AppendedEntry>> AuditLog::Commit(const std::vector<Pending>& batch) {
  absl::Status last;
  // Another replica sharing the store may have appended first: reload and extend its tree.
  for (int attempt = 0; attempt < 3; ++attempt) {
    Tree work = tree_;
    absl::StatusOr<std::vector<AppendedEntry>> appended = CommitOnce(batch, work);
    if (appended.ok()) {
      tree_ = std::move(work);
      RETURN_IF_ERROR(PublishCheckpoint(tree_.checkpoint_note, int64_t(tree_.range.size())));
      return appended;
    }
    last = appended.status();
    // Whatever happened, the next commit starts from what the store really holds.
    absl::Status reloaded = Load();
    if (!reloaded.ok()) return reloaded;
    if (!absl::IsFailedPrecondition(last)) break;
  }
  return last;
}

void AuditLog::AppendAsync(AuditEvent event, AppendCallback done) {
  absl::MutexLock lock(&mu_);
  queue_.push_back({std::move(event), std::move(done)});
}

absl::StatusOr<AppendedEntry> AuditLog::Append(const AuditEvent& event) {
  absl::Notification recorded;
  absl::StatusOr<AppendedEntry> result;
  AppendAsync(event, [&](absl::StatusOr<AppendedEntry> appended) {
    result = std::move(appended);
    recorded.Notify();
  });
  recorded.WaitForNotification();
  return result;
}

void AuditLog::CommitLoop() {
  for (;;) {
    std::vector<Pending> batch;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](AuditLog* log) ABSL_EXCLUSIVE_LOCKS_REQUIRED(log->mu_) {
            return !log->queue_.empty() || log->stopping_;
          },
          this));
      if (queue_.empty()) return;  // stopping, and everything queued was committed
      const size_t take = std::min(queue_.size(), options_.max_batch);
      batch.reserve(take);
      for (size_t i = 0; i < take; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    absl::StatusOr<std::vector<AppendedEntry>> appended = Commit(batch);
    if (appended.ok()) {
      absl::MutexLock lock(&mu_);
      ++stats_.commits;
      stats_.entries += int64_t(batch.size());
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      if (appended.ok()) {
        batch[i].done(std::move((*appended)[i]));
      } else {
        batch[i].done(Unavailable(appended.status()));
      }
    }
  }
}

AuditLog::~AuditLog() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (committer_.joinable()) committer_.join();
}

absl::StatusOr<std::string> AuditLog::ReceiptAt(int64_t index, const std::string& entry,
                                                const store::AuditCheckpointRecord& checkpoint) {
  ASSIGN_OR_RETURN(
      std::vector<Hash> proof,
      InclusionProofFromSubtrees(uint64_t(index), uint64_t(checkpoint.size), SubtreeFromStore()));
  return FormatTlogProof({.index = uint64_t(index),
                          .extra = hsm::ToBytes(entry),
                          .inclusion_proof = std::move(proof),
                          .checkpoint = checkpoint.note});
}

absl::StatusOr<std::string> AuditLog::Receipt(int64_t index) {
  ASSIGN_OR_RETURN(store::AuditCheckpointRecord checkpoint, LatestCheckpoint());
  if (index < 0 || index >= checkpoint.size) {
    return absl::NotFoundError(absl::StrCat("the audit log has no entry ", index));
  }
  ASSIGN_OR_RETURN(store::AuditEntryRecord entry, store_.GetAuditEntry(index));
  return ReceiptAt(index, entry.entry, checkpoint);
}

absl::StatusOr<std::string> AuditLog::ReceiptFor(const AppendedEntry& entry) {
  store::AuditCheckpointRecord checkpoint;
  {
    absl::MutexLock lock(&mu_);
    checkpoint = latest_;
  }
  if (entry.index >= checkpoint.size) return Receipt(entry.index);  // another replica's commit
  return ReceiptAt(entry.index, entry.entry, checkpoint);
}

absl::StatusOr<store::AuditCheckpointRecord> AuditLog::LatestCheckpoint() {
  absl::StatusOr<store::AuditCheckpointRecord> latest = store_.LatestAuditCheckpoint();
  if (absl::IsNotFound(latest.status())) {
    return absl::NotFoundError("the audit log has no checkpoint yet");
  }
  return latest;
}

absl::StatusOr<std::vector<Hash>> AuditLog::ConsistencyProof(int64_t old_size, int64_t new_size) {
  ASSIGN_OR_RETURN(int64_t size, store_.AuditLogSize());
  if (old_size < 0 || old_size > new_size || new_size > size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a consistency proof needs 0 <= old size <= new size <= ", size, " (the log's size)"));
  }
  return ConsistencyProofFromSubtrees(uint64_t(old_size), uint64_t(new_size), SubtreeFromStore());
}

std::string AuditLog::VerifierKey() const { return signer_->verifier().VerifierKey(); }

std::string AuditLog::sm2_log_key_pem() const {
  return options_.sm2_key == nullptr ? std::string() : options_.sm2_key->public_key_pem();
}

std::string AuditLog::Sm2VerifierKey() const {
  return sm2_signer_ == nullptr ? std::string() : sm2_signer_->verifier().VerifierKey();
}

const NoteVerifier* AuditLog::sm2_verifier() const {
  return sm2_signer_ == nullptr ? nullptr : &sm2_signer_->verifier();
}

AuditLogStats AuditLog::stats() {
  absl::MutexLock lock(&mu_);
  return stats_;
}

}  // namespace yinjian::audit
