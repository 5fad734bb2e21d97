// The audit log with its real parts: the log key in a SoftHSM token, the store in a SQLite file,
// the checkpoint file on disk. Receipts verify offline; commits batch under load and do not wait
// at low load; a failure to record fails the append; a rolled-back, truncated or forked store
// is refused at start.
#include "service/audit/audit_log.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "hsm/objects.h"
#include "hsm/sm2.h"
#include "service/audit/checkpoint.h"
#include "service/audit/proof_text.h"
#include "service/audit/rejection.h"
#include "service/audit/signed_note.h"
#include "service/store/sqlite_store.h"
#include "tests/service/store/raw_sqlite.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"
#include "tests/support/token_fixture.h"

namespace yinjian::audit {
namespace {

namespace fs = std::filesystem;

AuditEvent Event(const std::string& principal, const std::string& operation) {
  return {.time = absl::Now(),
          .principal = principal,
          .certificate = std::string(64, 'a'),
          .department = "finance",
          .operation = operation,
          .key = "finance/payroll",
          .key_version = 1,
          .purpose = "payroll",
          .decision = "allow",
          .reason = "OWNER",
          .result = "OK",
          .request_digest = std::string(64, 'b'),
          .response_digest = std::string(64, 'c')};
}

class AuditLogTest : public yinjian::testing::TokenTest {
 protected:
  void SetUp() override {
    TokenTest::SetUp();
    auto dir = yinjian::testing::TempDir::Create();
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = std::make_unique<yinjian::testing::TempDir>(std::move(*dir));
    auto key = LogKey::OpenOrCreate(token());
    ASSERT_TRUE(key.ok()) << key.status();
    key_ = std::move(*key);
    YJ_ASSERT_OK(OpenStore());
  }

  std::string DbPath() const { return dir_->File("yinjian.db"); }
  std::string CheckpointPath() const { return dir_->File("yinjian.db.checkpoint"); }

  absl::Status OpenStore() {
    log_.reset();
    store_.reset();
    auto store = store::SqliteStore::Open(DbPath());
    if (!store.ok()) return store.status();
    store_ = std::move(*store);
    return absl::OkStatus();
  }

  absl::StatusOr<std::unique_ptr<AuditLog>> OpenLog(bool with_checkpoint_file = true,
                                                    Sm2LogKey* sm2_key = nullptr) {
    return AuditLog::Open(*store_, *key_,
                          {.origin = "yinjian.test/audit",
                           .checkpoint_file = with_checkpoint_file ? CheckpointPath() : "",
                           .witness_dir = "",
                           .sm2_key = sm2_key});
  }

  void AppendN(AuditLog& log, int n, const std::string& principal) {
    for (int i = 0; i < n; ++i) {
      YJ_ASSERT_OK(log.Append(Event(principal, absl::StrCat("Op", i))).status());
    }
  }

  // A consistent copy of the store as it is now (what a backup, or an attacker, would keep).
  void Snapshot(const std::string& path) {
    store::testing::RawSqlite raw(DbPath());
    raw.Exec(absl::StrCat("VACUUM INTO '", path, "'"));
  }

  // Replaces the store's file with `snapshot` (closing everything first).
  void Restore(const std::string& snapshot) {
    log_.reset();
    store_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(DbPath() + suffix);
    fs::copy_file(snapshot, DbPath());
  }

