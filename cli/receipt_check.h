// Checking an audit receipt offline, as `receipt verify` does: no server, no profile, only the
// receipt (C2SP tlog-proof text, service/audit/proof_text.h) and the log's public key, given as
// the PEM that `audit log-key --out` saves or as the one-line C2SP verifier key it prints.
#ifndef YINJIAN_CLI_RECEIPT_CHECK_H_
#define YINJIAN_CLI_RECEIPT_CHECK_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "service/audit/note_keys.h"
#include "service/audit/proof_text.h"

namespace yinjian::cli {

// The log key the user trusts: exactly one of the two is non-empty.
struct TrustedLogKey {
  std::string public_key_pem;  // SubjectPublicKeyInfo PEM of the log key (ECDSA P-256 or SM2)
  std::string verifier_key;    // "<origin>+<key id hex>+<base64(type || SPKI)>"
};

// The trusted key from the --log-key FILE / --verifier-key KEY flags: exactly one must be given
// (INVALID_ARGUMENT otherwise); the file is read.
absl::StatusOr<TrustedLogKey> TrustedLogKeyFromFlags(const std::string& log_key_file,
                                                     const std::string& verifier_key);

// A verifier for the log's key in `pem`, ECDSA P-256 or (the optional second key) SM2, whose
// signature lines carry the key name `origin`. INVALID_ARGUMENT (naming `what`, e.g.
// "--log-key") if the PEM is neither a P-256 nor an SM2 public key or `origin` is not a valid key
// name.
absl::StatusOr<std::unique_ptr<audit::PublicKeyNoteVerifier>> LogKeyVerifier(
    absl::string_view pem, absl::string_view origin, absl::string_view what);

// The origin line of a signed checkpoint, read without checking its signature.
// Rejected(kMalformed) if the note or its checkpoint body is malformed.
absl::StatusOr<std::string> UncheckedCheckpointOrigin(absl::string_view signed_note);

// Verifies `receipt_text` against `key` for the log `origin`. An empty `origin` means: the
// verifier key's name, or for a PEM key the origin line of the receipt's own checkpoint (the
// signature still has to verify under that name). A receipt that does not verify is NotValid
// "invalid receipt: <reason>: <what failed>", where <reason> is the audit library's rejection
// code (service/audit/rejection.h), e.g. "invalid receipt: proof-mismatch: ...". A key that
// cannot be used is INVALID_ARGUMENT; INTERNAL if the crypto library fails.
absl::StatusOr<audit::VerifiedReceipt> CheckReceipt(absl::string_view receipt_text,
                                                    const TrustedLogKey& key,
                                                    absl::string_view origin);

// For people: index, checkpoint size, origin and root, then the entry indented (or, if it is
// not a JSON object, as it is).
std::string VerifiedReceiptText(const audit::VerifiedReceipt& receipt);

// For scripts, one line: {"index":N,"checkpoint_size":N,"origin":"...","root_hash":"<base64>",
// "entry":<the entry's exact bytes>} - or "entry" as a JSON string if the entry is not a JSON
// object.
std::string VerifiedReceiptJson(const audit::VerifiedReceipt& receipt);

// The entry as a JSON value: its exact bytes if they are a JSON object, else a JSON string.
std::string EntryAsJsonValue(absl::string_view entry);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_RECEIPT_CHECK_H_
