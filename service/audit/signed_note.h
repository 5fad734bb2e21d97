// C2SP signed notes (https://c2sp.org/signed-note): a UTF-8 text signed by one or more keys.
//
// Wire format, byte for byte:
//
//   <text>                 one or more lines, each ending in 0x0A; the signed message is exactly
//                          these bytes, final newline included
//   0x0A                   one empty line separating text and signatures (the note is split at
//                          the LAST "\n\n", so the text may itself contain empty lines)
//   E2 80 94 20 <key name> 20 <base64(key ID || signature)> 0A      one line per signature
//
// E2 80 94 is U+2014 EM DASH in UTF-8. The key name is non-empty and has no Unicode space and no
// '+'. The key ID is 4 bytes, big-endian; the signature bytes follow it directly. base64 is RFC
// 4648 section 4 with padding. The whole note is valid UTF-8 without ASCII control characters
// other than 0x0A. The key ID and signature algorithm per key type are in note_keys.h.
//
// Example: a checkpoint body (checkpoint.h) signed once by an ECDSA P-256 key (note_keys.h);
// the signature line is one line in the note, wrapped here:
//
//   yinjian.example/audit\n                                       <- text, line 1
//   5\n                                                           <- text, line 2
//   Tju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ=\n                <- text, line 3
//   \n                                                            <- separator
//   — yinjian.example/audit BPm3dDBFAiEA6KTZquBas+LsxRYj4UdCRN472EB4jiRPXumdXuVab3cCIEHFvWV9
//     HdrLoj/p0FwjJKoK67htNMLgVYRjlJMP1Gwt\n
//
// The base64 decodes to 75 bytes: the key ID 04 f9 b7 74, then the 71-byte DER signature
// 30 45 02 21 00 e8 a4 d9 ... 02 20 41 c5 bd ... 6c 2d over the 69 bytes of text. The note verifies
// with the verifier key in note_keys.h (tested in proof_text_test.cc).
//
// This parser is strict where the spec leaves room (see ParseNote), and OpenNote applies the
// spec's verification rules: signatures from unknown keys are ignored, a failing signature from a
// trusted key rejects the note, and at least one trusted signature must verify.
#ifndef YINJIAN_SERVICE_AUDIT_SIGNED_NOTE_H_
#define YINJIAN_SERVICE_AUDIT_SIGNED_NOTE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "hsm/secure_bytes.h"

namespace yinjian::audit {

// U+2014 EM DASH and a space: how every signature line starts.
inline constexpr absl::string_view kNoteSignaturePrefix = "\xE2\x80\x94 ";

// The most signature lines ParseNote accepts (the spec requires at least 16; Go's note package
// stops at 100).
inline constexpr size_t kMaxNoteSignatures = 100;

struct NoteSignature {
  std::string key_name;
  uint32_t key_id = 0;
  hsm::Bytes signature;  // the bytes after the key ID
  bool operator==(const NoteSignature&) const = default;
};

struct Note {
  std::string text;  // ends in "\n"; what every signature signs
  std::vector<NoteSignature> signatures;
};

// Serialises `note`. INVALID_ARGUMENT if the text is empty, does not end in a newline or is not
// valid note text (UTF-8, no control characters but newline); if there is no signature or more than
// kMaxNoteSignatures; or if a key name is invalid or a signature is empty.
absl::StatusOr<std::string> FormatNote(const Note& note);

// Parses a signed note. Rejected(kMalformed) unless: the note is valid UTF-8 without control
// characters other than newline and ends in a newline; it contains an empty line; the text before
// the last empty line is non-empty; every line after it is a signature line as above with a valid
// key name and canonical base64 of at least 5 bytes; there are 1 to kMaxNoteSignatures of them;
// and no two share both key name and key ID. Signatures are returned in note order.
absl::StatusOr<Note> ParseNote(absl::string_view note);

// Checks signatures of one key. Implementations must be thread-safe for concurrent Verify calls.
class NoteVerifier {
 public:
  virtual ~NoteVerifier() = default;

  virtual absl::string_view key_name() const = 0;
  virtual uint32_t key_id() const = 0;

  // Whether `signature` (the bytes after the key ID) is a valid signature over `text`; a malformed
  // signature is false. INTERNAL only if the crypto library fails.
  virtual absl::StatusOr<bool> Verify(absl::string_view text,
                                      absl::Span<const uint8_t> signature) const = 0;
};

// Produces signatures of one key.
class NoteSigner {
 public:
  virtual ~NoteSigner() = default;

  virtual absl::string_view key_name() const = 0;
  virtual uint32_t key_id() const = 0;

  // Returns the signature bytes (without the key ID) over exactly `text`.
  virtual absl::StatusOr<hsm::Bytes> Sign(absl::string_view text) const = 0;
};

// Signs `text` with each of `signers` (borrowed; one signature line each, in order) and returns
// the signed note. INVALID_ARGUMENT as FormatNote (e.g. no signers, text not ending in newline);
// otherwise the first signer's error.
absl::StatusOr<std::string> SignNote(absl::string_view text,
                                     absl::Span<const NoteSigner* const> signers);

// A note whose signature(s) checked out.
struct VerifiedNote {
  std::string text;
  std::vector<NoteSignature> verified;  // the signatures that trusted verifiers accepted
};

// Parses `note` (as ParseNote) and verifies it against `verifiers` (borrowed; the trusted keys).
// A signature line is checked by the verifier with the same key name and key ID; lines matching
// none are ignored, as the spec requires. Rejections: kMalformed as ParseNote; kBadSignature if a
// trusted key's signature does not verify (e.g. the text was edited); kUntrustedKey if no line
// comes from a trusted key. INTERNAL if verification itself fails.
absl::StatusOr<VerifiedNote> OpenNote(absl::string_view note,
                                      absl::Span<const NoteVerifier* const> verifiers);

}  // namespace yinjian::audit

#endif  // YINJIAN_SERVICE_AUDIT_SIGNED_NOTE_H_