  // The checkpoint file's bytes.
  std::string FileBytes() const {
    std::ifstream in(CheckpointPath(), std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }

  // The checkpoint file's two slots, read byte for byte (docs/receipts.md): each a signed note
  // padded with NUL bytes to CheckpointFile::kSlotSize. "" for an unused slot.
  std::vector<std::string> FileSlots() const {
    const std::string bytes = FileBytes();
    EXPECT_EQ(bytes.size(), 2 * CheckpointFile::kSlotSize);
    std::vector<std::string> slots;
    for (size_t slot = 0; slot < 2 && bytes.size() == 2 * CheckpointFile::kSlotSize; ++slot) {
      const std::string padded =
          bytes.substr(slot * CheckpointFile::kSlotSize, CheckpointFile::kSlotSize);
      slots.push_back(padded.substr(0, padded.find('\0')));
    }
    return slots;
  }

  // The newest checkpoint in the checkpoint file that `verifiers` accept.
  absl::StatusOr<Checkpoint> FileCheckpoint(absl::Span<const NoteVerifier* const> verifiers) const {
    absl::StatusOr<Checkpoint> newest = absl::NotFoundError("no slot holds a valid checkpoint");
    for (const std::string& note : FileSlots()) {
      absl::StatusOr<Checkpoint> checkpoint = OpenCheckpoint(note, verifiers, "yinjian.test/audit");
      if (checkpoint.ok() && (!newest.ok() || checkpoint->size > newest->size)) {
        newest = std::move(checkpoint);
      }
    }
    return newest;
  }

  std::unique_ptr<yinjian::testing::TempDir> dir_;
  std::unique_ptr<LogKey> key_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<AuditLog> log_;
};

TEST_F(AuditLogTest, ReceiptsVerifyOfflineAndCarryTheEntry) {
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> log, OpenLog());
  std::vector<AppendedEntry> appended;
  for (int i = 0; i < 5; ++i) {
    YJ_ASSERT_OK_AND_ASSIGN(AppendedEntry entry, log->Append(Event("fin-app", "Encrypt")));
    EXPECT_EQ(entry.index, i);
    appended.push_back(entry);
  }
  const NoteVerifier* verifiers[] = {&log->verifier()};
  for (const AppendedEntry& entry : appended) {
    YJ_ASSERT_OK_AND_ASSIGN(std::string receipt, log->ReceiptFor(entry));
    YJ_ASSERT_OK_AND_ASSIGN(VerifiedReceipt verified,
                            VerifyReceipt(receipt, verifiers, "yinjian.test/audit"));
    EXPECT_EQ(int64_t(verified.index), entry.index);
    EXPECT_EQ(std::string(verified.entry.begin(), verified.entry.end()), entry.entry);
    EXPECT_TRUE(absl::StrContains(entry.entry, absl::StrCat("\"index\":", entry.index)));
    // The same receipt from the store alone.
    YJ_ASSERT_OK_AND_ASSIGN(std::string again, log->Receipt(entry.index));
    YJ_EXPECT_OK(VerifyReceipt(again, verifiers, "yinjian.test/audit").status());
  }
  // The checkpoint file holds the latest checkpoint, signed by the log key.
  YJ_ASSERT_OK_AND_ASSIGN(Checkpoint checkpoint, FileCheckpoint(verifiers));
  EXPECT_EQ(checkpoint.size, 5u);
  EXPECT_EQ(log->Receipt(5).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(AuditLogTest, LowLoadCommitsEachEntryAtOnce) {
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> log, OpenLog());
  AppendN(*log, 4, "one-caller");
  // One caller at a time: every append is its own commit, nobody waited for company.
  EXPECT_EQ(log->stats().commits, 4);
  EXPECT_EQ(log->stats().entries, 4);
}

TEST_F(AuditLogTest, ConcurrentCallersShareCommitsAndLeaveNoGaps) {
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> log, OpenLog());
  constexpr int kThreads = 8, kEach = 40;
  std::vector<std::thread> threads;
  std::vector<std::vector<int64_t>> indices(kThreads);
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        absl::StatusOr<AppendedEntry> entry = log->Append(Event(absl::StrCat("app", t), "Sign"));
        if (entry.ok()) {
          indices[t].push_back(entry->index);
        } else {
          ++failures;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  std::vector<int64_t> all;
  for (const auto& mine : indices) all.insert(all.end(), mine.begin(), mine.end());
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), size_t(kThreads * kEach));
  for (size_t i = 0; i < all.size(); ++i) ASSERT_EQ(all[i], int64_t(i));
  const AuditLogStats stats = log->stats();
  EXPECT_EQ(stats.entries, kThreads * kEach);
  EXPECT_LT(stats.commits, stats.entries) << "no commit served more than one caller";
  // Every checkpoint made along the way is consistent with the last one.
  YJ_ASSERT_OK_AND_ASSIGN(auto checkpoints, store_->ListAuditCheckpoints());
  ASSERT_EQ(int64_t(checkpoints.size()), stats.commits);
  const store::AuditCheckpointRecord& last = checkpoints.back();
  Hash last_root;
  std::copy(last.root_hash.begin(), last.root_hash.end(), last_root.begin());
  for (const store::AuditCheckpointRecord& checkpoint : checkpoints) {
    Hash root;
    std::copy(checkpoint.root_hash.begin(), checkpoint.root_hash.end(), root.begin());
    YJ_ASSERT_OK_AND_ASSIGN(std::vector<Hash> proof,
                            log->ConsistencyProof(checkpoint.size, last.size));
    YJ_EXPECT_OK(VerifyConsistency(checkpoint.size, last.size, root, last_root, proof));
  }
}

// Under load, with a witness directory: when a caller is told its entry is recorded, the
// receipt's checkpoint has reached the checkpoint file (never newer than the file), and every
// checkpoint has its witness copy. A log that answered before writing the file, or wrote the
// file for only some commits, fails here.
TEST_F(AuditLogTest, ReceiptsNeverCiteACheckpointNewerThanTheFile) {
  const std::string witness = dir_->File("witness");
  fs::create_directory(witness);
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> log,
                          AuditLog::Open(*store_, *key_,
                                         {.origin = "yinjian.test/audit",
                                          .checkpoint_file = CheckpointPath(),
                                          .witness_dir = witness}));
  const NoteVerifier* verifiers[] = {&log->verifier()};
  constexpr int kThreads = 8, kEach = 60;
  std::atomic<int> verified{0};
  absl::Mutex mu;
  std::vector<std::string> problems;  // guarded by mu
  auto problem = [&](std::string what) {
    absl::MutexLock lock(&mu);
    problems.push_back(std::move(what));
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        absl::Notification done;
        log->AppendAsync(
            Event(absl::StrCat("app", t), "Sign"), [&](absl::StatusOr<AppendedEntry> appended) {
              // Runs on the log's thread, just before the caller's response would
              // leave: the file is as it is then.
              absl::StatusOr<Checkpoint> in_file = FileCheckpoint(verifiers);
              absl::StatusOr<std::string> receipt =
                  appended.ok() ? log->ReceiptFor(*appended) : appended.status();
              absl::StatusOr<VerifiedReceipt> checked =
                  receipt.ok() ? VerifyReceipt(*receipt, verifiers, "yinjian.test/audit")
                               : receipt.status();
              if (!in_file.ok() || !checked.ok()) {
                problem(
                    absl::StrCat(in_file.status().ToString(), " / ", checked.status().ToString()));
              } else if (checked->checkpoint.size > in_file->size) {
                problem(absl::StrCat("receipt cites size ", checked->checkpoint.size,
                                     ", the file holds ", in_file->size));
              } else {
                ++verified;
              }
              done.Notify();
            });
        done.WaitForNotification();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_TRUE(problems.empty()) << problems.size() << " problems, first: " << problems.front();
  EXPECT_EQ(verified.load(), kThreads * kEach);
  const AuditLogStats stats = log->stats();
  EXPECT_EQ(stats.entries, kThreads * kEach);
  // One witness copy per checkpoint, each the stored note.
  YJ_ASSERT_OK_AND_ASSIGN(auto checkpoints, store_->ListAuditCheckpoints());
  ASSERT_EQ(int64_t(checkpoints.size()), stats.commits);
  for (const store::AuditCheckpointRecord& checkpoint : checkpoints) {
    std::ifstream in(absl::StrCat(witness, "/", checkpoint.size, ".checkpoint"));
    const std::string copy((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(copy, checkpoint.note) << "witness copy of size " << checkpoint.size;
  }
}

// Someone else replaces the checkpoint file while the server runs: the next call is committed
// to the store (the store may be ahead of the file) but its caller gets UNAVAILABLE, not a
// receipt, and so does every later caller; the other writer's file is left as it is.
TEST_F(AuditLogTest, ACheckpointFileChangedUnderTheServerFailsCallsClosed) {
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> log, OpenLog());
  AppendN(*log, 2, "fin-app");
  const std::string foreign = "not the checkpoint this server wrote\n";
  {
    std::ofstream out(CheckpointPath(), std::ios::trunc);
    out << foreign;
  }
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<AppendedEntry> failed = log->Append(Event("fin-app", "Decrypt"));
    EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable) << failed.status();
    EXPECT_TRUE(absl::StrContains(failed.status().message(), "changed by someone else"))
        << failed.status();
  }
  YJ_ASSERT_OK_AND_ASSIGN(int64_t size, store_->AuditLogSize());
  EXPECT_EQ(size, 4);
  std::ifstream in(CheckpointPath());
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()),
            foreign);
}

