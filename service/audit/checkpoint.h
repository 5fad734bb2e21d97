// Transparency-log checkpoints (https://c2sp.org/tlog-checkpoint): the signed-note text that
// commits the audit log to a size and a root hash.
//
// Body, byte for byte (every line ends in 0x0A, none is empty):
//
//   <origin>\n                  the log's identity; Yinjian uses its note key name here
//   <tree size>\n               ASCII decimal, no leading zeroes ("0" for the empty tree)
//   <root hash>\n               base64 (RFC 4648 section 4, padded) of the 32-byte RFC 6962 MTH
//   [<extension line>\n]...     optional, opaque, non-empty (NOT RECOMMENDED by the spec; unused)
//
// Example: the RFC 6962 reference tree of 5 leaves in a log called "yinjian.example/audit"
// (root 4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4):
//
//   79 69 6e 6a 69 61 6e 2e 65 78 61 6d 70 6c 65 2f 61 75 64 69 74 0a   "yinjian.example/audit\n"
//   35 0a                                                              "5\n"
//   "Tju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ=\n"                   44 base64 chars + 0a
//
// The signed checkpoint is this body as the text of a signed note (signed_note.h) with the log
// key's signature line(s) (note_keys.h) appended.
#ifndef YINJIAN_SERVICE_AUDIT_CHECKPOINT_H_
#define YINJIAN_SERVICE_AUDIT_CHECKPOINT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "service/audit/merkle.h"
#include "service/audit/signed_note.h"

namespace yinjian::audit {

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Hash root{};
  std::vector<std::string> extensions;  // without their newlines
  bool operator==(const Checkpoint&) const = default;
};

// The checkpoint body. INVALID_ARGUMENT unless the origin is a valid note key name (non-empty, no
// spaces, '+' or control characters: the spec's SHOULD, made a MUST for what Yinjian signs) and
// every extension line is non-empty valid note text without a newline.
absl::StatusOr<std::string> FormatCheckpoint(const Checkpoint& checkpoint);

// Parses a checkpoint body (a signed note's text). Rejected(kMalformed) unless it is valid note
// text of at least three lines, all non-empty and newline-terminated, with a decimal size as
// above and a root that is canonical base64 of exactly 32 bytes. Any non-empty origin is accepted,
// as the spec tells clients not to assume its form.
absl::StatusOr<Checkpoint> ParseCheckpoint(absl::string_view body);

// Opens a signed checkpoint: OpenNote with `verifiers` (borrowed), then ParseCheckpoint, then
// checks the origin. Rejections as OpenNote and ParseCheckpoint, and kWrongOrigin if the origin
// is not `expected_origin`.
absl::StatusOr<Checkpoint> OpenCheckpoint(absl::string_view signed_note,
                                          absl::Span<const NoteVerifier* const> verifiers,
                                          absl::string_view expected_origin);

}  // namespace yinjian::audit

#endif  // YINJIAN_SERVICE_AUDIT_CHECKPOINT_H_
