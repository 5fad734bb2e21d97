#include "service/audit/checkpoint.h"

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

absl::Status MalformedCheckpoint(absl::string_view why) {
  return Rejected(Rejection::kMalformed, absl::StrCat("checkpoint: ", why));
}

}  // namespace

absl::StatusOr<std::string> FormatCheckpoint(const Checkpoint& checkpoint) {
  if (!IsValidKeyName(checkpoint.origin)) {
    return absl::InvalidArgumentError(
        "checkpoint origin must be non-empty, without spaces, '+' or control characters");
  }
  std::string body = absl::StrCat(checkpoint.origin, "\n", checkpoint.size, "\n",
                                  EncodeBase64(checkpoint.root), "\n");
  for (const std::string& extension : checkpoint.extensions) {
    if (extension.empty() || absl::StrContains(extension, '\n') || !IsValidNoteText(extension)) {
      return absl::InvalidArgumentError(
          "checkpoint extension lines must be non-empty text without control characters");
    }
    absl::StrAppend(&body, extension, "\n");
  }
  return body;
}

absl::StatusOr<Checkpoint> ParseCheckpoint(absl::string_view body) {
  if (!IsValidNoteText(body)) {
    return MalformedCheckpoint("not UTF-8, or holds control characters other than newline");
  }
  if (!absl::ConsumeSuffix(&body, "\n")) return MalformedCheckpoint("does not end in a newline");
  const std::vector<absl::string_view> lines = absl::StrSplit(body, '\n');
  if (lines.size() < 3) return MalformedCheckpoint("fewer than three lines");
  for (absl::string_view line : lines) {
    if (line.empty()) return MalformedCheckpoint("empty line");
  }
  Checkpoint checkpoint;
  checkpoint.origin = std::string(lines[0]);
  std::optional<uint64_t> size = ParseDecimal(lines[1]);
  if (!size.has_value()) {
    return MalformedCheckpoint("tree size is not a decimal number without leading zeroes");
  }
  checkpoint.size = *size;
  std::optional<Hash> root = DecodeHashBase64(lines[2]);
  if (!root.has_value()) {
    return MalformedCheckpoint("root hash is not canonical base64 of 32 bytes");
  }
  checkpoint.root = *root;
  for (size_t i = 3; i < lines.size(); ++i) checkpoint.extensions.emplace_back(lines[i]);
  return checkpoint;
}

absl::StatusOr<Checkpoint> OpenCheckpoint(absl::string_view signed_note,
                                          absl::Span<const NoteVerifier* const> verifiers,
                                          absl::string_view expected_origin) {
  ASSIGN_OR_RETURN(VerifiedNote note, OpenNote(signed_note, verifiers));
  ASSIGN_OR_RETURN(Checkpoint checkpoint, ParseCheckpoint(note.text));
  if (checkpoint.origin != expected_origin) {
    return Rejected(Rejection::kWrongOrigin,
                    absl::StrCat("checkpoint is from log \"", checkpoint.origin, "\", not \"",
                                 expected_origin, "\""));
  }
  return checkpoint;
}

}  // namespace yinjian::audit