TEST_F(AuditLogTest, WhatCannotBeSignedIsNotRecorded) {
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> log, OpenLog());
  AppendN(*log, 2, "fin-app");
  // The HSM loses the log's key pair: nothing can be checkpointed any more.
  for (CK_OBJECT_CLASS object_class : {CKO_PRIVATE_KEY, CKO_PUBLIC_KEY}) {
    YJ_ASSERT_OK_AND_ASSIGN(
        CK_OBJECT_HANDLE handle,
        hsm::FindObject(token(), {.object_class = object_class,
                                  .id = hsm::ToBytes(absl::string_view(kLogKeyId))}));
    hsm::ScopedObject doomed(&token(), handle);  // destroyed at the end of this scope
  }
  absl::StatusOr<AppendedEntry> failed = log->Append(Event("fin-app", "Decrypt"));
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable) << failed.status();
  YJ_ASSERT_OK_AND_ASSIGN(int64_t size, store_->AuditLogSize());
  EXPECT_EQ(size, 2);
  // The next test's SetUp makes a new key pair (the token is shared by the suite).
}

TEST_F(AuditLogTest, ARolledBackStoreIsRefused) {
  {
    YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> log, OpenLog());
    AppendN(*log, 3, "fin-app");
  }
  const std::string snapshot = dir_->File("old.db");
  Snapshot(snapshot);
  {
    YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> log, OpenLog());
    AppendN(*log, 2, "fin-app");
  }
  Restore(snapshot);
  YJ_ASSERT_OK(OpenStore());
  absl::StatusOr<std::unique_ptr<AuditLog>> reopened = OpenLog();
  EXPECT_EQ(reopened.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(reopened.status().message(), "rolled back")) << reopened.status();
}

