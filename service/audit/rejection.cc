#include "service/audit/rejection.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace yinjian::audit {
namespace {

constexpr Rejection kAllRejections[] = {
    Rejection::kMalformed,   Rejection::kUntrustedKey,    Rejection::kBadSignature,
    Rejection::kWrongOrigin, Rejection::kIndexOutOfRange, Rejection::kProofMismatch,
};

}  // namespace

absl::string_view RejectionName(Rejection rejection) {
  switch (rejection) {
    case Rejection::kMalformed:
      return "malformed";
    case Rejection::kUntrustedKey:
      return "untrusted-key";
    case Rejection::kBadSignature:
      return "bad-signature";
    case Rejection::kWrongOrigin:
      return "wrong-origin";
    case Rejection::kIndexOutOfRange:
      return "index-out-of-range";
    case Rejection::kProofMismatch:
      return "proof-mismatch";
  }
  return "unknown";  // unreachable for valid enumerators
}

absl::Status Rejected(Rejection rejection, absl::string_view message) {
  const absl::string_view name = RejectionName(rejection);
  absl::Status status = absl::InvalidArgumentError(absl::StrCat(name, ": ", message));
  status.SetPayload(kRejectionPayloadUrl, absl::Cord(name));
  return status;
}

std::optional<Rejection> RejectionOf(const absl::Status& status) {
  auto payload = status.GetPayload(kRejectionPayloadUrl);  // absl::optional in Debian's Abseil
  if (!payload.has_value()) return std::nullopt;
  const std::string name(*payload);
  for (Rejection rejection : kAllRejections) {
    if (RejectionName(rejection) == name) return rejection;
  }
  return std::nullopt;
}

}  // namespace yinjian::audit
