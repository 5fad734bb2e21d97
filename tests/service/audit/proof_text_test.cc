#include "service/audit/proof_text.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "service/audit/checkpoint.h"
#include "service/audit/compact_range.h"
#include "service/audit/merkle.h"
#include "service/audit/note_keys.h"
#include "service/audit/rejection.h"
#include "service/audit/text_fields.h"
#include "tests/service/audit/audit_test_util.h"
#include "tests/support/status_test_macros.h"

namespace yinjian::audit {
namespace {

using fixtures::ReferenceLeafInputs;
using fixtures::ReferenceNodeHashes;
using fixtures::ReferenceRootHashes;
using fixtures::SoftwareP256Key;
using fixtures::SoftwareSm2Key;

constexpr absl::string_view kOrigin = "yinjian.example/audit";

// A checkpoint note for formatting tests; its signature is not checked by Format/Parse.
const std::string kCheckpointNote =
    "yinjian.example/audit\n5\nTju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ=\n\n"
    "\xE2\x80\x94 yinjian.example/audit AQIDBDBFAiEA\n";

// Leaf 3 of the reference tree of 5: entry 20 21, proof [d2, MTH(d0,d1), d4].
TlogProof ReferenceProof() {
  const std::vector<std::vector<Hash>> nodes = ReferenceNodeHashes();
  return TlogProof{.index = 3,
                   .extra = ReferenceLeafInputs()[3],
                   .inclusion_proof = {nodes[0][2], nodes[1][0], nodes[0][4]},
                   .checkpoint = kCheckpointNote};
}

TEST(TlogProofTextTest, FormatsTheExactText) {
  YJ_ASSERT_OK_AND_ASSIGN(std::string text, FormatTlogProof(ReferenceProof()));
  EXPECT_EQ(text,
            "c2sp.org/tlog-proof@v1\n"
            "extra ICE=\n"
            "index 3\n"
            "ApjRIpBtz8EIkstTpzmS/FufST6kybrbJ7eRtBJ6f+c=\n"
            "+sVCA+fMaWzw38tCySodnbr3CtnmIfS9jZhmLwDjwSU=\n"
            "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=\n"
            "\n"
            "yinjian.example/audit\n"
            "5\n"
            "Tju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ=\n"
            "\n"
            "\xE2\x80\x94 yinjian.example/audit AQIDBDBFAiEA\n");
  YJ_ASSERT_OK_AND_ASSIGN(TlogProof parsed, ParseTlogProof(text));
  EXPECT_EQ(parsed, ReferenceProof());
  // And it really is the proof of that leaf under the reference root.
  YJ_ASSERT_OK_AND_ASSIGN(Hash leaf, LeafHash(*parsed.extra));
  YJ_EXPECT_OK(VerifyInclusion(leaf, 3, 5, parsed.inclusion_proof, ReferenceRootHashes()[5]));
}

// The complete example of proof_text.h, signed_note.h and note_keys.h: a real receipt that
// verifies offline with nothing but the published verifier key.
constexpr absl::string_view kExampleVerifierKey =
    "yinjian.example/audit+04f9b774+AjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABCiDi5Exetn828dt/Bjy9"
    "ncw2h+3Ksa5F4qTq0xUgVpuruloIRo8uq1NP1Lxnizn6QtiuZS/HDsIIyVBmCqRI50=";
constexpr absl::string_view kExampleReceipt =
    "c2sp.org/tlog-proof@v1\n"
    "extra ICE=\n"
    "index 3\n"
    "ApjRIpBtz8EIkstTpzmS/FufST6kybrbJ7eRtBJ6f+c=\n"
    "+sVCA+fMaWzw38tCySodnbr3CtnmIfS9jZhmLwDjwSU=\n"
    "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=\n"
    "\n"
    "yinjian.example/audit\n"
    "5\n"
    "Tju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ=\n"
    "\n"
    "\xE2\x80\x94 yinjian.example/audit "
    "BPm3dDBFAiEA6KTZquBas+LsxRYj4UdCRN472EB4jiRPXumdXuVab3cCIEHFvWV9"
    "HdrLoj/p0FwjJKoK67htNMLgVYRjlJMP1Gwt\n";

TEST(TlogProofTextTest, DocumentedExampleVerifies) {
  YJ_ASSERT_OK_AND_ASSIGN(auto verifier,
                          PublicKeyNoteVerifier::FromVerifierKey(kExampleVerifierKey));
  EXPECT_EQ(verifier->key_id(), 0x04f9b774u);
  const NoteVerifier* trusted[] = {verifier.get()};
  YJ_ASSERT_OK_AND_ASSIGN(VerifiedReceipt receipt,
                          VerifyReceipt(kExampleReceipt, trusted, "yinjian.example/audit"));
  EXPECT_EQ(receipt.index, 3u);
  EXPECT_EQ(receipt.entry, (hsm::Bytes{0x20, 0x21}));
  EXPECT_EQ(receipt.checkpoint.size, 5u);
  EXPECT_EQ(receipt.checkpoint.root, ReferenceRootHashes()[5]);
  // Its proof part is exactly what FormatTlogProof produces.
  YJ_ASSERT_OK_AND_ASSIGN(TlogProof parsed, ParseTlogProof(kExampleReceipt));
  YJ_ASSERT_OK_AND_ASSIGN(std::string formatted, FormatTlogProof(parsed));
  EXPECT_EQ(formatted, kExampleReceipt);
}

TEST(TlogProofTextTest, RoundTripsWithoutExtraOrHashes) {
  for (const TlogProof& proof : std::vector<TlogProof>{
           {.index = 0, .checkpoint = kCheckpointNote},
           {.index = 0, .extra = hsm::Bytes{}, .checkpoint = kCheckpointNote},
           {.index = ~uint64_t{0},
           .extra = hsm::ToBytes("{\"op\":\"sign\"}"),
           .inclusion_proof = std::vector<Hash>(kMaxInclusionProofHashes, Hash{}),
           .checkpoint = kCheckpointNote},
       }) {
    YJ_ASSERT_OK_AND_ASSIGN(std::string text, FormatTlogProof(proof));
    YJ_ASSERT_OK_AND_ASSIGN(TlogProof parsed, ParseTlogProof(text));
    EXPECT_EQ(parsed, proof) << text;
  }
  YJ_ASSERT_OK_AND_ASSIGN(std::string text,
                          FormatTlogProof({.index = 7, .checkpoint = kCheckpointNote}));
  EXPECT_EQ(text, absl::StrCat("c2sp.org/tlog-proof@v1\nindex 7\n\n", kCheckpointNote));
}

TEST(TlogProofTextTest, FormatRejectsWhatCannotBeParsed) {
  TlogProof proof = ReferenceProof();
  proof.checkpoint = "not a note";
  EXPECT_EQ(FormatTlogProof(proof).status().code(), absl::StatusCode::kInvalidArgument);
  proof = ReferenceProof();
  proof.inclusion_proof.resize(kMaxInclusionProofHashes + 1);
  EXPECT_EQ(FormatTlogProof(proof).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(TlogProofTextTest, ParseIsStrict) {
  YJ_ASSERT_OK_AND_ASSIGN(std::string good, FormatTlogProof(ReferenceProof()));
  std::string many_hashes = "c2sp.org/tlog-proof@v1\nindex 0\n";
  for (size_t i = 0; i <= kMaxInclusionProofHashes; ++i) {
    absl::StrAppend(&many_hashes, EncodeBase64(Hash{}), "\n");
  }
  absl::StrAppend(&many_hashes, "\n", kCheckpointNote);
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"other version", absl::StrReplaceAll(good, {{"@v1", "@v2"}})},
      {"no header", good.substr(good.find('\n') + 1)},
      {"extra not base64", absl::StrReplaceAll(good, {{"extra ICE=", "extra ICE"}})},
      {"extra after index",
       absl::StrReplaceAll(good, {{"extra ICE=\nindex 3\n", "index 3\nextra ICE=\n"}})},
      {"two extras", absl::StrReplaceAll(good, {{"extra ICE=\n", "extra ICE=\nextra ICE=\n"}})},
      {"no index", absl::StrReplaceAll(good, {{"index 3\n", ""}})},
      {"leading zero", absl::StrReplaceAll(good, {{"index 3", "index 03"}})},
      {"negative", absl::StrReplaceAll(good, {{"index 3", "index -3"}})},
      {"two spaces", absl::StrReplaceAll(good, {{"index 3", "index  3"}})},
      {"short hash", absl::StrReplaceAll(good, {{"+sVCA+fMaWzw38tCySodnbr3CtnmIfS9jZhmLwDjwSU=",
                                                 "+sVCA+fMaWzw38tCySodnbr3CtnmIfS9jZhmLwDjwA=="}})},
      {"unpadded hash", absl::StrReplaceAll(good, {{"wSU=", "wSU"}})},
      {"hex hash",
       absl::StrReplaceAll(good,
                           {{"+sVCA+fMaWzw38tCySodnbr3CtnmIfS9jZhmLwDjwSU=",
                             "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}})},
      {"65 hashes", many_hashes},
      {"no checkpoint", good.substr(0, good.find("\n\n") + 2)},
      {"no empty line", absl::StrReplaceAll(good, {{"\n\n", "\n"}})},
      {"checkpoint without signature", good.substr(0, good.find("\n\xE2\x80\x94") + 1)},
      {"CRLF", absl::StrReplaceAll(good, {{"\n", "\r\n"}})},
  };
  for (const auto& [what, text] : bad) {
    EXPECT_EQ(RejectionOf(ParseTlogProof(text).status()), Rejection::kMalformed) << what;
  }
}

// A small log with a real signing key: the service's flow end to end, and every tampering the
// issue lists.
class ReceiptTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kEntries = 13;

  void SetUp() override {
    YJ_ASSERT_OK_AND_ASSIGN(SoftwareP256Key log_key, SoftwareP256Key::Generate());
    YJ_ASSERT_OK_AND_ASSIGN(SoftwareP256Key foreign_key, SoftwareP256Key::Generate());
    YJ_ASSERT_OK_AND_ASSIGN(signer_, CallbackNoteSigner::Create(NoteKeyType::kEcdsaP256, kOrigin,
                                                                log_key.spki(), log_key.SignFn()));
    YJ_ASSERT_OK_AND_ASSIGN(foreign_signer_,
                            CallbackNoteSigner::Create(NoteKeyType::kEcdsaP256, kOrigin,
                                                       foreign_key.spki(), foreign_key.SignFn()));
    YJ_ASSERT_OK_AND_ASSIGN(
        verifier_, PublicKeyNoteVerifier::Create(NoteKeyType::kEcdsaP256, kOrigin, log_key.spki()));
    for (uint64_t i = 0; i < kEntries; ++i) {
      entries_.push_back(hsm::ToBytes(absl::StrCat("{\"seq\":", i, ",\"op\":\"decrypt\"}")));
      YJ_ASSERT_OK_AND_ASSIGN(Hash leaf, LeafHash(entries_.back()));
      leaves_.push_back(leaf);
      YJ_ASSERT_OK(tree_.Append(leaf));
    }
    YJ_ASSERT_OK_AND_ASSIGN(checkpoint_, SignedCheckpoint(tree_.size(), leaves_, signer_.get()));
  }

  // Signs a checkpoint over the first `size` of `leaves`.
  absl::StatusOr<std::string> SignedCheckpoint(uint64_t size, const std::vector<Hash>& leaves,
                                               const NoteSigner* signer) {
    absl::StatusOr<Hash> root = RootOf(absl::MakeConstSpan(leaves).subspan(0, size));
    if (!root.ok()) return root.status();
    absl::StatusOr<std::string> body =
        FormatCheckpoint({.origin = std::string(kOrigin), .size = size, .root = *root});
    if (!body.ok()) return body.status();
    const NoteSigner* signers[] = {signer};
    return SignNote(*body, signers);
  }

  // The receipt the service would hand out for entry `index`.
  absl::StatusOr<std::string> Receipt(uint64_t index, const std::string& checkpoint) {
    absl::StatusOr<std::vector<Hash>> proof =
        InclusionProofFromSubtrees(index, kEntries, [this](uint64_t begin, uint64_t end) {
          return RootOf(absl::MakeConstSpan(leaves_).subspan(begin, end - begin));
        });
    if (!proof.ok()) return proof.status();
    return FormatTlogProof({.index = index,
                            .extra = entries_[index],
                            .inclusion_proof = *proof,
                            .checkpoint = checkpoint});
  }

  absl::StatusOr<VerifiedReceipt> Verify(absl::string_view receipt,
                                         absl::string_view origin = kOrigin) {
    const NoteVerifier* trusted[] = {verifier_.get()};
    return VerifyReceipt(receipt, trusted, origin);
  }

  std::optional<Rejection> RejectionFor(absl::string_view receipt) {
    absl::Status status = Verify(receipt).status();
    EXPECT_FALSE(status.ok());
    return RejectionOf(status);
  }

  std::unique_ptr<CallbackNoteSigner> signer_;
  std::unique_ptr<CallbackNoteSigner> foreign_signer_;
  std::unique_ptr<PublicKeyNoteVerifier> verifier_;
  std::vector<hsm::Bytes> entries_;
  std::vector<Hash> leaves_;
  CompactRange tree_;
  std::string checkpoint_;
};

TEST_F(ReceiptTest, EveryEntryVerifiesOffline) {
  YJ_ASSERT_OK_AND_ASSIGN(Hash root, tree_.Root());
  for (uint64_t index = 0; index < kEntries; ++index) {
    YJ_ASSERT_OK_AND_ASSIGN(std::string receipt, Receipt(index, checkpoint_));
    YJ_ASSERT_OK_AND_ASSIGN(VerifiedReceipt verified, Verify(receipt));
    EXPECT_EQ(verified.index, index);
    EXPECT_EQ(verified.entry, entries_[index]);
    EXPECT_EQ(verified.checkpoint.size, kEntries);
    EXPECT_EQ(verified.checkpoint.root, root);
    EXPECT_EQ(verified.checkpoint.origin, kOrigin);
  }
}

TEST_F(ReceiptTest, WithAnSm2SecondSignature) {
  YJ_ASSERT_OK_AND_ASSIGN(SoftwareSm2Key sm2_key, SoftwareSm2Key::Generate());
  YJ_ASSERT_OK_AND_ASSIGN(
      auto sm2_signer,
      CallbackNoteSigner::Create(NoteKeyType::kSm2, kOrigin, sm2_key.spki, sm2_key.SignFn()));
  YJ_ASSERT_OK_AND_ASSIGN(Hash root, tree_.Root());
  YJ_ASSERT_OK_AND_ASSIGN(
      std::string body,
      FormatCheckpoint({.origin = std::string(kOrigin), .size = kEntries, .root = root}));
  const NoteSigner* signers[] = {signer_.get(), sm2_signer.get()};
  YJ_ASSERT_OK_AND_ASSIGN(std::string checkpoint, SignNote(body, signers));
  YJ_ASSERT_OK_AND_ASSIGN(std::string receipt, Receipt(4, checkpoint));
  YJ_EXPECT_OK(Verify(receipt));  // the ECDSA verifier ignores the SM2 line
  YJ_ASSERT_OK_AND_ASSIGN(auto sm2_verifier,
                          PublicKeyNoteVerifier::Create(NoteKeyType::kSm2, kOrigin, sm2_key.spki));
  const NoteVerifier* sm2_only[] = {sm2_verifier.get()};
  YJ_EXPECT_OK(VerifyReceipt(receipt, sm2_only, kOrigin));
}

TEST_F(ReceiptTest, FlippedBitInTheEntry) {
  YJ_ASSERT_OK_AND_ASSIGN(std::string receipt, Receipt(5, checkpoint_));
  YJ_ASSERT_OK_AND_ASSIGN(TlogProof proof, ParseTlogProof(receipt));
  ASSERT_TRUE(proof.extra.has_value());
  const hsm::Bytes entry = proof.extra.value();
  for (size_t bit = 0; bit < entry.size() * 8; ++bit) {
    hsm::Bytes flipped = entry;
    flipped[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    TlogProof tampered{.index = proof.index,
                       .extra = std::move(flipped),
                       .inclusion_proof = proof.inclusion_proof,
                       .checkpoint = proof.checkpoint};
    YJ_ASSERT_OK_AND_ASSIGN(std::string text, FormatTlogProof(tampered));
    EXPECT_EQ(RejectionFor(text), Rejection::kProofMismatch) << "bit " << bit;
  }
}

TEST_F(ReceiptTest, AlteredProof) {
  for (uint64_t index : {0, 6, 12}) {
    YJ_ASSERT_OK_AND_ASSIGN(std::string receipt, Receipt(index, checkpoint_));
    YJ_ASSERT_OK_AND_ASSIGN(TlogProof proof, ParseTlogProof(receipt));
    for (size_t i = 0; i < proof.inclusion_proof.size(); ++i) {
      for (size_t bit = 0; bit < kHashSize * 8; bit += 5) {
        TlogProof tampered = proof;
        tampered.inclusion_proof[i][bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
        YJ_ASSERT_OK_AND_ASSIGN(std::string text, FormatTlogProof(tampered));
        EXPECT_EQ(RejectionFor(text), Rejection::kProofMismatch) << i << " bit " << bit;
      }
    }
    TlogProof shorter = proof;
    shorter.inclusion_proof.pop_back();
    YJ_ASSERT_OK_AND_ASSIGN(std::string text, FormatTlogProof(shorter));
    EXPECT_EQ(RejectionFor(text), Rejection::kProofMismatch);
    TlogProof longer = proof;
    longer.inclusion_proof.push_back(proof.inclusion_proof[0]);
    YJ_ASSERT_OK_AND_ASSIGN(text, FormatTlogProof(longer));
    EXPECT_EQ(RejectionFor(text), Rejection::kProofMismatch);
  }
}

TEST_F(ReceiptTest, ChangedIndex) {
  YJ_ASSERT_OK_AND_ASSIGN(std::string receipt, Receipt(5, checkpoint_));
  for (uint64_t other : {4, 6, 7, 1}) {
    const std::string text =
        absl::StrReplaceAll(receipt, {{"\nindex 5\n", absl::StrCat("\nindex ", other, "\n")}});
    EXPECT_EQ(RejectionFor(text), Rejection::kProofMismatch) << other;
  }
  for (uint64_t other : {kEntries, kEntries + 1, uint64_t{1} << 40}) {
    const std::string text =
        absl::StrReplaceAll(receipt, {{"\nindex 5\n", absl::StrCat("\nindex ", other, "\n")}});
    EXPECT_EQ(RejectionFor(text), Rejection::kIndexOutOfRange) << other;
  }
}

TEST_F(ReceiptTest, ReorderedEntries) {
  // Entry 3's receipt carrying entry 4, and the other way round.
  YJ_ASSERT_OK_AND_ASSIGN(std::string third_receipt, Receipt(3, checkpoint_));
  YJ_ASSERT_OK_AND_ASSIGN(std::string fourth_receipt, Receipt(4, checkpoint_));
  YJ_ASSERT_OK_AND_ASSIGN(TlogProof third, ParseTlogProof(third_receipt));
  YJ_ASSERT_OK_AND_ASSIGN(TlogProof fourth, ParseTlogProof(fourth_receipt));
  std::swap(third.extra, fourth.extra);
  for (const TlogProof& swapped : {third, fourth}) {
    YJ_ASSERT_OK_AND_ASSIGN(std::string text, FormatTlogProof(swapped));
    EXPECT_EQ(RejectionFor(text), Rejection::kProofMismatch);
  }
  // A log that stored the two entries the other way round signs another root: receipts from
  // it do not verify against this log's checkpoint, and the two tree heads are inconsistent.
  std::vector<Hash> reordered = leaves_;
  std::swap(reordered[3], reordered[4]);
  YJ_ASSERT_OK_AND_ASSIGN(std::string reordered_checkpoint,
                          SignedCheckpoint(kEntries, reordered, signer_.get()));
  YJ_ASSERT_OK_AND_ASSIGN(std::string receipt, Receipt(3, reordered_checkpoint));
  EXPECT_EQ(RejectionFor(receipt), Rejection::kProofMismatch);
  YJ_ASSERT_OK_AND_ASSIGN(Hash root, tree_.Root());
  YJ_ASSERT_OK_AND_ASSIGN(Hash reordered_root, RootOf(reordered));
  EXPECT_EQ(RejectionOf(VerifyConsistency(kEntries, kEntries, root, reordered_root, {})),
            Rejection::kProofMismatch);
}

TEST_F(ReceiptTest, TruncatedLog) {
  // The log, truncated to 9 entries, signs a checkpoint of 9. Receipts for later entries are out
  // of range; earlier ones carry proofs for the longer tree that do not lead to the new root.
  YJ_ASSERT_OK_AND_ASSIGN(std::string truncated, SignedCheckpoint(9, leaves_, signer_.get()));
  for (uint64_t index : {9, 12}) {
    YJ_ASSERT_OK_AND_ASSIGN(std::string receipt, Receipt(index, truncated));
    EXPECT_EQ(RejectionFor(receipt), Rejection::kIndexOutOfRange) << index;
  }
  for (uint64_t index : {0, 8}) {
    YJ_ASSERT_OK_AND_ASSIGN(std::string receipt, Receipt(index, truncated));
    EXPECT_EQ(RejectionFor(receipt), Rejection::kProofMismatch) << index;
  }
  // A monitor holding the 13-entry checkpoint sees the size go down.
  const NoteVerifier* trusted[] = {verifier_.get()};
  YJ_ASSERT_OK_AND_ASSIGN(Checkpoint before, OpenCheckpoint(checkpoint_, trusted, kOrigin));
  YJ_ASSERT_OK_AND_ASSIGN(Checkpoint after, OpenCheckpoint(truncated, trusted, kOrigin));
  EXPECT_EQ(RejectionOf(VerifyConsistency(before.size, after.size, before.root, after.root, {})),
            Rejection::kProofMismatch);
}

TEST_F(ReceiptTest, ForkedLog) {
  // Same size, another root: entry 7 rewritten.
  std::vector<Hash> forked = leaves_;
  YJ_ASSERT_OK_AND_ASSIGN(forked[7], LeafHash(hsm::ToBytes("rewritten")));
  YJ_ASSERT_OK_AND_ASSIGN(std::string fork, SignedCheckpoint(kEntries, forked, signer_.get()));
  for (uint64_t index : {0, 7, 12}) {
    YJ_ASSERT_OK_AND_ASSIGN(std::string receipt, Receipt(index, fork));
    EXPECT_EQ(RejectionFor(receipt), Rejection::kProofMismatch) << index;
  }
  const NoteVerifier* trusted[] = {verifier_.get()};
  YJ_ASSERT_OK_AND_ASSIGN(Checkpoint ours, OpenCheckpoint(checkpoint_, trusted, kOrigin));
  YJ_ASSERT_OK_AND_ASSIGN(Checkpoint theirs, OpenCheckpoint(fork, trusted, kOrigin));
  EXPECT_EQ(ours.size, theirs.size);
  EXPECT_EQ(RejectionOf(VerifyConsistency(ours.size, theirs.size, ours.root, theirs.root, {})),
            Rejection::kProofMismatch);
}

TEST_F(ReceiptTest, CheckpointWithAnEditedBody) {
  YJ_ASSERT_OK_AND_ASSIGN(std::string receipt, Receipt(2, checkpoint_));
  // A larger size (to make an out-of-range index look valid) or another root.
  const std::string bigger = absl::StrReplaceAll(receipt, {{"\n13\n", "\n14\n"}});
  ASSERT_NE(bigger, receipt);
  EXPECT_EQ(RejectionFor(bigger), Rejection::kBadSignature);
  YJ_ASSERT_OK_AND_ASSIGN(Hash forged_root, LeafHash(hsm::ToBytes("forged")));
  YJ_ASSERT_OK_AND_ASSIGN(Hash root, tree_.Root());
  const std::string other_root =
      absl::StrReplaceAll(receipt, {{EncodeBase64(root), EncodeBase64(forged_root)}});
  ASSERT_NE(other_root, receipt);
  EXPECT_EQ(RejectionFor(other_root), Rejection::kBadSignature);
}

TEST_F(ReceiptTest, CheckpointWithAForeignSignature) {
  YJ_ASSERT_OK_AND_ASSIGN(std::string foreign,
                          SignedCheckpoint(kEntries, leaves_, foreign_signer_.get()));
  YJ_ASSERT_OK_AND_ASSIGN(std::string receipt, Receipt(2, foreign));
  EXPECT_EQ(RejectionFor(receipt), Rejection::kUntrustedKey);
  // The foreign key forging everything, including the log's key ID.
  YJ_ASSERT_OK_AND_ASSIGN(Note note, ParseNote(foreign));
  note.signatures[0].key_id = verifier_->key_id();
  YJ_ASSERT_OK_AND_ASSIGN(std::string forged, FormatNote(note));
  YJ_ASSERT_OK_AND_ASSIGN(receipt, Receipt(2, forged));
  EXPECT_EQ(RejectionFor(receipt), Rejection::kBadSignature);
}

TEST_F(ReceiptTest, WrongLogOrMissingEntry) {
  YJ_ASSERT_OK_AND_ASSIGN(std::string receipt, Receipt(2, checkpoint_));
  EXPECT_EQ(RejectionOf(Verify(receipt, "other.example/audit").status()), Rejection::kWrongOrigin);
  YJ_ASSERT_OK_AND_ASSIGN(TlogProof proof, ParseTlogProof(receipt));
  proof.extra.reset();
  YJ_ASSERT_OK_AND_ASSIGN(std::string no_entry, FormatTlogProof(proof));
  EXPECT_EQ(RejectionFor(no_entry), Rejection::kMalformed);
  EXPECT_EQ(RejectionFor("not a receipt"), Rejection::kMalformed);
}

}  // namespace
}  // namespace yinjian::audit