TEST_F(AuditLogTest, AForkedStoreIsRefused) {
  {
    YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> log, OpenLog());
    AppendN(*log, 3, "fin-app");
  }
  const std::string snapshot = dir_->File("old.db");
  Snapshot(snapshot);
  {
    YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> log, OpenLog());
    AppendN(*log, 2, "fin-app");  // the checkpoint file now says: 5 entries, root R
  }
  // Someone rolls the store back and writes two other entries without the checkpoint file:
  // the same size, another root.
  Restore(snapshot);
  YJ_ASSERT_OK(OpenStore());
  {
    YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> log, OpenLog(/*with_checkpoint_file=*/false));
    AppendN(*log, 2, "mallory");
  }
  YJ_ASSERT_OK(OpenStore());
  absl::StatusOr<std::unique_ptr<AuditLog>> reopened = OpenLog();
  EXPECT_EQ(reopened.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(reopened.status().message(), "forked")) << reopened.status();
}

TEST_F(AuditLogTest, ACheckpointFileNotSignedByTheLogKeyIsRefused) {
  {
    YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> log, OpenLog());
    AppendN(*log, 1, "fin-app");
  }
  // One commit: the first slot holds the checkpoint of size 1, the second is unused.
  ASSERT_EQ(FileSlots()[1], "");
  std::string bytes = FileBytes();
  // An edited body: "1" entries becomes "9".
  const size_t newline = bytes.find('\n');
  ASSERT_NE(newline, std::string::npos);
  bytes[newline + 1] = '9';
  std::ofstream(CheckpointPath(), std::ios::binary | std::ios::trunc) << bytes;
  absl::StatusOr<std::unique_ptr<AuditLog>> reopened = OpenLog();
  EXPECT_EQ(reopened.status().code(), absl::StatusCode::kFailedPrecondition) << reopened.status();
  EXPECT_TRUE(absl::StrContains(reopened.status().message(), "does not hold a checkpoint"))
      << reopened.status();
}

