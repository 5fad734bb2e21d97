#include "service/audit/proof_text.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"
#include "service/audit/rejection.h"
#include "service/audit/text_fields.h"

namespace yinjian::audit {
namespace {

constexpr absl::string_view kExtraPrefix = "extra ";
constexpr absl::string_view kIndexPrefix = "index ";

absl::Status MalformedProof(absl::string_view why) {
  return Rejected(Rejection::kMalformed, absl::StrCat("tlog-proof: ", why));
}

}  // namespace

absl::StatusOr<std::string> FormatTlogProof(const TlogProof& proof) {
  if (!ParseNote(proof.checkpoint).ok()) {
    return absl::InvalidArgumentError("the checkpoint is not a well-formed signed note");
  }
  if (proof.inclusion_proof.size() > kMaxInclusionProofHashes) {
    return absl::InvalidArgumentError("inclusion proof is longer than any tree is deep");
  }
  std::string text = absl::StrCat(kTlogProofHeader, "\n");
  if (proof.extra.has_value()) {
    absl::StrAppend(&text, kExtraPrefix, EncodeBase64(*proof.extra), "\n");
  }
  absl::StrAppend(&text, kIndexPrefix, proof.index, "\n");
  for (const Hash& hash : proof.inclusion_proof) absl::StrAppend(&text, EncodeBase64(hash), "\n");
  absl::StrAppend(&text, "\n", proof.checkpoint);
  return text;
}

absl::StatusOr<TlogProof> ParseTlogProof(absl::string_view text) {
  // Proof lines are never empty, so the first empty line ends them.
  const size_t split = text.find("\n\n");
  if (split == absl::string_view::npos) {
    return MalformedProof("no empty line before the checkpoint");
  }
  const std::vector<absl::string_view> lines = absl::StrSplit(text.substr(0, split), '\n');
  TlogProof proof;
  proof.checkpoint = std::string(text.substr(split + 2));
  size_t next = 0;
  if (lines[next++] != kTlogProofHeader) {
    return MalformedProof(absl::StrCat("first line is not \"", kTlogProofHeader, "\""));
  }
  if (next < lines.size() && absl::StartsWith(lines[next], kExtraPrefix)) {
    proof.extra = DecodeBase64(lines[next++].substr(kExtraPrefix.size()));
    if (!proof.extra.has_value()) return MalformedProof("extra data is not canonical base64");
  }
  absl::string_view index_line = next < lines.size() ? lines[next++] : "";
  std::optional<uint64_t> index;
  if (absl::ConsumePrefix(&index_line, kIndexPrefix)) index = ParseDecimal(index_line);
  if (!index.has_value()) {
    return MalformedProof("no \"index\" line with a decimal number without leading zeroes");
  }
  proof.index = *index;
  if (lines.size() - next > kMaxInclusionProofHashes) {
    return MalformedProof("inclusion proof is longer than any tree is deep");
  }
  for (; next < lines.size(); ++next) {
    std::optional<Hash> hash = DecodeHashBase64(lines[next]);
    if (!hash.has_value()) {
      return MalformedProof("an inclusion proof line is not canonical base64 of 32 bytes");
    }
    proof.inclusion_proof.push_back(*hash);
  }
  RETURN_IF_ERROR(ParseNote(proof.checkpoint).status());
  return proof;
}

absl::StatusOr<VerifiedReceipt> VerifyReceipt(absl::string_view text,
                                              absl::Span<const NoteVerifier* const> verifiers,
                                              absl::string_view expected_origin) {
  ASSIGN_OR_RETURN(TlogProof proof, ParseTlogProof(text));
  ASSIGN_OR_RETURN(Checkpoint checkpoint,
                   OpenCheckpoint(proof.checkpoint, verifiers, expected_origin));
  if (!proof.extra.has_value()) return MalformedProof("no entry (extra line) to verify");
  ASSIGN_OR_RETURN(Hash leaf_hash, LeafHash(*proof.extra));
  RETURN_IF_ERROR(VerifyInclusion(leaf_hash, proof.index, checkpoint.size, proof.inclusion_proof,
                                  checkpoint.root));
  return VerifiedReceipt{
      .index = proof.index, .entry = std::move(*proof.extra), .checkpoint = std::move(checkpoint)};
}

}  // namespace yinjian::audit
