#include "cli/receipt_check.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "cli/entry_json.h"
#include "cli/file_io.h"
#include "cli/output.h"
#include "cli/status_exit.h"
#include "common/status_macros.h"
#include "hsm/public_key.h"
#include "service/audit/checkpoint.h"
#include "service/audit/rejection.h"
#include "service/audit/signed_note.h"
#include "service/audit/text_fields.h"

namespace yinjian::cli {
namespace {

// A rejection from the audit library becomes the user's verdict; anything else stays as it is.
absl::Status AsVerdict(const absl::Status& status) {
  if (!audit::RejectionOf(status).has_value()) return status;
  return NotValid(absl::StrCat("invalid receipt: ", status.message()));
}

absl::string_view EntryText(const hsm::Bytes& entry) {
  return absl::string_view(reinterpret_cast<const char*>(entry.data()), entry.size());
}

}  // namespace

absl::StatusOr<TrustedLogKey> TrustedLogKeyFromFlags(const std::string& log_key_file,
                                                     const std::string& verifier_key) {
  if (log_key_file.empty() == verifier_key.empty()) {
    return absl::InvalidArgumentError("give exactly one of --log-key PEM and --verifier-key KEY");
  }
  TrustedLogKey key{.verifier_key = verifier_key};
  if (!log_key_file.empty()) {
    ASSIGN_OR_RETURN(key.public_key_pem, ReadFile(log_key_file, "--log-key"));
  }
  return key;
}

absl::StatusOr<std::unique_ptr<audit::PublicKeyNoteVerifier>> LogKeyVerifier(
    absl::string_view pem, absl::string_view origin, absl::string_view what) {
  absl::StatusOr<hsm::Bytes> spki = hsm::PemToSpkiDer(std::string(pem));
  if (!spki.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": not a PEM public key: ", spki.status().message()));
  }
  absl::StatusOr<std::unique_ptr<audit::PublicKeyNoteVerifier>> verifier =
      audit::PublicKeyNoteVerifier::Create(audit::NoteKeyType::kEcdsaP256, origin, *spki);
  if (!verifier.ok()) {
    // The log's second key, if it signs with SM2 too.
    absl::StatusOr<std::unique_ptr<audit::PublicKeyNoteVerifier>> sm2 =
        audit::PublicKeyNoteVerifier::Create(audit::NoteKeyType::kSm2, origin, *spki);
    if (sm2.ok()) return sm2;
    return absl::InvalidArgumentError(absl::StrCat(what, ": not usable as the log key for \"",
                                                   origin, "\": ", verifier.status().message()));
  }
  return verifier;
}

absl::StatusOr<std::string> UncheckedCheckpointOrigin(absl::string_view signed_note) {
  ASSIGN_OR_RETURN(const audit::Note note, audit::ParseNote(signed_note));
  ASSIGN_OR_RETURN(const audit::Checkpoint checkpoint, audit::ParseCheckpoint(note.text));
  return checkpoint.origin;
}

absl::StatusOr<audit::VerifiedReceipt> CheckReceipt(absl::string_view receipt_text,
                                                    const TrustedLogKey& key,
                                                    absl::string_view origin) {
  if (key.public_key_pem.empty() == key.verifier_key.empty()) {
    return absl::InvalidArgumentError("give exactly one of --log-key PEM and --verifier-key KEY");
  }
  std::string expected_origin(origin);
  std::unique_ptr<audit::PublicKeyNoteVerifier> verifier;
  if (!key.verifier_key.empty()) {
    absl::StatusOr<std::unique_ptr<audit::PublicKeyNoteVerifier>> from_key =
        audit::PublicKeyNoteVerifier::FromVerifierKey(key.verifier_key);
    if (!from_key.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--verifier-key: ", from_key.status().message()));
    }
    verifier = *std::move(from_key);
    if (expected_origin.empty()) expected_origin = std::string(verifier->key_name());
  } else {
    if (expected_origin.empty()) {
      absl::StatusOr<audit::TlogProof> proof = audit::ParseTlogProof(receipt_text);
      if (!proof.ok()) return AsVerdict(proof.status());
      absl::StatusOr<std::string> receipt_origin = UncheckedCheckpointOrigin(proof->checkpoint);
      if (!receipt_origin.ok()) return AsVerdict(receipt_origin.status());
      expected_origin = *std::move(receipt_origin);
    }
    ASSIGN_OR_RETURN(verifier, LogKeyVerifier(key.public_key_pem, expected_origin, "--log-key"));
  }
  const std::vector<const audit::NoteVerifier*> verifiers = {verifier.get()};
  absl::StatusOr<audit::VerifiedReceipt> verified =
      audit::VerifyReceipt(receipt_text, verifiers, expected_origin);
  if (!verified.ok()) return AsVerdict(verified.status());
  return verified;
}

std::string VerifiedReceiptText(const audit::VerifiedReceipt& receipt) {
  const Table facts{.rows = {{"index", absl::StrCat(receipt.index)},
                             {"checkpoint size", absl::StrCat(receipt.checkpoint.size)},
                             {"origin", receipt.checkpoint.origin},
                             {"root hash", audit::EncodeBase64(receipt.checkpoint.root)}}};
  const absl::string_view entry = EntryText(receipt.entry);
  absl::StatusOr<std::vector<JsonMember>> members = ParseJsonObject(entry);
  return absl::StrCat("valid receipt\n", RenderTable(facts), "\n",
                      members.ok() ? IndentedJson(*members) : absl::StrCat(entry, "\n"));
}

std::string VerifiedReceiptJson(const audit::VerifiedReceipt& receipt) {
  return absl::StrCat("{\"index\":", receipt.index,
                      ",\"checkpoint_size\":", receipt.checkpoint.size,
                      ",\"origin\":", JsonQuote(receipt.checkpoint.origin), ",\"root_hash\":\"",
                      audit::EncodeBase64(receipt.checkpoint.root),
                      "\",\"entry\":", EntryAsJsonValue(EntryText(receipt.entry)), "}\n");
}

std::string EntryAsJsonValue(absl::string_view entry) {
  return ParseJsonObject(entry).ok() ? std::string(entry) : JsonQuote(entry);
}

}  // namespace yinjian::cli