// A write cut short by a power failure can damage only the slot being written, which never
// holds the newest checkpoint; an edit of the newest slot looks the same. The server starts from
// the other slot (the store may be ahead of the file), says so, and writes over the bad slot.
TEST_F(AuditLogTest, ABadNewestSlotLeavesTheOtherInChargeAndIsReported) {
  {
    YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> log, OpenLog());
    AppendN(*log, 3, "fin-app");
  }
  // Checkpoints 1, 2, 3 went to slots 1, 2, 1.
  std::vector<std::string> slots = FileSlots();
  ASSERT_EQ(slots.size(), 2u);
  ASSERT_TRUE(absl::StrContains(slots[0], "\n3\n")) << slots[0];
  std::string bytes = FileBytes();
  bytes[bytes.find('\n') + 1] = '9';
  std::ofstream(CheckpointPath(), std::ios::binary | std::ios::trunc) << bytes;

  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> log, OpenLog());
  EXPECT_TRUE(absl::StrContains(log->file_warning(), "slot 1")) << log->file_warning();
  const NoteVerifier* verifiers[] = {&log->verifier()};
  YJ_ASSERT_OK_AND_ASSIGN(Checkpoint in_charge, FileCheckpoint(verifiers));
  EXPECT_EQ(in_charge.size, 2u);
  AppendN(*log, 1, "fin-app");
  YJ_ASSERT_OK_AND_ASSIGN(Checkpoint after, FileCheckpoint(verifiers));
  EXPECT_EQ(after.size, 4u);
  for (const std::string& note : FileSlots()) {
    YJ_EXPECT_OK(OpenCheckpoint(note, verifiers, "yinjian.test/audit").status());
  }
}

// Versions before 2026-11-22 kept the checkpoint as a single note, replaced whole.
TEST_F(AuditLogTest, ASingleNoteCheckpointFileIsReadAndUpgradedToSlots) {
  std::string note;
  {
    YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> log, OpenLog());
    AppendN(*log, 2, "fin-app");
    YJ_ASSERT_OK_AND_ASSIGN(store::AuditCheckpointRecord latest, log->LatestCheckpoint());
    note = latest.note;
  }
  std::ofstream(CheckpointPath(), std::ios::binary | std::ios::trunc) << note;
  {
    YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> log, OpenLog());
    EXPECT_EQ(log->file_warning(), "");
    AppendN(*log, 1, "fin-app");
    const NoteVerifier* verifiers[] = {&log->verifier()};
    YJ_ASSERT_OK_AND_ASSIGN(Checkpoint in_file, FileCheckpoint(verifiers));
    EXPECT_EQ(in_file.size, 3u);
  }
}

