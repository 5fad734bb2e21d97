// A small audit log built in memory with the server's audit core library and a software P-256
// log key, for the CLI's receipt and log checks: entries in the server's canonical JSON form,
// checkpoints signed at chosen sizes, and receipts (C2SP tlog-proof) against the latest one.
#ifndef YINJIAN_TESTS_CLI_TEST_AUDIT_LOG_H_
#define YINJIAN_TESTS_CLI_TEST_AUDIT_LOG_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "cli/log_check.h"
#include "common/status_macros.h"
#include "hsm/public_key.h"
#include "service/audit/checkpoint.h"
#include "service/audit/merkle.h"
#include "service/audit/note_keys.h"
#include "service/audit/proof_text.h"
#include "service/audit/signed_note.h"
#include "tests/service/audit/audit_test_util.h"

namespace yinjian::testing {

inline constexpr char kTestOrigin[] = "yinjian.test/audit";

// A log key: the software key, its note signer and verifier, and its public key as PEM.
struct TestLogKey {
  static absl::StatusOr<TestLogKey> Generate(const std::string& origin = kTestOrigin) {
    ASSIGN_OR_RETURN(audit::fixtures::SoftwareP256Key key,
                     audit::fixtures::SoftwareP256Key::Generate());
    ASSIGN_OR_RETURN(std::unique_ptr<audit::CallbackNoteSigner> signer,
                     audit::CallbackNoteSigner::Create(audit::NoteKeyType::kEcdsaP256, origin,
                                                       key.spki(), key.SignFn()));
    ASSIGN_OR_RETURN(
        std::unique_ptr<audit::PublicKeyNoteVerifier> verifier,
        audit::PublicKeyNoteVerifier::Create(audit::NoteKeyType::kEcdsaP256, origin, key.spki()));
    ASSIGN_OR_RETURN(std::string pem, hsm::SpkiDerToPem(key.spki()));
    return TestLogKey{
        .signer = std::move(signer), .verifier = std::move(verifier), .pem = std::move(pem)};
  }

  // The checkpoint of `size` and `root` for `origin`, signed by this key.
  absl::StatusOr<std::string> SignCheckpoint(const std::string& origin, uint64_t size,
                                             const audit::Hash& root) const {
    ASSIGN_OR_RETURN(const std::string body, audit::FormatCheckpoint(audit::Checkpoint{
                                                 .origin = origin, .size = size, .root = root}));
    const std::vector<const audit::NoteSigner*> signers = {signer.get()};
    return audit::SignNote(body, signers);
  }

  std::unique_ptr<audit::CallbackNoteSigner> signer;
  std::unique_ptr<audit::PublicKeyNoteVerifier> verifier;
  std::string pem;
};

// The entry at `index` as the server writes it: sorted keys, no whitespace.
inline std::string TestEntry(int64_t index, const std::string& principal = "fin-app") {
  return absl::StrCat(
      "{\"certificate\":\"3f1c\",\"decision\":\"allow\",\"department\":\"finance\",\"index\":",
      index,
      ",\"key\":\"finance/docs\",\"key_version\":1,\"operation\":\"Encrypt\",\"principal\":\"",
      principal,
      "\",\"purpose\":\"audit\",\"reason\":\"OWNER\",\"request_digest\":\"9a0b\","
      "\"response_digest\":\"77e1\",\"result\":\"OK\",\"time\":\"2026-11-21T14:25:00.123456Z\","
      "\"v\":1}");
}

inline std::vector<uint8_t> BytesOf(const std::string& text) {
  return std::vector<uint8_t>(text.begin(), text.end());
}

// A log as Query and ListCheckpoints would list it.
struct TestLog {
  // `size` entries, with a checkpoint signed by `key` at each of `checkpoint_sizes`.
  static absl::StatusOr<TestLog> Build(const TestLogKey& key, int64_t size,
                                       const std::vector<int64_t>& checkpoint_sizes,
                                       const std::string& origin = kTestOrigin) {
    TestLog log;
    for (int64_t i = 0; i < size; ++i) {
      log.entries.push_back(cli::ListedEntry{.index = i, .entry = TestEntry(i)});
      ASSIGN_OR_RETURN(const audit::Hash leaf, audit::LeafHash(BytesOf(log.entries.back().entry)));
      log.leaf_hashes.push_back(leaf);
    }
    for (const int64_t checkpoint_size : checkpoint_sizes) {
      ASSIGN_OR_RETURN(const audit::Hash root, log.RootAt(checkpoint_size));
      ASSIGN_OR_RETURN(std::string note, key.SignCheckpoint(origin, checkpoint_size, root));
      log.checkpoints.push_back(
          cli::ListedCheckpoint{.size = checkpoint_size,
                                .root_hash = std::string(root.begin(), root.end()),
                                .note = std::move(note)});
    }
    return log;
  }

  absl::StatusOr<audit::Hash> RootAt(int64_t size) const {
    return audit::RootOf(absl::MakeConstSpan(leaf_hashes).subspan(0, size_t(size)));
  }

  // The receipt for entry `index` against the latest checkpoint.
  absl::StatusOr<std::string> Receipt(int64_t index) const {
    const cli::ListedCheckpoint& latest = checkpoints.back();
    ASSIGN_OR_RETURN(std::vector<audit::Hash> proof,
                     audit::InclusionProof(leaf_hashes, uint64_t(index), uint64_t(latest.size)));
    return audit::FormatTlogProof(audit::TlogProof{.index = uint64_t(index),
                                                   .extra = BytesOf(entries[size_t(index)].entry),
                                                   .inclusion_proof = std::move(proof),
                                                   .checkpoint = latest.note});
  }

  std::vector<cli::ListedEntry> entries;
  std::vector<audit::Hash> leaf_hashes;
  std::vector<cli::ListedCheckpoint> checkpoints;
};

}  // namespace yinjian::testing

#endif  // YINJIAN_TESTS_CLI_TEST_AUDIT_LOG_H_
