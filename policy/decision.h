// The decision engine (R5-R8): (principal, roles, key policy, grants, action, purpose, time) ->
// allow or deny with a reason code. Deny by default: an action is allowed only by a rule below.
// Pure and total: every Request gets a Decision, nothing is read from anywhere else.
//
// The rules, in the order they are checked:
//  1. A disabled principal is denied everything (kPrincipalDisabled).
//  2. Role. Each action needs one of these roles (kRoleNotPermitted otherwise):
//       key use (kEncrypt .. kGetPublicKey), kDigest, kGenerateRandom   application
//         (kGetPublicKey also: key-officer of the key's department)
//       kCreateDepartment, kManagePrincipals, kCreateBackup            security-admin
//       kListDepartments                                               any role
//       kReadPrincipals                                                security-admin, auditor
//       kCreateKey, kManageKey                                         key-officer
//       kReadKey                                    key-officer, application, auditor
//       kRequestGrant                                          key-officer, application
//       kApproveGrant, kRequestDestruction, kApproveDestruction           key-officer
//       kRevokeGrant                                       key-officer, security-admin
//         (also: the grant's requester, withdrawing its own request)
//       kReadGrants                       key-officer, security-admin, auditor, application
//       kReadAudit                                                           auditor
//       kWitnessDestruction                                   destruction-supervisor
//  3. Department. key-officer actions on keys (kCreateKey, kReadKey, kManageKey,
//     kApproveGrant, kRequestDestruction, kApproveDestruction, kGetPublicKey by an officer) need
//     the caller's department to own the key / equal target_department (kOtherDepartment);
//     application kReadKey likewise; auditors may read any department's keys. kRevokeGrant by a
//     key officer: the key's department or the grantee department. kRequestGrant: a key officer
//     of the owning department for any grantee; a key officer for a grantee in its own
//     department; an application only for itself (kOtherDepartment otherwise).
//  4. Approvals (kApproveGrant, kApproveDestruction): the requester may not approve
//     (kSelfApproval), nor may anyone approve twice (kAlreadyApproved). The same holds for
//     kWitnessDestruction when the request names requested_by: the witness may be neither the
//     requester (kSelfApproval) nor an approver (kAlreadyApproved).
//  5. Key use only, in this order:
//       the operation is outside the key's allowed operations            kOperationNotAllowed
//       a core key and an empty purpose                                   kPurposeRequired
//       the purpose is outside the key's allowed purposes                 kPurposeNotAllowed
//       the caller's department owns the key                              allow kOwner
//       sharing class none                                                kNotShared
//       unconditional and the operation is shared                         allow kShared
//       a grant naming the caller (or its department) that is active, unexpired
//         (now < expires), not exhausted (max_uses == 0 || uses < max_uses), covers the
//         operation and the purpose                                       allow kGrant (grant_id)
//       otherwise, no grant names the caller                              kNoGrant
//       otherwise, the reason of the grant that got furthest through the checks
//         pending < revoked < expired < exhausted < wrong operation < wrong purpose:
//         kGrantPending, kGrantRevoked, kGrantExpired, kGrantExhausted, kGrantWrongOperation,
//         kGrantWrongPurpose
//  6. A key-use action without Request::key, or an approval without requested_by, is a caller
//     bug: kMissingTarget.
#ifndef YINJIAN_POLICY_DECISION_H_
#define YINJIAN_POLICY_DECISION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "policy/policy.h"

namespace yinjian::policy {

enum class Reason {
  // Allowed.
  kOwner,   // key use by the owning department
  kShared,  // key use of an unconditional key's shared operation
  kGrant,   // key use through an active grant (Decision::grant_id)
  kRole,    // any other action, allowed by the caller's role (and department)
  // Denied.
  kPrincipalDisabled,
  kRoleNotPermitted,
  kOtherDepartment,
  kSelfApproval,
  kAlreadyApproved,
  kOperationNotAllowed,
  kPurposeRequired,
  kPurposeNotAllowed,
  kNotShared,
  kNoGrant,
  kGrantPending,
  kGrantRevoked,
  kGrantExpired,
  kGrantExhausted,
  kGrantWrongOperation,
  kGrantWrongPurpose,
  kMissingTarget,
};

// "OWNER", "GRANT_EXPIRED", ...: the stable code clients and the audit log see.
absl::string_view ReasonCode(Reason reason);

struct Request {
  Principal caller;
  Action action = Action::kEncrypt;
  // The key acted on: key-use actions, kReadKey / kManageKey on one key, grant and destruction
  // actions. Not owned.
  const KeyPolicy* key = nullptr;
  // kCreateKey, and kReadKey for a listing: the department whose keys are meant.
  std::string target_department;
  std::string purpose;
  absl::Time now;
  // Key use: the grants on `key` whose grantee is the caller or the caller's department (others
  // are ignored). kRequestGrant / kRevokeGrant: grants[0] is the grant requested or revoked.
  absl::Span<const Grant> grants;
  // Approvals: who made the request being approved, and who approved it so far.
  std::string requested_by;
  std::vector<std::string> approved_by;
};

struct Decision {
  bool allowed = false;
  Reason reason = Reason::kRoleNotPermitted;
  // One sentence for the caller, e.g. "grant 12 expired at 2026-12-31T00:00:00Z". Names keys,
  // departments, roles and grant ids; never key material or payloads.
  std::string message;
  // The grant that allowed a key use (reason kGrant), so the service can count its use.
  int64_t grant_id = 0;
};

Decision Decide(const Request& request);

}  // namespace yinjian::policy

#endif  // YINJIAN_POLICY_DECISION_H_