TEST_F(AuditLogTest, ASingleNoteCheckpointFileStillAnchorsTheStore) {
  const std::string snapshot = dir_->File("old.db");
  std::string note;
  {
    YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> log, OpenLog());
    AppendN(*log, 1, "fin-app");
    Snapshot(snapshot);
    AppendN(*log, 1, "fin-app");
    YJ_ASSERT_OK_AND_ASSIGN(store::AuditCheckpointRecord latest, log->LatestCheckpoint());
    note = latest.note;
  }
  std::ofstream(CheckpointPath(), std::ios::binary | std::ios::trunc) << note;
  Restore(snapshot);
  YJ_ASSERT_OK(OpenStore());
  absl::StatusOr<std::unique_ptr<AuditLog>> reopened = OpenLog();
  EXPECT_EQ(reopened.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(reopened.status().message(), "rolled back")) << reopened.status();
}

TEST_F(AuditLogTest, AStoreWhoseEntriesDisagreeWithItsCheckpointIsRefused) {
  {
    YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> log, OpenLog());
    AppendN(*log, 4, "fin-app");
  }
  log_.reset();
  store_.reset();
  {
    // A hand edit that gets past the triggers: drop them and rewrite the subtree hash that
    // covers all four entries.
    store::testing::RawSqlite raw(DbPath());
    const std::string triggers = raw.QueryText(
        "SELECT group_concat(name, ',') FROM sqlite_master WHERE type = 'trigger' AND "
        "tbl_name = 'audit_nodes'");
    for (absl::string_view name : absl::StrSplit(triggers, ',')) {
      if (!name.empty() && name != "<no row>") raw.Exec(absl::StrCat("DROP TRIGGER ", name));
    }
    raw.Exec("UPDATE audit_nodes SET hash = zeroblob(32) WHERE level = 2 AND idx = 0");
  }
  YJ_ASSERT_OK(OpenStore());
  absl::StatusOr<std::unique_ptr<AuditLog>> reopened = OpenLog();
  EXPECT_EQ(reopened.status().code(), absl::StatusCode::kFailedPrecondition) << reopened.status();
}

// The checkpoint note a receipt carries, parsed.
Note ReceiptNote(const std::string& receipt) {
  absl::StatusOr<TlogProof> proof = ParseTlogProof(receipt);
  EXPECT_TRUE(proof.ok()) << proof.status();
  if (!proof.ok()) return {};
  absl::StatusOr<Note> note = ParseNote(proof->checkpoint);
  EXPECT_TRUE(note.ok()) << note.status();
  return note.ok() ? *note : Note();
}

