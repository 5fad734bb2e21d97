#include "policy/permits.h"

namespace yinjian::policy::internal {
namespace {

constexpr Scope kAny = Scope::kAnyDepartment;
constexpr Scope kOwn = Scope::kOwnDepartment;

// Key use, kDigest, kGenerateRandom. Key use by another department is settled by rule 5
// (sharing and grants), not here.
constexpr Permit kApplicationOnly[] = {{Role::kApplication, kAny}};
constexpr Permit kGetPublicKey[] = {{Role::kApplication, kAny}, {Role::kKeyOfficer, kOwn}};
constexpr Permit kSecurityAdminOnly[] = {{Role::kSecurityAdmin, kAny}};
constexpr Permit kAnyRole[] = {
    {Role::kApplication, kAny},           {Role::kKeyOfficer, kAny},
    {Role::kSecurityAdmin, kAny},         {Role::kAuditor, kAny},
    {Role::kDestructionSupervisor, kAny},
};
constexpr Permit kReadPrincipals[] = {{Role::kSecurityAdmin, kAny}, {Role::kAuditor, kAny}};
constexpr Permit kKeyOfficerOfDepartment[] = {{Role::kKeyOfficer, kOwn}};
constexpr Permit kReadKey[] = {
    {Role::kKeyOfficer, kOwn}, {Role::kApplication, kOwn}, {Role::kAuditor, kAny}};
constexpr Permit kRequestGrant[] = {
    {Role::kKeyOfficer, Scope::kOwnerOrGranteeDepartment},
    {Role::kApplication, Scope::kOnlyForItself},
};
// The requester withdrawing its own request is not a role; Decide handles it.
constexpr Permit kRevokeGrant[] = {
    {Role::kKeyOfficer, Scope::kOwnerOrGranteeDepartment},
    {Role::kSecurityAdmin, kAny},
};
constexpr Permit kReadGrants[] = {
    {Role::kKeyOfficer, kAny},
    {Role::kSecurityAdmin, kAny},
    {Role::kAuditor, kAny},
    {Role::kApplication, kAny},
};
constexpr Permit kAuditorOnly[] = {{Role::kAuditor, kAny}};
constexpr Permit kDestructionSupervisorOnly[] = {{Role::kDestructionSupervisor, kAny}};

}  // namespace

absl::Span<const Permit> PermitsFor(Action action) {
  switch (action) {
    case Action::kEncrypt:
    case Action::kDecrypt:
    case Action::kGenerateDataKey:
    case Action::kSign:
    case Action::kVerify:
    case Action::kMac:
    case Action::kVerifyMac:
    case Action::kDigest:
    case Action::kGenerateRandom:
      return kApplicationOnly;
    case Action::kGetPublicKey:
      return kGetPublicKey;
    case Action::kCreateDepartment:
    case Action::kManagePrincipals:
    case Action::kCreateBackup:
      return kSecurityAdminOnly;
    case Action::kListDepartments:
      return kAnyRole;
    case Action::kReadPrincipals:
      return kReadPrincipals;
    case Action::kCreateKey:
    case Action::kManageKey:
    case Action::kApproveGrant:
    case Action::kRequestDestruction:
    case Action::kApproveDestruction:
      return kKeyOfficerOfDepartment;
    case Action::kReadKey:
      return kReadKey;
    case Action::kRequestGrant:
      return kRequestGrant;
    case Action::kRevokeGrant:
      return kRevokeGrant;
    case Action::kReadGrants:
      return kReadGrants;
    case Action::kReadAudit:
      return kAuditorOnly;
    case Action::kWitnessDestruction:
      return kDestructionSupervisorOnly;
  }
  return {};  // deny by default: an action outside the enumeration has no role
}

}  // namespace yinjian::policy::internal
