#include "policy/policy.h"

#include <algorithm>
#include <cstddef>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace yinjian::policy {
namespace {

// One enumerator and its spelling. Each table lists every enumerator in declaration order, so
// the tables are also the source of the All* lists.
template <typename Enum>
struct Named {
  Enum value;
  const char* name;
};

constexpr Named<Role> kRoles[] = {
    {Role::kApplication, "application"},
    {Role::kKeyOfficer, "key-officer"},
    {Role::kSecurityAdmin, "security-admin"},
    {Role::kAuditor, "auditor"},
    {Role::kDestructionSupervisor, "destruction-supervisor"},
};

constexpr Named<DataLevel> kDataLevels[] = {
    {DataLevel::kGeneral, "general"},
    {DataLevel::kImportant, "important"},
    {DataLevel::kCore, "core"},
};

constexpr Named<SharingClass> kSharingClasses[] = {
    {SharingClass::kNone, "none"},
    {SharingClass::kConditional, "conditional"},
    {SharingClass::kUnconditional, "unconditional"},
};

constexpr Named<KeyOperation> kKeyOperations[] = {
    {KeyOperation::kEncrypt, "encrypt"},
    {KeyOperation::kDecrypt, "decrypt"},
    {KeyOperation::kGenerateDataKey, "generate-data-key"},
    {KeyOperation::kSign, "sign"},
    {KeyOperation::kVerify, "verify"},
    {KeyOperation::kMac, "mac"},
    {KeyOperation::kVerifyMac, "verify-mac"},
    {KeyOperation::kGetPublicKey, "get-public-key"},
};

constexpr Named<Action> kActions[] = {
    {Action::kEncrypt, "encrypt"},
    {Action::kDecrypt, "decrypt"},
    {Action::kGenerateDataKey, "generate-data-key"},
    {Action::kSign, "sign"},
    {Action::kVerify, "verify"},
    {Action::kMac, "mac"},
    {Action::kVerifyMac, "verify-mac"},
    {Action::kGetPublicKey, "get-public-key"},
    {Action::kDigest, "digest"},
    {Action::kGenerateRandom, "generate-random"},
    {Action::kCreateDepartment, "create-department"},
    {Action::kListDepartments, "list-departments"},
    {Action::kCreateKey, "create-key"},
    {Action::kReadKey, "read-key"},
    {Action::kManageKey, "manage-key"},
    {Action::kManagePrincipals, "manage-principals"},
    {Action::kReadPrincipals, "read-principals"},
    {Action::kRequestGrant, "request-grant"},
    {Action::kApproveGrant, "approve-grant"},
    {Action::kRevokeGrant, "revoke-grant"},
    {Action::kReadGrants, "read-grants"},
    {Action::kReadAudit, "read-audit"},
    {Action::kRequestDestruction, "request-destruction"},
    {Action::kApproveDestruction, "approve-destruction"},
    {Action::kWitnessDestruction, "witness-destruction"},
    {Action::kCreateBackup, "create-backup"},
};

constexpr Named<GrantState> kGrantStates[] = {
    {GrantState::kPending, "pending"},
    {GrantState::kActive, "active"},
    {GrantState::kRevoked, "revoked"},
};

// Unknown names are echoed back, escaped and cut short: they come from callers.
constexpr size_t kMaxEchoedNameBytes = 64;

template <typename Enum, size_t N>
absl::string_view NameIn(const Named<Enum> (&table)[N], Enum value) {
  for (const Named<Enum>& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return "unknown";  // only for a value cast from outside the enumeration
}

template <typename Enum, size_t N>
absl::StatusOr<Enum> ParseIn(const Named<Enum> (&table)[N], absl::string_view kind,
                             absl::string_view name) {
  std::vector<absl::string_view> accepted;
  for (const Named<Enum>& entry : table) {
    if (name == entry.name) return entry.value;
    accepted.push_back(entry.name);
  }
  return absl::InvalidArgumentError(absl::StrFormat(
      "unknown %s \"%s\"; expected one of %s", kind,
      absl::CHexEscape(name.substr(0, kMaxEchoedNameBytes)), absl::StrJoin(accepted, ", ")));
}

template <typename Enum, size_t N>
std::vector<Enum> ValuesIn(const Named<Enum> (&table)[N]) {
  std::vector<Enum> values;
  for (const Named<Enum>& entry : table) values.push_back(entry.value);
  return values;
}

// Purposes are short printable-ASCII labels, so they can be logged and compared verbatim.
constexpr size_t kMaxPurposeBytes = 128;

absl::Status CheckPurpose(absl::string_view purpose) {
  if (purpose.empty()) return absl::InvalidArgumentError("a purpose may not be empty");
  if (purpose.size() > kMaxPurposeBytes) {
    return absl::InvalidArgumentError(
        absl::StrFormat("a purpose may have at most %d bytes", kMaxPurposeBytes));
  }
  const bool printable =
      std::all_of(purpose.begin(), purpose.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
  if (!printable) {
    return absl::InvalidArgumentError("a purpose may hold only printable ASCII characters");
  }
  return absl::OkStatus();
}

// An empty allowed_operations set allows every operation.
bool OperationAllowed(const KeyPolicy& key, KeyOperation operation) {
  return key.allowed_operations.empty() || key.allowed_operations.count(operation) > 0;
}

// An empty allowed_purposes list allows every purpose.
bool PurposeAllowed(const KeyPolicy& key, absl::string_view purpose) {
  return key.allowed_purposes.empty() ||
         std::find(key.allowed_purposes.begin(), key.allowed_purposes.end(), purpose) !=
             key.allowed_purposes.end();
}

std::string KeyFullName(const KeyPolicy& key) {
  return absl::StrCat(key.department, "/", key.name);
}

// The INVALID_ARGUMENT half of ValidateGrant: the grant is malformed whatever the key.
absl::Status CheckGrantShape(const Grant& grant, absl::Time now) {
  if (grant.operations.empty()) return absl::InvalidArgumentError("a grant needs an operation");
  if (grant.purposes.empty()) return absl::InvalidArgumentError("a grant needs a purpose");
  for (const std::string& purpose : grant.purposes) {
    if (absl::Status status = CheckPurpose(purpose); !status.ok()) return status;
  }
  if (grant.grantee_department.empty()) {
    return absl::InvalidArgumentError("a grant needs a grantee department");
  }
  if (grant.max_uses < 0) {
    return absl::InvalidArgumentError("a grant's max_uses may not be negative");
  }
  if (grant.expires <= now) {
    return absl::InvalidArgumentError("a grant must expire after it is made");
  }
  return absl::OkStatus();
}

// The FAILED_PRECONDITION half of ValidateGrant: the grant does not fit the key.
absl::Status CheckGrantFitsKey(const Grant& grant, const KeyPolicy& key) {
  const std::string key_name = KeyFullName(key);
  if (key.sharing == SharingClass::kNone) {
    return absl::FailedPreconditionError(absl::StrFormat("%s is not shared", key_name));
  }
  if (grant.grantee_department == key.department) {
    return absl::FailedPreconditionError(
        absl::StrFormat("department %s owns %s and needs no grant", key.department, key_name));
  }
  for (KeyOperation operation : grant.operations) {
    if (!OperationAllowed(key, operation)) {
      return absl::FailedPreconditionError(absl::StrFormat("operation %s is not allowed on %s",
                                                           KeyOperationName(operation), key_name));
    }
  }
  for (const std::string& purpose : grant.purposes) {
    if (!PurposeAllowed(key, purpose)) {
      return absl::FailedPreconditionError(
          absl::StrFormat("purpose %s is not allowed for %s", purpose, key_name));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::string_view RoleName(Role role) { return NameIn(kRoles, role); }
absl::string_view DataLevelName(DataLevel level) { return NameIn(kDataLevels, level); }
absl::string_view SharingClassName(SharingClass sharing) {
  return NameIn(kSharingClasses, sharing);
}
absl::string_view KeyOperationName(KeyOperation operation) {
  return NameIn(kKeyOperations, operation);
}
absl::string_view ActionName(Action action) { return NameIn(kActions, action); }
absl::string_view GrantStateName(GrantState state) { return NameIn(kGrantStates, state); }

absl::StatusOr<Role> ParseRole(absl::string_view name) { return ParseIn(kRoles, "role", name); }
absl::StatusOr<DataLevel> ParseDataLevel(absl::string_view name) {
  return ParseIn(kDataLevels, "data level", name);
}
absl::StatusOr<SharingClass> ParseSharingClass(absl::string_view name) {
  return ParseIn(kSharingClasses, "sharing class", name);
}
absl::StatusOr<KeyOperation> ParseKeyOperation(absl::string_view name) {
  return ParseIn(kKeyOperations, "key operation", name);
}
absl::StatusOr<GrantState> ParseGrantState(absl::string_view name) {
  return ParseIn(kGrantStates, "grant state", name);
}

const std::vector<Role>& AllRoles() {
  static const auto* const kAll = new std::vector<Role>(ValuesIn(kRoles));
  return *kAll;
}
const std::vector<DataLevel>& AllDataLevels() {
  static const auto* const kAll = new std::vector<DataLevel>(ValuesIn(kDataLevels));
  return *kAll;
}
const std::vector<SharingClass>& AllSharingClasses() {
  static const auto* const kAll = new std::vector<SharingClass>(ValuesIn(kSharingClasses));
  return *kAll;
}
const std::vector<KeyOperation>& AllKeyOperations() {
  static const auto* const kAll = new std::vector<KeyOperation>(ValuesIn(kKeyOperations));
  return *kAll;
}
const std::vector<Action>& AllActions() {
  static const auto* const kAll = new std::vector<Action>(ValuesIn(kActions));
  return *kAll;
}

std::optional<KeyOperation> KeyOperationOf(Action action) {
  switch (action) {
    case Action::kEncrypt:
      return KeyOperation::kEncrypt;
    case Action::kDecrypt:
      return KeyOperation::kDecrypt;
    case Action::kGenerateDataKey:
      return KeyOperation::kGenerateDataKey;
    case Action::kSign:
      return KeyOperation::kSign;
    case Action::kVerify:
      return KeyOperation::kVerify;
    case Action::kMac:
      return KeyOperation::kMac;
    case Action::kVerifyMac:
      return KeyOperation::kVerifyMac;
    case Action::kGetPublicKey:
      return KeyOperation::kGetPublicKey;
    default:
      return std::nullopt;
  }
}

absl::Status CheckRoleCombination(const std::set<Role>& roles) {
  if (roles.count(Role::kKeyOfficer) > 0 && roles.count(Role::kAuditor) > 0) {
    return absl::FailedPreconditionError(
        "roles key-officer and auditor may not be held by one principal");
  }
  return absl::OkStatus();
}

int RequiredApprovals(DataLevel level) { return level == DataLevel::kCore ? 2 : 1; }

absl::Status ValidateKeyPolicy(const KeyPolicy& policy, bool software_protected) {
  const std::string key_name = KeyFullName(policy);
  if (policy.level == DataLevel::kCore && software_protected) {
    return absl::FailedPreconditionError(
        absl::StrFormat("core key %s must be protected by the HSM", key_name));
  }
  if (!policy.shared_operations.empty() && policy.sharing != SharingClass::kUnconditional) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s shares operations but its sharing class is %s, not unconditional",
                        key_name, SharingClassName(policy.sharing)));
  }
  for (KeyOperation operation : policy.shared_operations) {
    if (!OperationAllowed(policy, operation)) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s shares operation %s, which it does not allow", key_name,
                          KeyOperationName(operation)));
    }
  }
  for (const std::string& purpose : policy.allowed_purposes) {
    if (absl::Status status = CheckPurpose(purpose); !status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status ValidateGrant(const Grant& grant, const KeyPolicy& key, absl::Time now) {
  if (absl::Status status = CheckGrantShape(grant, now); !status.ok()) return status;
  return CheckGrantFitsKey(grant, key);
}

}  // namespace yinjian::policy