TEST_F(AuditLogTest, AnSm2KeyAddsASecondSignatureLineThatVerifiesOnItsOwn) {
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Sm2LogKey> sm2, Sm2LogKey::OpenOrCreate(token()));
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> log, OpenLog(true, sm2.get()));
  ASSERT_NE(log->sm2_verifier(), nullptr);
  EXPECT_EQ(log->sm2_log_key_pem(), sm2->public_key_pem());
  EXPECT_TRUE(absl::StartsWith(log->Sm2VerifierKey(), "yinjian.test/audit+"));
  EXPECT_NE(log->Sm2VerifierKey(), log->VerifierKey());
  YJ_ASSERT_OK_AND_ASSIGN(AppendedEntry entry, log->Append(Event("fin-app", "Sign")));
  YJ_ASSERT_OK_AND_ASSIGN(std::string receipt, log->ReceiptFor(entry));

  // ECDSA first, then SM2, both under the log's origin.
  const Note note = ReceiptNote(receipt);
  ASSERT_EQ(note.signatures.size(), 2u);
  EXPECT_EQ(note.signatures[0].key_id, log->verifier().key_id());
  EXPECT_EQ(note.signatures[1].key_id, log->sm2_verifier()->key_id());
  EXPECT_EQ(note.signatures[1].key_name, "yinjian.test/audit");
  // The SM2 line is a plain SM2-with-SM3 signature over the checkpoint text.
  YJ_ASSERT_OK_AND_ASSIGN(bool valid,
                          hsm::Sm2Verify(sm2->public_key_spki(), hsm::ToBytes(note.text),
                                         note.signatures[1].signature));
  EXPECT_TRUE(valid);

  // Either key alone verifies the receipt; so do both.
  const NoteVerifier* ecdsa_only[] = {&log->verifier()};
  const NoteVerifier* sm2_only[] = {log->sm2_verifier()};
  const NoteVerifier* both[] = {&log->verifier(), log->sm2_verifier()};
  for (absl::Span<const NoteVerifier* const> verifiers :
       {absl::MakeConstSpan(ecdsa_only), absl::MakeConstSpan(sm2_only),
        absl::MakeConstSpan(both)}) {
    YJ_EXPECT_OK(VerifyReceipt(receipt, verifiers, "yinjian.test/audit").status());
  }

  // A damaged SM2 line: whoever trusts the SM2 key rejects the receipt; a verifier that knows
  // only the ECDSA key ignores the line, as signed notes require.
  Note damaged = note;
  damaged.signatures[1].signature[10] ^= 0x01;
  YJ_ASSERT_OK_AND_ASSIGN(std::string damaged_note, FormatNote(damaged));
  YJ_ASSERT_OK_AND_ASSIGN(TlogProof proof, ParseTlogProof(receipt));
  const std::string forged = absl::StrReplaceAll(receipt, {{proof.checkpoint, damaged_note}});
  ASSERT_NE(forged, receipt);
  for (absl::Span<const NoteVerifier* const> verifiers :
       {absl::MakeConstSpan(sm2_only), absl::MakeConstSpan(both)}) {
    absl::StatusOr<VerifiedReceipt> rejected =
        VerifyReceipt(forged, verifiers, "yinjian.test/audit");
    EXPECT_EQ(RejectionOf(rejected.status()), Rejection::kBadSignature) << rejected.status();
  }
  YJ_EXPECT_OK(VerifyReceipt(forged, ecdsa_only, "yinjian.test/audit").status());
}

TEST_F(AuditLogTest, TheSm2LineCanBeTurnedOnAndOffAcrossRestarts) {
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Sm2LogKey> sm2, Sm2LogKey::OpenOrCreate(token()));
  {
    YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> log, OpenLog());
    AppendN(*log, 2, "fin-app");
  }
  std::string with_sm2;
  {
    // On: the checkpoint file (one line) is accepted and new checkpoints carry two.
    YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> log, OpenLog(true, sm2.get()));
    YJ_ASSERT_OK_AND_ASSIGN(AppendedEntry entry, log->Append(Event("fin-app", "Sign")));
    YJ_ASSERT_OK_AND_ASSIGN(with_sm2, log->ReceiptFor(entry));
    EXPECT_EQ(ReceiptNote(with_sm2).signatures.size(), 2u);
  }
  {
    // Off again: the file's two-line checkpoint is accepted; new checkpoints carry one line.
    YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> log, OpenLog());
    EXPECT_EQ(log->sm2_verifier(), nullptr);
    EXPECT_EQ(log->Sm2VerifierKey(), "");
    YJ_ASSERT_OK_AND_ASSIGN(AppendedEntry entry, log->Append(Event("fin-app", "Sign")));
    YJ_ASSERT_OK_AND_ASSIGN(std::string receipt, log->ReceiptFor(entry));
    EXPECT_EQ(ReceiptNote(receipt).signatures.size(), 1u);
  }
  // And on once more, with the same SM2 key from the token: the older SM2 receipt still
  // verifies under the key the log now reports.
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Sm2LogKey> reopened, Sm2LogKey::OpenOrCreate(token()));
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> log, OpenLog(true, reopened.get()));
  const NoteVerifier* sm2_only[] = {log->sm2_verifier()};
  YJ_EXPECT_OK(VerifyReceipt(with_sm2, sm2_only, "yinjian.test/audit").status());
}

}  // namespace
}  // namespace yinjian::audit
