// Why the audit log's verifiers turned something down. Every verification failure in this
// directory (Merkle proofs, signed notes, checkpoints, receipts) is INVALID_ARGUMENT with a short
// message saying exactly what failed, and carries a Rejection as a payload so callers can branch
// on the reason without matching message text.
#ifndef YINJIAN_SERVICE_AUDIT_REJECTION_H_
#define YINJIAN_SERVICE_AUDIT_REJECTION_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace yinjian::audit {

// Payload URL under which Rejected() stores the reason (as its RejectionName text).
inline constexpr absl::string_view kRejectionPayloadUrl =
    "type.yinjian.dev/yinjian.audit.Rejection";

enum class Rejection {
  kMalformed,        // not well-formed text, base64, decimal or hash; wrong line structure
  kUntrustedKey,     // no signature line from any key the verifier trusts
  kBadSignature,     // a trusted key's signature line does not verify
  kWrongOrigin,      // a checkpoint from another log than the one expected
  kIndexOutOfRange,  // a leaf index not below the tree size
  kProofMismatch,    // an inclusion or consistency proof that does not lead to the root(s)
};

// "malformed", "untrusted-key", "bad-signature", "wrong-origin", "index-out-of-range",
// "proof-mismatch".
absl::string_view RejectionName(Rejection rejection);

// INVALID_ARGUMENT "<name>: <message>" with the reason as payload.
absl::Status Rejected(Rejection rejection, absl::string_view message);

// The reason recorded by Rejected(), or nullopt for any other Status (including OK).
std::optional<Rejection> RejectionOf(const absl::Status& status);

}  // namespace yinjian::audit

#endif  // YINJIAN_SERVICE_AUDIT_REJECTION_H_
