#include "service/audit/signed_note.h"

#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"
#include "service/audit/rejection.h"
#include "service/audit/text_fields.h"

namespace yinjian::audit {
namespace {

constexpr size_t kKeyIdSize = 4;

std::string KeyLabel(absl::string_view name, uint32_t key_id) {
  return absl::StrFormat("%s (key ID %08x)", name, key_id);
}

absl::Status MalformedNote(absl::string_view why) {
  return Rejected(Rejection::kMalformed, absl::StrCat("signed note: ", why));
}

// Checks what FormatNote and SignNote require of a text.
absl::Status ValidateText(absl::string_view text) {
  if (text.empty() || !absl::EndsWith(text, "\n")) {
    return absl::InvalidArgumentError("note text must be non-empty and end in a newline");
  }
  if (!IsValidNoteText(text)) {
    return absl::InvalidArgumentError(
        "note text must be UTF-8 without control characters other than newline");
  }
  return absl::OkStatus();
}

std::string SignatureLine(const NoteSignature& signature) {
  hsm::Bytes blob = {
      static_cast<uint8_t>(signature.key_id >> 24), static_cast<uint8_t>(signature.key_id >> 16),
      static_cast<uint8_t>(signature.key_id >> 8), static_cast<uint8_t>(signature.key_id)};
  blob.insert(blob.end(), signature.signature.begin(), signature.signature.end());
  return absl::StrCat(kNoteSignaturePrefix, signature.key_name, " ", EncodeBase64(blob), "\n");
}

// Parses one signature line, without its newline.
absl::StatusOr<NoteSignature> ParseSignatureLine(absl::string_view line) {
  if (!absl::ConsumePrefix(&line, kNoteSignaturePrefix)) {
    return MalformedNote("a line after the text does not start with an em dash and a space");
  }
  const size_t space = line.find(' ');
  if (space == absl::string_view::npos) return MalformedNote("signature line has no signature");
  NoteSignature signature;
  signature.key_name = std::string(line.substr(0, space));
  if (!IsValidKeyName(signature.key_name)) {
    return MalformedNote("signature line has an invalid key name");
  }
  std::optional<hsm::Bytes> blob = DecodeBase64(line.substr(space + 1));
  if (!blob.has_value() || blob->size() <= kKeyIdSize) {
    return MalformedNote("signature is not canonical base64 of a key ID and signature");
  }
  signature.key_id = (uint32_t{(*blob)[0]} << 24) | (uint32_t{(*blob)[1]} << 16) |
                     (uint32_t{(*blob)[2]} << 8) | uint32_t{(*blob)[3]};
  signature.signature.assign(blob->begin() + kKeyIdSize, blob->end());
  return signature;
}

}  // namespace

absl::StatusOr<std::string> FormatNote(const Note& note) {
  RETURN_IF_ERROR(ValidateText(note.text));
  if (note.signatures.empty() || note.signatures.size() > kMaxNoteSignatures) {
    return absl::InvalidArgumentError(absl::StrCat("a signed note needs 1 to ", kMaxNoteSignatures,
                                                   " signatures, not ", note.signatures.size()));
  }
  std::string out = absl::StrCat(note.text, "\n");
  for (const NoteSignature& signature : note.signatures) {
    if (!IsValidKeyName(signature.key_name)) {
      return absl::InvalidArgumentError("invalid note key name");
    }
    if (signature.signature.empty()) return absl::InvalidArgumentError("empty note signature");
    absl::StrAppend(&out, SignatureLine(signature));
  }
  return out;
}

absl::StatusOr<Note> ParseNote(absl::string_view note) {
  if (!IsValidNoteText(note)) {
    return MalformedNote("not UTF-8, or holds control characters other than newline");
  }
  if (!absl::EndsWith(note, "\n")) return MalformedNote("does not end in a newline");
  const size_t split = note.rfind("\n\n");
  if (split == absl::string_view::npos) return MalformedNote("no empty line before signatures");
  Note parsed;
  parsed.text = std::string(note.substr(0, split + 1));
  absl::string_view rest = note.substr(split + 2);
  if (rest.empty()) return MalformedNote("no signature lines");
  std::set<std::pair<std::string, uint32_t>> seen;
  while (!rest.empty()) {
    const size_t newline = rest.find('\n');  // present: the note ends in a newline
    ASSIGN_OR_RETURN(NoteSignature signature, ParseSignatureLine(rest.substr(0, newline)));
    rest.remove_prefix(newline + 1);
    if (!seen.emplace(signature.key_name, signature.key_id).second) {
      return MalformedNote(
          absl::StrCat("two signatures by ", KeyLabel(signature.key_name, signature.key_id)));
    }
    if (parsed.signatures.size() == kMaxNoteSignatures) {
      return MalformedNote(absl::StrCat("more than ", kMaxNoteSignatures, " signatures"));
    }
    parsed.signatures.push_back(std::move(signature));
  }
  return parsed;
}

absl::StatusOr<std::string> SignNote(absl::string_view text,
                                     absl::Span<const NoteSigner* const> signers) {
  RETURN_IF_ERROR(ValidateText(text));
  Note note{.text = std::string(text)};
  for (const NoteSigner* signer : signers) {
    ASSIGN_OR_RETURN(hsm::Bytes signature, signer->Sign(text));
    note.signatures.push_back({.key_name = std::string(signer->key_name()),
                               .key_id = signer->key_id(),
                               .signature = std::move(signature)});
  }
  return FormatNote(note);
}

absl::StatusOr<VerifiedNote> OpenNote(absl::string_view note,
                                      absl::Span<const NoteVerifier* const> verifiers) {
  ASSIGN_OR_RETURN(Note parsed, ParseNote(note));
  VerifiedNote result;
  for (NoteSignature& signature : parsed.signatures) {
    const NoteVerifier* verifier = nullptr;
    for (const NoteVerifier* candidate : verifiers) {
      if (candidate->key_name() == signature.key_name && candidate->key_id() == signature.key_id) {
        verifier = candidate;
        break;
      }
    }
    if (verifier == nullptr) continue;  // an unknown key: ignored, as the spec requires
    ASSIGN_OR_RETURN(bool valid, verifier->Verify(parsed.text, signature.signature));
    if (!valid) {
      return Rejected(
          Rejection::kBadSignature,
          absl::StrCat("the signature by ", KeyLabel(signature.key_name, signature.key_id),
                       " does not verify"));
    }
    result.verified.push_back(std::move(signature));
  }
  if (result.verified.empty()) {
    std::string signers;
    for (const NoteSignature& signature : parsed.signatures) {
      absl::StrAppend(&signers, signers.empty() ? "" : ", ",
                      KeyLabel(signature.key_name, signature.key_id));
    }
    return Rejected(Rejection::kUntrustedKey,
                    absl::StrCat("no signature by a trusted key; signed by ", signers));
  }
  result.text = std::move(parsed.text);
  return result;
}

}  // namespace yinjian::audit
