// Rules 1-4 and 6 of decision.h; rule 5 (key use) is in key_use.cc, the role table in
// permits.cc. A missing target (rule 6) is checked right after the role (rule 2), because the
// department and key-use rules cannot be evaluated without it.
#include "policy/decision.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "policy/decision_helpers.h"
#include "policy/key_use.h"
#include "policy/permits.h"

namespace yinjian::policy {
namespace {

using internal::Allow;
using internal::Deny;
using internal::KeyFullName;
using internal::Permit;
using internal::SameDepartment;
using internal::Scope;

bool IsApproval(Action action) {
  return action == Action::kApproveGrant || action == Action::kApproveDestruction;
}

// Rule 4 also binds the witness of a destruction, when the request names who took part.
bool IsCountersignature(const Request& request) {
  return IsApproval(request.action) ||
         (request.action == Action::kWitnessDestruction && !request.requested_by.empty());
}

// The permits for the action among the caller's roles, in the order permits.cc lists them.
std::vector<Permit> HeldPermits(Action action, const std::set<Role>& roles) {
  std::vector<Permit> held;
  for (const Permit& permit : internal::PermitsFor(action)) {
    if (roles.count(permit.role) > 0) held.push_back(permit);
  }
  return held;
}

// kRevokeGrant by the grant's requester while the grant is still a request.
bool IsOwnPendingRequest(const Request& request) {
  return request.action == Action::kRevokeGrant && !request.grants.empty() &&
         !request.caller.name.empty() && request.grants[0].requested_by == request.caller.name &&
         request.grants[0].state == GrantState::kPending;
}

// What an action acts on; rule 6 denies a request that lacks it.
enum class Target { kNothing, kKey, kKeyOrDepartment, kKeyAndRequester, kKeyAndGrant };

Target TargetOf(Action action) {
  if (KeyOperationOf(action).has_value()) return Target::kKey;
  switch (action) {
    case Action::kCreateKey:
    case Action::kReadKey:
    case Action::kManageKey:
      return Target::kKeyOrDepartment;
    case Action::kRequestDestruction:
    case Action::kWitnessDestruction:
      return Target::kKey;
    case Action::kApproveGrant:
    case Action::kApproveDestruction:
      return Target::kKeyAndRequester;
    case Action::kRequestGrant:
    case Action::kRevokeGrant:
      return Target::kKeyAndGrant;
    default:
      return Target::kNothing;
  }
}

// Rule 6: what the request lacks for its action, if anything.
std::optional<std::string> MissingTarget(const Request& request) {
  const Target target = TargetOf(request.action);
  const absl::string_view action = ActionName(request.action);
  if (target == Target::kNothing) return std::nullopt;
  if (target == Target::kKeyOrDepartment) {
    if (request.key != nullptr || !request.target_department.empty()) return std::nullopt;
    return absl::StrFormat("%s needs a key or a department", action);
  }
  if (request.key == nullptr) return absl::StrFormat("%s needs a key", action);
  if (target == Target::kKeyAndRequester && request.requested_by.empty()) {
    return absl::StrFormat("%s needs the principal who made the request", action);
  }
  if (target == Target::kKeyAndGrant) {
    if (request.grants.empty()) return absl::StrFormat("%s needs the grant", action);
    const Grant& grant = request.grants[0];
    if (grant.key_department != request.key->department || grant.key_name != request.key->name) {
      return absl::StrFormat("grant %d is not on key %s", grant.id, KeyFullName(*request.key));
    }
  }
  return std::nullopt;
}

// Rule 3 for one permit. MissingTarget has made sure the scope's targets are present.
bool InScope(Scope scope, const Request& request) {
  const std::string& department = request.caller.department;
  switch (scope) {
    case Scope::kAnyDepartment:
      return true;
    case Scope::kOwnDepartment:
      return (request.key != nullptr || !request.target_department.empty()) &&
             (request.key == nullptr || SameDepartment(request.key->department, department)) &&
             (request.target_department.empty() ||
              SameDepartment(request.target_department, department));
    case Scope::kOwnerOrGranteeDepartment:
      return request.key != nullptr && !request.grants.empty() &&
             (SameDepartment(request.key->department, department) ||
              SameDepartment(request.grants[0].grantee_department, department));
    case Scope::kOnlyForItself:
      return !request.grants.empty() && !request.caller.name.empty() &&
             request.grants[0].grantee_principal == request.caller.name &&
             SameDepartment(request.grants[0].grantee_department, department);
  }
  return false;
}

std::string OtherDepartmentMessage(const Permit& permit, const Request& request) {
  const Principal& caller = request.caller;
  switch (permit.scope) {
    case Scope::kOnlyForItself:
      return absl::StrFormat("role %s may request a grant only for principal %s itself",
                             RoleName(permit.role), caller.name);
    case Scope::kOwnerOrGranteeDepartment:
      return absl::StrFormat(
          "role %s of department %s may not act on grant %d on %s for department %s",
          RoleName(permit.role), caller.department, request.grants[0].id, KeyFullName(*request.key),
          request.grants[0].grantee_department);
    case Scope::kAnyDepartment:
    case Scope::kOwnDepartment:
      break;
  }
  const std::string& other =
      request.key != nullptr && !SameDepartment(request.key->department, caller.department)
          ? request.key->department
          : request.target_department;
  return absl::StrFormat("role %s of department %s may not act on department %s",
                         RoleName(permit.role), caller.department, other);
}

// Rule 4.
std::optional<Decision> CheckApproval(const Request& request) {
  const std::string& name = request.caller.name;
  if (request.requested_by == name) {
    return Deny(Reason::kSelfApproval,
                absl::StrFormat("principal %s may not approve its own request", name));
  }
  if (std::find(request.approved_by.begin(), request.approved_by.end(), name) !=
      request.approved_by.end()) {
    return Deny(Reason::kAlreadyApproved,
                absl::StrFormat("principal %s has already approved this request", name));
  }
  return std::nullopt;
}

}  // namespace

absl::string_view ReasonCode(Reason reason) {
  switch (reason) {
    case Reason::kOwner:
      return "OWNER";
    case Reason::kShared:
      return "SHARED";
    case Reason::kGrant:
      return "GRANT";
    case Reason::kRole:
      return "ROLE";
    case Reason::kPrincipalDisabled:
      return "PRINCIPAL_DISABLED";
    case Reason::kRoleNotPermitted:
      return "ROLE_NOT_PERMITTED";
    case Reason::kOtherDepartment:
      return "OTHER_DEPARTMENT";
    case Reason::kSelfApproval:
      return "SELF_APPROVAL";
    case Reason::kAlreadyApproved:
      return "ALREADY_APPROVED";
    case Reason::kOperationNotAllowed:
      return "OPERATION_NOT_ALLOWED";
    case Reason::kPurposeRequired:
      return "PURPOSE_REQUIRED";
    case Reason::kPurposeNotAllowed:
      return "PURPOSE_NOT_ALLOWED";
    case Reason::kNotShared:
      return "NOT_SHARED";
    case Reason::kNoGrant:
      return "NO_GRANT";
    case Reason::kGrantPending:
      return "GRANT_PENDING";
    case Reason::kGrantRevoked:
      return "GRANT_REVOKED";
    case Reason::kGrantExpired:
      return "GRANT_EXPIRED";
    case Reason::kGrantExhausted:
      return "GRANT_EXHAUSTED";
    case Reason::kGrantWrongOperation:
      return "GRANT_WRONG_OPERATION";
    case Reason::kGrantWrongPurpose:
      return "GRANT_WRONG_PURPOSE";
    case Reason::kMissingTarget:
      return "MISSING_TARGET";
  }
  return "UNKNOWN";
}

Decision Decide(const Request& request) {
  const Principal& caller = request.caller;
  if (!caller.enabled) {
    return Deny(Reason::kPrincipalDisabled,
                absl::StrFormat("principal %s is disabled", caller.name));
  }
  const std::vector<Permit> held = HeldPermits(request.action, caller.roles);
  const bool withdrawing = IsOwnPendingRequest(request);
  if (held.empty() && !withdrawing) {
    return Deny(Reason::kRoleNotPermitted,
                absl::StrFormat("principal %s holds no role that may %s", caller.name,
                                ActionName(request.action)));
  }
  if (std::optional<std::string> missing = MissingTarget(request)) {
    return Deny(Reason::kMissingTarget, *std::move(missing));
  }
  if (withdrawing) {
    return Allow(Reason::kRole,
                 absl::StrFormat("principal %s may withdraw its own request for grant %d",
                                 caller.name, request.grants[0].id));
  }
  const auto in_scope = std::find_if(held.begin(), held.end(), [&](const Permit& permit) {
    return InScope(permit.scope, request);
  });
  if (in_scope == held.end()) {
    return Deny(Reason::kOtherDepartment, OtherDepartmentMessage(held.front(), request));
  }
  if (IsCountersignature(request)) {
    if (std::optional<Decision> denial = CheckApproval(request)) return *std::move(denial);
  }
  if (std::optional<KeyOperation> operation = KeyOperationOf(request.action)) {
    return internal::DecideKeyUse(request, *operation);
  }
  return Allow(Reason::kRole,
               absl::StrFormat("principal %s may %s as %s", caller.name, ActionName(request.action),
                               RoleName(in_scope->role)));
}

}  // namespace yinjian::policy
