#include "policy/key_use.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "policy/decision_helpers.h"

namespace yinjian::policy::internal {
namespace {

// How far a grant gets through rule 5's grant checks, in the order they are made; a grant that
// fails further along explains a denial better.
enum class GrantProgress {
  kPending,
  kRevoked,
  kExpired,
  kExhausted,
  kWrongOperation,
  kWrongPurpose,
  kUsable,
};

bool Contains(const std::vector<std::string>& values, absl::string_view value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// A grant on `key` for the caller itself (in its department) or for the caller's department.
bool GrantNamesCaller(const Grant& grant, const KeyPolicy& key, const Principal& caller) {
  if (grant.key_department != key.department || grant.key_name != key.name) return false;
  if (!SameDepartment(grant.grantee_department, caller.department)) return false;
  return grant.grantee_principal.empty() || grant.grantee_principal == caller.name;
}

GrantProgress ProgressOf(const Grant& grant, KeyOperation operation, absl::string_view purpose,
                         absl::Time now) {
  if (grant.state == GrantState::kRevoked) return GrantProgress::kRevoked;
  if (grant.state != GrantState::kActive) return GrantProgress::kPending;
  if (now >= grant.expires) return GrantProgress::kExpired;
  if (grant.max_uses != 0 && !(grant.uses < grant.max_uses)) return GrantProgress::kExhausted;
  if (grant.operations.count(operation) == 0) return GrantProgress::kWrongOperation;
  if (!Contains(grant.purposes, purpose)) return GrantProgress::kWrongPurpose;
  return GrantProgress::kUsable;
}

std::string FormatInstant(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", time, absl::UTCTimeZone());
}

Decision GrantDenial(const Grant& grant, GrantProgress progress, KeyOperation operation) {
  switch (progress) {
    case GrantProgress::kPending:
      return Deny(Reason::kGrantPending,
                  absl::StrFormat("grant %d is still pending approval", grant.id));
    case GrantProgress::kRevoked:
      return Deny(Reason::kGrantRevoked, absl::StrFormat("grant %d was revoked", grant.id));
    case GrantProgress::kExpired:
      return Deny(Reason::kGrantExpired, absl::StrFormat("grant %d expired at %s", grant.id,
                                                         FormatInstant(grant.expires)));
    case GrantProgress::kExhausted:
      return Deny(Reason::kGrantExhausted, absl::StrFormat("grant %d has used all %d of its uses",
                                                           grant.id, grant.max_uses));
    case GrantProgress::kWrongOperation:
      return Deny(Reason::kGrantWrongOperation,
                  absl::StrFormat("grant %d does not cover operation %s", grant.id,
                                  KeyOperationName(operation)));
    case GrantProgress::kWrongPurpose:
    case GrantProgress::kUsable:  // not a denial; kept total for the compiler
      break;
  }
  return Deny(Reason::kGrantWrongPurpose,
              absl::StrFormat("grant %d does not cover the declared purpose", grant.id));
}

// The last step of rule 5: the first usable grant allows; otherwise the grant that got furthest
// (the first of equals) explains the denial.
Decision DecideByGrants(const Request& request, KeyOperation operation) {
  const KeyPolicy& key = *request.key;
  const Principal& caller = request.caller;
  const Grant* furthest = nullptr;
  GrantProgress furthest_progress = GrantProgress::kPending;
  for (const Grant& grant : request.grants) {
    if (!GrantNamesCaller(grant, key, caller)) continue;
    const GrantProgress progress = ProgressOf(grant, operation, request.purpose, request.now);
    if (progress == GrantProgress::kUsable) {
      return Allow(Reason::kGrant,
                   absl::StrFormat("grant %d lets principal %s (department %s) %s with %s",
                                   grant.id, caller.name, caller.department,
                                   KeyOperationName(operation), KeyFullName(key)),
                   grant.id);
    }
    if (furthest == nullptr || progress > furthest_progress) {
      furthest = &grant;
      furthest_progress = progress;
    }
  }
  if (furthest == nullptr) {
    return Deny(Reason::kNoGrant,
                absl::StrFormat("principal %s (department %s) has no grant for %s", caller.name,
                                caller.department, KeyFullName(key)));
  }
  return GrantDenial(*furthest, furthest_progress, operation);
}

}  // namespace

Decision DecideKeyUse(const Request& request, KeyOperation operation) {
  const KeyPolicy& key = *request.key;
  const std::string key_name = KeyFullName(key);
  if (!key.allowed_operations.empty() && key.allowed_operations.count(operation) == 0) {
    return Deny(Reason::kOperationNotAllowed,
                absl::StrFormat("operation %s is not allowed on %s", KeyOperationName(operation),
                                key_name));
  }
  if (key.level == DataLevel::kCore && request.purpose.empty()) {
    return Deny(Reason::kPurposeRequired,
                absl::StrFormat("core key %s needs a declared purpose", key_name));
  }
  if (!key.allowed_purposes.empty() && !Contains(key.allowed_purposes, request.purpose)) {
    return Deny(Reason::kPurposeNotAllowed,
                absl::StrFormat("the declared purpose is not allowed for %s", key_name));
  }
  if (SameDepartment(request.caller.department, key.department)) {
    return Allow(Reason::kOwner,
                 absl::StrFormat("department %s owns %s", key.department, key_name));
  }
  if (key.sharing != SharingClass::kConditional && key.sharing != SharingClass::kUnconditional) {
    return Deny(Reason::kNotShared,
                absl::StrFormat("%s is not shared with other departments", key_name));
  }
  if (key.sharing == SharingClass::kUnconditional &&
      (key.shared_operations.empty() || key.shared_operations.count(operation) > 0)) {
    return Allow(Reason::kShared, absl::StrFormat("%s shares operation %s with every department",
                                                  key_name, KeyOperationName(operation)));
  }
  return DecideByGrants(request, operation);
}

}  // namespace yinjian::policy::internal
