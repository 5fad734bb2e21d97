// Audit receipts: the C2SP tlog-proof text form (https://c2sp.org/tlog-proof), which carries an
// entry, its index, its inclusion proof and the signed checkpoint that covers it, so that anyone
// holding the log's public key can verify the entry offline, without the service.
//
// Format, byte for byte (lines end in 0x0A):
//
//   c2sp.org/tlog-proof@v1\n       fixed first line
//   extra <base64(entry)>\n        the audit entry's bytes, opaque here; optional in the spec,
//                                  always present in a Yinjian receipt
//   index <leaf index>\n           zero-based ASCII decimal, no leading zeroes
//   <base64(hash)>\n ...           the RFC 6962 inclusion proof, one 32-byte hash per line, the
//                                  leaf's sibling first, the root's child last (zero or more)
//   \n                             an empty line
//   <signed checkpoint>            the checkpoint note exactly as the log signed it
//
// The spec treats `extra` as unauthenticated context. Yinjian makes it authenticated: the entry in
// `extra` is the logged leaf itself, the leaf hash is LeafHash(entry) = SHA-256(0x00 || entry),
// and VerifyReceipt accepts the receipt only if the inclusion proof leads from that leaf hash to
// the root in a checkpoint signed by a trusted key.
//
// Example: entry 0x2021 (leaf 3 of the RFC 6962 reference tree) in the 5-leaf tree; proof
// [LeafHash(0x10), MTH(d0, d1), LeafHash(0x3031)]:
//
//   c2sp.org/tlog-proof@v1
//   extra ICE=
//   index 3
//   ApjRIpBtz8EIkstTpzmS/FufST6kybrbJ7eRtBJ6f+c=
//   +sVCA+fMaWzw38tCySodnbr3CtnmIfS9jZhmLwDjwSU=
//   vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=
//
//   yinjian.example/audit
//   5
//   Tju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ=
//
//   — yinjian.example/audit BPm3dDBFAiEA6KTZquBas+LsxRYj4UdCRN472EB4jiRPXumdXuVab3cCIEHFvWV9
//     HdrLoj/p0FwjJKoK67htNMLgVYRjlJMP1Gwt                   <- one line, wrapped here
//
// It verifies offline with VerifyReceipt, the verifier key from note_keys.h and the origin
// "yinjian.example/audit" (proof_text_test.cc checks exactly this text).
#ifndef YINJIAN_SERVICE_AUDIT_PROOF_TEXT_H_
#define YINJIAN_SERVICE_AUDIT_PROOF_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "hsm/secure_bytes.h"
#include "service/audit/checkpoint.h"
#include "service/audit/merkle.h"
#include "service/audit/signed_note.h"

namespace yinjian::audit {

inline constexpr absl::string_view kTlogProofHeader = "c2sp.org/tlog-proof@v1";

// The longest inclusion proof a tree of up to 2^64 - 1 leaves can have.
inline constexpr size_t kMaxInclusionProofHashes = 64;

struct TlogProof {
  uint64_t index = 0;
  std::optional<hsm::Bytes> extra;  // the entry; nullopt omits the extra line
  std::vector<Hash> inclusion_proof;
  std::string checkpoint;  // the signed checkpoint note, verbatim
  bool operator==(const TlogProof&) const = default;
};

// Serialises `proof`. INVALID_ARGUMENT if the checkpoint is not a well-formed signed note
// (ParseNote) or the proof has more than kMaxInclusionProofHashes hashes.
absl::StatusOr<std::string> FormatTlogProof(const TlogProof& proof);

// Parses the text form. Rejected(kMalformed) unless the first line is kTlogProofHeader, an
// optional "extra " line holds canonical base64, the "index " line a decimal as above, each
// following line until the first empty line canonical base64 of 32 bytes (at most
// kMaxInclusionProofHashes of them), and what follows the empty line a well-formed signed note.
// Checks no signature and no hash.
absl::StatusOr<TlogProof> ParseTlogProof(absl::string_view text);

// What a receipt proves: `entry` is leaf `index` of the log as of `checkpoint`.
struct VerifiedReceipt {
  uint64_t index = 0;
  hsm::Bytes entry;
  Checkpoint checkpoint;
};

// Verifies a receipt offline: parses it, opens its checkpoint with `verifiers` (borrowed; the
// log's trusted keys) for the log `expected_origin`, and checks the inclusion of LeafHash(extra)
// at `index` under the checkpoint's root. Each failure is a Rejected() status saying why:
//   kMalformed        not the text form above, a malformed checkpoint, or no extra line
//   kUntrustedKey     the checkpoint has no signature by a trusted key (e.g. a foreign key)
//   kBadSignature     a trusted key's signature does not verify (e.g. an edited checkpoint)
//   kWrongOrigin      the checkpoint is from another log
//   kIndexOutOfRange  the index is not below the checkpoint's tree size
//   kProofMismatch    the proof does not lead from the entry to the root (an edited entry, index
//                     or proof, or a checkpoint of another tree)
// INTERNAL only if the crypto library fails.
absl::StatusOr<VerifiedReceipt> VerifyReceipt(absl::string_view text,
                                              absl::Span<const NoteVerifier* const> verifiers,
                                              absl::string_view expected_origin);

}  // namespace yinjian::audit

#endif  // YINJIAN_SERVICE_AUDIT_PROOF_TEXT_H_
