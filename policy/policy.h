// The vocabulary of Yinjian's access policy (R2, R5-R8): roles, data levels, sharing classes,
// the operations a caller can ask for, principals, key policies and grants, as plain values.
// Pure: no I/O, no gRPC, no clock. decision.h turns these into allow/deny decisions.
#ifndef YINJIAN_POLICY_POLICY_H_
#define YINJIAN_POLICY_POLICY_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace yinjian::policy {

// R6. A principal may hold several roles, except key-officer together with auditor.
enum class Role {
  kApplication,            // crypto operations
  kKeyOfficer,             // keys of its own department
  kSecurityAdmin,          // departments, principals, roles
  kAuditor,                // reads the audit log, nothing else
  kDestructionSupervisor,  // witnesses key destruction
};

// R2. Graded by harm if leaked.
enum class DataLevel { kGeneral, kImportant, kCore };

// R5. Who outside the owning department may use a key.
enum class SharingClass {
  kNone,           // owning department only
  kConditional,    // other departments only through an active grant
  kUnconditional,  // any department's applications, for the key's shared operations
};

// Operations on a key; what key policies, shared operations and grants name.
enum class KeyOperation {
  kEncrypt,
  kDecrypt,
  kGenerateDataKey,
  kSign,
  kVerify,
  kMac,
  kVerifyMac,
  kGetPublicKey,
};

// Everything a caller can ask the service to do. Each RPC maps to one action (ReEncrypt to two:
// kDecrypt on the source key, kEncrypt on the destination key).
enum class Action {
  // Key use: needs Request::key.
  kEncrypt,
  kDecrypt,
  kGenerateDataKey,
  kSign,
  kVerify,
  kMac,
  kVerifyMac,
  kGetPublicKey,
  // Crypto without a key.
  kDigest,
  kGenerateRandom,
  // Departments.
  kCreateDepartment,
  kListDepartments,
  // Keys of Request::target_department (for kReadKey/kManageKey on one key, its department).
  kCreateKey,
  kReadKey,    // GetKey, ListKeys
  kManageKey,  // key policy, rotation, versions
  // Principals, certificates and roles.
  kManagePrincipals,  // add, disable, offboard, bind/revoke certificates, bind/unbind roles
  kReadPrincipals,
  // Grants (Request::key is the granted key; Request::grants[0] the grant in question).
  kRequestGrant,
  kApproveGrant,
  kRevokeGrant,
  kReadGrants,
  // Audit log.
  kReadAudit,
  // Key destruction (R11); Request::key is the key to destroy.
  kRequestDestruction,
  kApproveDestruction,
  kWitnessDestruction,
  // Backups of the whole service (R12): every department's keys, re-wrapped.
  kCreateBackup,
};

struct Principal {
  std::string name;
  std::string department;
  std::set<Role> roles;
  bool enabled = true;
};

// The policy a key carries (R2, R5).
struct KeyPolicy {
  std::string department;  // the owning department
  std::string name;        // the key's name within its department
  DataLevel level = DataLevel::kGeneral;
  SharingClass sharing = SharingClass::kNone;
  // Operations anybody (owner included) may perform; empty: every operation.
  std::set<KeyOperation> allowed_operations;
  // For kUnconditional keys: the operations other departments may perform without a grant;
  // empty: the allowed operations.
  std::set<KeyOperation> shared_operations;
  // Purposes a call may declare; empty: any purpose.
  std::vector<std::string> allowed_purposes;
};

enum class GrantState { kPending, kActive, kRevoked };

// A grant lets principals of another department use a key (R5). The grantee is one principal
// (grantee_principal set, grantee_department its department) or a whole department
// (grantee_principal empty).
struct Grant {
  int64_t id = 0;
  std::string key_department;
  std::string key_name;
  std::string grantee_principal;
  std::string grantee_department;
  std::set<KeyOperation> operations;  // never empty
  std::vector<std::string> purposes;  // never empty
  absl::Time expires = absl::InfiniteFuture();
  int64_t max_uses = 0;  // 0: unlimited
  int64_t uses = 0;
  GrantState state = GrantState::kPending;
  std::string requested_by;
  std::vector<std::string> approved_by;
};

// Names as the API, CLI, store and docs spell them: "key-officer", "core", "conditional",
// "generate-data-key", "pending". Parse* return INVALID_ARGUMENT naming the accepted values.
absl::string_view RoleName(Role role);
absl::string_view DataLevelName(DataLevel level);
absl::string_view SharingClassName(SharingClass sharing);
absl::string_view KeyOperationName(KeyOperation operation);
absl::string_view ActionName(Action action);
absl::string_view GrantStateName(GrantState state);
absl::StatusOr<Role> ParseRole(absl::string_view name);
absl::StatusOr<DataLevel> ParseDataLevel(absl::string_view name);
absl::StatusOr<SharingClass> ParseSharingClass(absl::string_view name);
absl::StatusOr<KeyOperation> ParseKeyOperation(absl::string_view name);
absl::StatusOr<GrantState> ParseGrantState(absl::string_view name);

// All values of each enum, in declaration order (for tests, help texts and validation).
const std::vector<Role>& AllRoles();
const std::vector<DataLevel>& AllDataLevels();
const std::vector<SharingClass>& AllSharingClasses();
const std::vector<KeyOperation>& AllKeyOperations();
const std::vector<Action>& AllActions();

// The key operation an action performs, if it is a key-use action (kEncrypt .. kGetPublicKey).
std::optional<KeyOperation> KeyOperationOf(Action action);

// Separation of duties (R6): FAILED_PRECONDITION if `roles` holds key-officer and auditor.
absl::Status CheckRoleCombination(const std::set<Role>& roles);

// How many distinct key officers must approve a grant on a key of this level: 2 for core
// keys (R2), 1 otherwise.
int RequiredApprovals(DataLevel level);

// Checks a key policy for a key protected at `software_protected`: FAILED_PRECONDITION for a
// core key in software (R2: core keys are HSM-only); INVALID_ARGUMENT for shared operations
// outside the allowed ones, shared operations on a key that is not unconditional, or an empty
// or over-long (>128 bytes) purpose, or a purpose with characters other than printable ASCII.
absl::Status ValidateKeyPolicy(const KeyPolicy& policy, bool software_protected);

// Checks a grant before it is stored: INVALID_ARGUMENT if it names no operation, no purpose,
// no grantee, a negative max_uses, or an expiry not after `now`; FAILED_PRECONDITION if the key
// is not shared (sharing class none), if the grantee department is the owning department, or
// if a purpose or operation lies outside the key's allowed purposes / operations.
absl::Status ValidateGrant(const Grant& grant, const KeyPolicy& key, absl::Time now);

}  // namespace yinjian::policy

#endif  // YINJIAN_POLICY_POLICY_H_
