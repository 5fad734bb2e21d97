// The decision engine as a decision table: every key use over every combination of caller role,
// data level, sharing class, department, purpose, key restrictions and grant state, checked
// against Expected(), the rules of policy/decision.h restated here independently; pinned rows
// that fix specific cases by hand; and every other action against every role.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "policy/decision.h"
#include "policy/policy.h"

namespace yinjian::policy {
namespace {

// The dimensions of the key-use table. The key is always finance/payroll-key; the caller is
// always alice, of finance (owner) or tax (other).
enum class Caller {
  kDisabled,  // holds application, but is disabled
  kNoRole,
  kApplication,
  kKeyOfficer,
  kSecurityAdmin,
  kAuditor,
  kDestructionSupervisor,
};
enum class Department { kOwnerDepartment, kOtherDepartment };
enum class Purpose {
  kDeclaredAllowed,  // "billing": on the key's list, and the one purpose grants cover
  kNoPurpose,        // ""
  kUnlistedPurpose,  // "marketing": not on the key's list (if it has one), nor on any grant
};
enum class KeyPurposes { kListsPurposes, kAnyPurpose };  // {"billing", "reporting"} or none
enum class KeyOperations { kAnyOperation, kOtherOperationsOnly };  // allowed_operations
enum class SharedOperations { kSharesAll, kSharesOthersOnly };     // shared_operations
enum class GrantKind {
  kNoGrants,
  kActiveGrant,  // every operation, purpose "billing", 4 of 5 uses, expires in an hour
  kPendingGrant,
  kExpiredGrant,
  kRevokedGrant,
  kExhaustedGrant,
  kWrongOperationGrant,  // every operation but the one asked for
  kWrongPurposeGrant,    // purpose "reporting" only
};
enum class Grantee { kForPrincipal, kForDepartment };

constexpr int64_t kPrincipalGrantId = 12;
constexpr int64_t kDepartmentGrantId = 34;
const absl::Time kNow =
    absl::FromCivil(absl::CivilSecond(2026, 6, 1, 12, 0, 0), absl::UTCTimeZone());

struct Case {
  Caller caller;
  Action action;
  DataLevel level;
  SharingClass sharing;
  Department department;
  Purpose purpose;
  KeyPurposes key_purposes;
  KeyOperations key_operations;
  SharedOperations shared_operations;
  GrantKind grant;
  Grantee grantee;
};

// The key-use rules of decision.h (1, 2, 3 and 5), restated for the dimensions above.
Reason Expected(const Case& c) {
  // 1. A disabled principal is denied everything.
  if (c.caller == Caller::kDisabled) return Reason::kPrincipalDisabled;
  // 2. Key use needs application; get-public-key also a key officer...
  const bool officer_reads_public_key =
      c.action == Action::kGetPublicKey && c.caller == Caller::kKeyOfficer;
  if (c.caller != Caller::kApplication && !officer_reads_public_key) {
    return Reason::kRoleNotPermitted;
  }
  // 3. ...of the key's department.
  if (officer_reads_public_key && c.department == Department::kOtherDepartment) {
    return Reason::kOtherDepartment;
  }
  // 5. In order: allowed operation, purpose for core keys, allowed purpose, owner, sharing.
  if (c.key_operations == KeyOperations::kOtherOperationsOnly) {
    return Reason::kOperationNotAllowed;
  }
  if (c.level == DataLevel::kCore && c.purpose == Purpose::kNoPurpose) {
    return Reason::kPurposeRequired;
  }
  if (c.key_purposes == KeyPurposes::kListsPurposes && c.purpose != Purpose::kDeclaredAllowed) {
    return Reason::kPurposeNotAllowed;
  }
  if (c.department == Department::kOwnerDepartment) return Reason::kOwner;
  if (c.sharing == SharingClass::kNone) return Reason::kNotShared;
  if (c.sharing == SharingClass::kUnconditional &&
      c.shared_operations == SharedOperations::kSharesAll) {
    return Reason::kShared;
  }
  switch (c.grant) {
    case GrantKind::kNoGrants:
      return Reason::kNoGrant;
    case GrantKind::kPendingGrant:
      return Reason::kGrantPending;
    case GrantKind::kRevokedGrant:
      return Reason::kGrantRevoked;
    case GrantKind::kExpiredGrant:
      return Reason::kGrantExpired;
    case GrantKind::kExhaustedGrant:
      return Reason::kGrantExhausted;
    case GrantKind::kWrongOperationGrant:
      return Reason::kGrantWrongOperation;
    case GrantKind::kWrongPurposeGrant:
      return Reason::kGrantWrongPurpose;
    case GrantKind::kActiveGrant:
      return c.purpose == Purpose::kDeclaredAllowed ? Reason::kGrant : Reason::kGrantWrongPurpose;
  }
  return Reason::kMissingTarget;  // unreachable
}

bool IsAllowReason(Reason reason) {
  return reason == Reason::kOwner || reason == Reason::kShared || reason == Reason::kGrant ||
         reason == Reason::kRole;
}

std::set<KeyOperation> AllOperationsBut(KeyOperation excluded) {
  std::set<KeyOperation> operations(AllKeyOperations().begin(), AllKeyOperations().end());
  operations.erase(excluded);
  return operations;
}

Principal MakeCaller(Caller caller, Department department) {
  Principal principal{
      .name = "alice",
      .department = department == Department::kOwnerDepartment ? "finance" : "tax",
  };
  switch (caller) {
    case Caller::kDisabled:
      principal.enabled = false;
      principal.roles = {Role::kApplication};
      break;
    case Caller::kNoRole:
      break;
    case Caller::kApplication:
      principal.roles = {Role::kApplication};
      break;
    case Caller::kKeyOfficer:
      principal.roles = {Role::kKeyOfficer};
      break;
    case Caller::kSecurityAdmin:
      principal.roles = {Role::kSecurityAdmin};
      break;
    case Caller::kAuditor:
      principal.roles = {Role::kAuditor};
      break;
    case Caller::kDestructionSupervisor:
      principal.roles = {Role::kDestructionSupervisor};
      break;
  }
  return principal;
}

KeyPolicy MakeKey(const Case& c, KeyOperation operation) {
  KeyPolicy key{
      .department = "finance", .name = "payroll-key", .level = c.level, .sharing = c.sharing};
  if (c.key_operations == KeyOperations::kOtherOperationsOnly) {
    key.allowed_operations = AllOperationsBut(operation);
  }
  if (c.shared_operations == SharedOperations::kSharesOthersOnly) {
    key.shared_operations = AllOperationsBut(operation);
  }
  if (c.key_purposes == KeyPurposes::kListsPurposes)
    key.allowed_purposes = {"billing", "reporting"};
  return key;
}

std::vector<Grant> MakeGrants(GrantKind kind, Grantee grantee, KeyOperation operation) {
  if (kind == GrantKind::kNoGrants) return {};
  const bool for_principal = grantee == Grantee::kForPrincipal;
  Grant grant{
      .id = for_principal ? kPrincipalGrantId : kDepartmentGrantId,
      .key_department = "finance",
      .key_name = "payroll-key",
      .grantee_principal = for_principal ? "alice" : "",
      .grantee_department = "tax",
      .operations = AllOperationsBut(operation),
      .purposes = {"billing"},
      .expires = kNow + absl::Hours(1),
      .max_uses = 5,
      .uses = 4,
      .state = GrantState::kActive,
      .requested_by = "tom",
      .approved_by = {"fay"},
  };
  grant.operations.insert(operation);
  switch (kind) {
    case GrantKind::kNoGrants:
    case GrantKind::kActiveGrant:
      break;
    case GrantKind::kPendingGrant:
      grant.state = GrantState::kPending;
      break;
    case GrantKind::kExpiredGrant:
      grant.expires = kNow - absl::Seconds(1);
      break;
    case GrantKind::kRevokedGrant:
      grant.state = GrantState::kRevoked;
      break;
    case GrantKind::kExhaustedGrant:
      grant.uses = 5;
      break;
    case GrantKind::kWrongOperationGrant:
      grant.operations.erase(operation);
      break;
    case GrantKind::kWrongPurposeGrant:
      grant.purposes = {"reporting"};
      break;
  }
  return {grant};
}

const char* PurposeText(Purpose purpose) {
  switch (purpose) {
    case Purpose::kDeclaredAllowed:
      return "billing";
    case Purpose::kNoPurpose:
      return "";
    case Purpose::kUnlistedPurpose:
      return "marketing";
  }
  return "";
}

Decision DecideCase(const Case& c) {
  const KeyOperation operation = *KeyOperationOf(c.action);
  const KeyPolicy key = MakeKey(c, operation);
  const std::vector<Grant> grants = MakeGrants(c.grant, c.grantee, operation);
  return Decide(Request{
      .caller = MakeCaller(c.caller, c.department),
      .action = c.action,
      .key = &key,
      .purpose = PurposeText(c.purpose),
      .now = kNow,
      .grants = grants,
  });
}

std::string Describe(const Case& c) {
  return absl::StrFormat(
      "caller=%d action=%s level=%s sharing=%s department=%d purpose=\"%s\" key_purposes=%d "
      "key_operations=%d shared_operations=%d grant=%d grantee=%d",
      static_cast<int>(c.caller), ActionName(c.action), DataLevelName(c.level),
      SharingClassName(c.sharing), static_cast<int>(c.department), PurposeText(c.purpose),
      static_cast<int>(c.key_purposes), static_cast<int>(c.key_operations),
      static_cast<int>(c.shared_operations), static_cast<int>(c.grant),
      static_cast<int>(c.grantee));
}

// Checks Decide against `expected` (allowed flag, reason, grant id, message); returns a
// description of the first difference, or "" when they agree.
std::string Mismatch(const Case& c, Reason expected) {
  const Decision decision = DecideCase(c);
  const int64_t expected_grant_id = expected != Reason::kGrant            ? 0
                                    : c.grantee == Grantee::kForPrincipal ? kPrincipalGrantId
                                                                          : kDepartmentGrantId;
  if (decision.allowed == IsAllowReason(expected) && decision.reason == expected &&
      decision.grant_id == expected_grant_id && !decision.message.empty()) {
    return "";
  }
  return absl::StrFormat("%s: expected %s grant %d, got %s %s grant %d (\"%s\")", Describe(c),
                         ReasonCode(expected), expected_grant_id,
                         decision.allowed ? "allowed" : "denied", ReasonCode(decision.reason),
                         decision.grant_id, decision.message);
}

template <typename Enum>
std::vector<Enum> Values(Enum last) {
  std::vector<Enum> values;
  for (int i = 0; i <= static_cast<int>(last); ++i) values.push_back(static_cast<Enum>(i));
  return values;
}

std::vector<Action> KeyUseActions() {
  std::vector<Action> actions;
  for (Action action : AllActions()) {
    if (KeyOperationOf(action).has_value()) actions.push_back(action);
  }
  return actions;
}

// Every (grant kind, grantee) worth distinguishing: no grant once, each other kind for both.
std::vector<std::pair<GrantKind, Grantee>> GrantVariants() {
  std::vector<std::pair<GrantKind, Grantee>> variants = {
      {GrantKind::kNoGrants, Grantee::kForPrincipal}};
  for (GrantKind kind : Values(GrantKind::kWrongPurposeGrant)) {
    if (kind == GrantKind::kNoGrants) continue;
    variants.push_back({kind, Grantee::kForPrincipal});
    variants.push_back({kind, Grantee::kForDepartment});
  }
  return variants;
}

std::vector<Case> AllKeyUseCases() {
  std::vector<Case> cases;
  for (Caller caller : Values(Caller::kDestructionSupervisor))
    for (Action action : KeyUseActions())
      for (DataLevel level : AllDataLevels())
        for (SharingClass sharing : AllSharingClasses())
          for (Department department : Values(Department::kOtherDepartment))
            for (Purpose purpose : Values(Purpose::kUnlistedPurpose))
              for (KeyPurposes key_purposes : Values(KeyPurposes::kAnyPurpose))
                for (KeyOperations key_ops : Values(KeyOperations::kOtherOperationsOnly))
                  for (SharedOperations shared : Values(SharedOperations::kSharesOthersOnly))
                    for (auto [grant, grantee] : GrantVariants())
                      cases.push_back(Case{caller, action, level, sharing, department, purpose,
                                           key_purposes, key_ops, shared, grant, grantee});
  return cases;
}

TEST(DecisionTableTest, EveryKeyUseCombinationFollowsTheRules) {
  const std::vector<Case> cases = AllKeyUseCases();
  ASSERT_EQ(cases.size(), 7u * 8 * 3 * 3 * 2 * 3 * 2 * 2 * 2 * 15);
  std::map<Reason, int> reasons_seen;
  int mismatches = 0;
  for (const Case& c : cases) {
    const Reason expected = Expected(c);
    ++reasons_seen[expected];
    const std::string mismatch = Mismatch(c, expected);
    if (mismatch.empty()) continue;
    if (++mismatches <= 20) ADD_FAILURE() << mismatch;
  }
  EXPECT_EQ(mismatches, 0) << "of " << cases.size() << " combinations";
  // The table reaches every key-use outcome (and so every step of rule 5).
  for (Reason reason :
       {Reason::kOwner, Reason::kShared, Reason::kGrant, Reason::kPrincipalDisabled,
        Reason::kRoleNotPermitted, Reason::kOtherDepartment, Reason::kOperationNotAllowed,
        Reason::kPurposeRequired, Reason::kPurposeNotAllowed, Reason::kNotShared, Reason::kNoGrant,
        Reason::kGrantPending, Reason::kGrantRevoked, Reason::kGrantExpired,
        Reason::kGrantExhausted, Reason::kGrantWrongOperation, Reason::kGrantWrongPurpose}) {
    EXPECT_GT(reasons_seen[reason], 0) << ReasonCode(reason);
  }
}

// Hand-written rows, each read straight from decision.h, so Expected() itself is checked.
struct PinnedRow {
  Case c;
  Reason reason;
};

TEST(DecisionTableTest, PinnedRows) {
  using enum Caller;
  using enum Department;
  using enum Purpose;
  using enum KeyPurposes;
  using enum KeyOperations;
  using enum SharedOperations;
  using enum GrantKind;
  using enum Grantee;
  constexpr DataLevel kGeneral = DataLevel::kGeneral;
  constexpr DataLevel kImportant = DataLevel::kImportant;
  constexpr DataLevel kCore = DataLevel::kCore;
  constexpr SharingClass kNotShared = SharingClass::kNone;
  constexpr SharingClass kConditional = SharingClass::kConditional;
  constexpr SharingClass kUnconditional = SharingClass::kUnconditional;
  // clang-format off
  const PinnedRow rows[] = {
    // caller       action                     level       sharing          department         purpose            key purposes    key operations        shared operations   grant                 grantee            reason
    {{kApplication, Action::kEncrypt,          kGeneral,   kNotShared,      kOwnerDepartment,  kDeclaredAllowed,  kListsPurposes, kAnyOperation,        kSharesAll,         kNoGrants,            kForPrincipal},    Reason::kOwner},
    {{kApplication, Action::kEncrypt,          kCore,      kNotShared,      kOwnerDepartment,  kNoPurpose,        kAnyPurpose,    kAnyOperation,        kSharesAll,         kNoGrants,            kForPrincipal},    Reason::kPurposeRequired},
    {{kApplication, Action::kEncrypt,          kGeneral,   kNotShared,      kOtherDepartment,  kDeclaredAllowed,  kListsPurposes, kAnyOperation,        kSharesAll,         kActiveGrant,         kForPrincipal},    Reason::kNotShared},
    {{kApplication, Action::kDecrypt,          kCore,      kConditional,    kOtherDepartment,  kDeclaredAllowed,  kListsPurposes, kAnyOperation,        kSharesAll,         kActiveGrant,         kForPrincipal},    Reason::kGrant},
    {{kApplication, Action::kDecrypt,          kCore,      kConditional,    kOtherDepartment,  kNoPurpose,        kAnyPurpose,    kAnyOperation,        kSharesAll,         kActiveGrant,         kForPrincipal},    Reason::kPurposeRequired},
    {{kApplication, Action::kDecrypt,          kImportant, kConditional,    kOtherDepartment,  kNoPurpose,        kAnyPurpose,    kAnyOperation,        kSharesAll,         kActiveGrant,         kForDepartment},   Reason::kGrantWrongPurpose},
    {{kApplication, Action::kDecrypt,          kImportant, kConditional,    kOtherDepartment,  kDeclaredAllowed,  kAnyPurpose,    kAnyOperation,        kSharesAll,         kNoGrants,            kForDepartment},   Reason::kNoGrant},
    {{kApplication, Action::kSign,             kImportant, kUnconditional,  kOtherDepartment,  kDeclaredAllowed,  kListsPurposes, kAnyOperation,        kSharesAll,         kNoGrants,            kForPrincipal},    Reason::kShared},
    {{kApplication, Action::kSign,             kImportant, kUnconditional,  kOtherDepartment,  kDeclaredAllowed,  kListsPurposes, kAnyOperation,        kSharesOthersOnly,  kNoGrants,            kForPrincipal},    Reason::kNoGrant},
    {{kApplication, Action::kSign,             kImportant, kUnconditional,  kOtherDepartment,  kDeclaredAllowed,  kListsPurposes, kAnyOperation,        kSharesOthersOnly,  kActiveGrant,         kForDepartment},   Reason::kGrant},
    {{kApplication, Action::kSign,             kImportant, kConditional,    kOtherDepartment,  kDeclaredAllowed,  kListsPurposes, kAnyOperation,        kSharesAll,         kNoGrants,            kForPrincipal},    Reason::kNoGrant},
    {{kApplication, Action::kMac,              kGeneral,   kConditional,    kOtherDepartment,  kDeclaredAllowed,  kListsPurposes, kOtherOperationsOnly, kSharesAll,         kActiveGrant,         kForPrincipal},    Reason::kOperationNotAllowed},
    {{kApplication, Action::kMac,              kGeneral,   kConditional,    kOwnerDepartment,  kDeclaredAllowed,  kListsPurposes, kOtherOperationsOnly, kSharesAll,         kNoGrants,            kForPrincipal},    Reason::kOperationNotAllowed},
    {{kApplication, Action::kVerify,           kGeneral,   kConditional,    kOtherDepartment,  kUnlistedPurpose,  kListsPurposes, kAnyOperation,        kSharesAll,         kActiveGrant,         kForPrincipal},    Reason::kPurposeNotAllowed},
    {{kApplication, Action::kVerify,           kGeneral,   kConditional,    kOwnerDepartment,  kNoPurpose,        kListsPurposes, kAnyOperation,        kSharesAll,         kNoGrants,            kForPrincipal},    Reason::kPurposeNotAllowed},
    {{kApplication, Action::kVerify,           kGeneral,   kConditional,    kOtherDepartment,  kUnlistedPurpose,  kAnyPurpose,    kAnyOperation,        kSharesAll,         kActiveGrant,         kForPrincipal},    Reason::kGrantWrongPurpose},
    {{kApplication, Action::kGenerateDataKey,  kCore,      kConditional,    kOtherDepartment,  kDeclaredAllowed,  kListsPurposes, kAnyOperation,        kSharesAll,         kPendingGrant,        kForPrincipal},    Reason::kGrantPending},
    {{kApplication, Action::kGenerateDataKey,  kCore,      kConditional,    kOtherDepartment,  kDeclaredAllowed,  kListsPurposes, kAnyOperation,        kSharesAll,         kRevokedGrant,        kForDepartment},   Reason::kGrantRevoked},
    {{kApplication, Action::kGenerateDataKey,  kCore,      kConditional,    kOtherDepartment,  kDeclaredAllowed,  kListsPurposes, kAnyOperation,        kSharesAll,         kExpiredGrant,        kForPrincipal},    Reason::kGrantExpired},
    {{kApplication, Action::kGenerateDataKey,  kCore,      kConditional,    kOtherDepartment,  kDeclaredAllowed,  kListsPurposes, kAnyOperation,        kSharesAll,         kExhaustedGrant,      kForDepartment},   Reason::kGrantExhausted},
    {{kApplication, Action::kGenerateDataKey,  kCore,      kConditional,    kOtherDepartment,  kDeclaredAllowed,  kListsPurposes, kAnyOperation,        kSharesAll,         kWrongOperationGrant, kForPrincipal},    Reason::kGrantWrongOperation},
    {{kApplication, Action::kGenerateDataKey,  kCore,      kConditional,    kOtherDepartment,  kDeclaredAllowed,  kListsPurposes, kAnyOperation,        kSharesAll,         kWrongPurposeGrant,   kForDepartment},   Reason::kGrantWrongPurpose},
    {{kKeyOfficer,  Action::kGetPublicKey,     kCore,      kNotShared,      kOwnerDepartment,  kDeclaredAllowed,  kListsPurposes, kAnyOperation,        kSharesAll,         kNoGrants,            kForPrincipal},    Reason::kOwner},
    {{kKeyOfficer,  Action::kGetPublicKey,     kGeneral,   kUnconditional,  kOtherDepartment,  kDeclaredAllowed,  kListsPurposes, kAnyOperation,        kSharesAll,         kActiveGrant,         kForPrincipal},    Reason::kOtherDepartment},
    {{kKeyOfficer,  Action::kGetPublicKey,     kCore,      kNotShared,      kOwnerDepartment,  kNoPurpose,        kAnyPurpose,    kAnyOperation,        kSharesAll,         kNoGrants,            kForPrincipal},    Reason::kPurposeRequired},
    {{kKeyOfficer,  Action::kEncrypt,          kGeneral,   kNotShared,      kOwnerDepartment,  kDeclaredAllowed,  kListsPurposes, kAnyOperation,        kSharesAll,         kNoGrants,            kForPrincipal},    Reason::kRoleNotPermitted},
    {{kAuditor,     Action::kVerify,           kGeneral,   kUnconditional,  kOwnerDepartment,  kDeclaredAllowed,  kListsPurposes, kAnyOperation,        kSharesAll,         kNoGrants,            kForPrincipal},    Reason::kRoleNotPermitted},
    {{kNoRole,      Action::kGetPublicKey,     kGeneral,   kUnconditional,  kOwnerDepartment,  kDeclaredAllowed,  kListsPurposes, kAnyOperation,        kSharesAll,         kNoGrants,            kForPrincipal},    Reason::kRoleNotPermitted},
    {{kDisabled,    Action::kEncrypt,          kGeneral,   kUnconditional,  kOwnerDepartment,  kDeclaredAllowed,  kListsPurposes, kAnyOperation,        kSharesAll,         kNoGrants,            kForPrincipal},    Reason::kPrincipalDisabled},
    {{kDisabled,    Action::kDecrypt,          kCore,      kConditional,    kOtherDepartment,  kDeclaredAllowed,  kListsPurposes, kAnyOperation,        kSharesAll,         kActiveGrant,         kForPrincipal},    Reason::kPrincipalDisabled},
  };
  // clang-format on
  for (const PinnedRow& row : rows) {
    EXPECT_EQ(Expected(row.c), row.reason) << "Expected() disagrees: " << Describe(row.c);
    EXPECT_EQ(Mismatch(row.c, row.reason), "");
  }
}

// Every action that is not a key use, for each single role (and none), on finance's key and
// department, by a caller of finance ("same") and of tax ("other"). The grant in question is
// bob's (of health), requested by bob; approvals are of a request made by bob.
// Each cell: same department, other department; A allowed (kRole), D kOtherDepartment,
// R kRoleNotPermitted.
struct NonKeyRow {
  Action action;
  const char* application;
  const char* key_officer;
  const char* security_admin;
  const char* auditor;
  const char* destruction_supervisor;
};

// clang-format off
constexpr NonKeyRow kNonKeyRows[] = {
    // action                        application  key-officer  security-admin  auditor  supervisor
    {Action::kDigest,                "AA",        "RR",        "RR",           "RR",    "RR"},
    {Action::kGenerateRandom,        "AA",        "RR",        "RR",           "RR",    "RR"},
    {Action::kCreateDepartment,      "RR",        "RR",        "AA",           "RR",    "RR"},
    {Action::kListDepartments,       "AA",        "AA",        "AA",           "AA",    "AA"},
    {Action::kCreateKey,             "RR",        "AD",        "RR",           "RR",    "RR"},
    {Action::kReadKey,               "AD",        "AD",        "RR",           "AA",    "RR"},
    {Action::kManageKey,             "RR",        "AD",        "RR",           "RR",    "RR"},
    {Action::kManagePrincipals,      "RR",        "RR",        "AA",           "RR",    "RR"},
    {Action::kReadPrincipals,        "RR",        "RR",        "AA",           "AA",    "RR"},
    {Action::kRequestGrant,          "DD",        "AD",        "RR",           "RR",    "RR"},
    {Action::kApproveGrant,          "RR",        "AD",        "RR",           "RR",    "RR"},
    {Action::kRevokeGrant,           "RR",        "AD",        "AA",           "RR",    "RR"},
    {Action::kReadGrants,            "AA",        "AA",        "AA",           "AA",    "RR"},
    {Action::kReadAudit,             "RR",        "RR",        "RR",           "AA",    "RR"},
    {Action::kRequestDestruction,    "RR",        "AD",        "RR",           "RR",    "RR"},
    {Action::kApproveDestruction,    "RR",        "AD",        "RR",           "RR",    "RR"},
    {Action::kWitnessDestruction,    "RR",        "RR",        "RR",           "RR",    "AA"},
    {Action::kCreateBackup,          "RR",        "RR",        "AA",           "RR",    "RR"},
};
// clang-format on

Reason ReasonOfCell(char cell) {
  switch (cell) {
    case 'A':
      return Reason::kRole;
    case 'D':
      return Reason::kOtherDepartment;
    default:
      return Reason::kRoleNotPermitted;
  }
}

Decision DecideNonKey(Action action, std::set<Role> roles, bool same_department,
                      bool enabled = true) {
  const KeyPolicy key{
      .department = "finance", .name = "payroll-key", .sharing = SharingClass::kConditional};
  const std::vector<Grant> grants = {Grant{
      .id = 7,
      .key_department = "finance",
      .key_name = "payroll-key",
      .grantee_principal = "bob",
      .grantee_department = "health",
      .operations = {KeyOperation::kDecrypt},
      .purposes = {"billing"},
      .state = GrantState::kPending,
      .requested_by = "bob",
  }};
  return Decide(Request{
      .caller = Principal{.name = "alice",
                          .department = same_department ? "finance" : "tax",
                          .roles = std::move(roles),
                          .enabled = enabled},
      .action = action,
      .key = &key,
      .target_department = "finance",
      .now = kNow,
      .grants = grants,
      .requested_by = "bob",
  });
}

TEST(DecisionTableTest, EveryOtherActionByEveryRoleAndDepartment) {
  std::set<Action> covered;
  for (const NonKeyRow& row : kNonKeyRows) {
    covered.insert(row.action);
    const std::pair<Role, const char*> cells[] = {
        {Role::kApplication, row.application},
        {Role::kKeyOfficer, row.key_officer},
        {Role::kSecurityAdmin, row.security_admin},
        {Role::kAuditor, row.auditor},
        {Role::kDestructionSupervisor, row.destruction_supervisor},
    };
    for (const auto& [role, cell] : cells) {
      for (bool same : {true, false}) {
        const Reason expected = ReasonOfCell(cell[same ? 0 : 1]);
        const Decision decision = DecideNonKey(row.action, {role}, same);
        EXPECT_EQ(decision.reason, expected)
            << ActionName(row.action) << " by " << RoleName(role) << (same ? " same" : " other")
            << " department: " << decision.message;
        EXPECT_EQ(decision.allowed, expected == Reason::kRole) << ActionName(row.action);
        EXPECT_EQ(decision.grant_id, 0);
        EXPECT_FALSE(decision.message.empty());
      }
    }
    for (bool same : {true, false}) {
      EXPECT_EQ(DecideNonKey(row.action, {}, same).reason, Reason::kRoleNotPermitted)
          << ActionName(row.action);
    }
  }
  EXPECT_EQ(covered.size() + KeyUseActions().size(), AllActions().size());
}

TEST(DecisionTableTest, DisabledPrincipalsAreDeniedEveryAction) {
  const std::set<Role> every_role(AllRoles().begin(), AllRoles().end());
  for (Action action : AllActions()) {
    for (bool same : {true, false}) {
      const Decision decision = DecideNonKey(action, every_role, same, /*enabled=*/false);
      EXPECT_FALSE(decision.allowed) << ActionName(action);
      EXPECT_EQ(decision.reason, Reason::kPrincipalDisabled) << ActionName(action);
      EXPECT_EQ(decision.message, "principal alice is disabled");
    }
  }
}

TEST(ReasonCodeTest, CodesAreDistinctUpperSnakeCase) {
  std::set<std::string> codes;
  for (int i = 0; i <= static_cast<int>(Reason::kMissingTarget); ++i) {
    const std::string code(ReasonCode(static_cast<Reason>(i)));
    EXPECT_TRUE(codes.insert(code).second) << code;
    EXPECT_TRUE(!code.empty() &&
                code.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == std::string::npos)
        << code;
  }
  EXPECT_EQ(ReasonCode(Reason::kOwner), "OWNER");
  EXPECT_EQ(ReasonCode(Reason::kGrantExpired), "GRANT_EXPIRED");
  EXPECT_EQ(ReasonCode(Reason::kGrantWrongOperation), "GRANT_WRONG_OPERATION");
  EXPECT_EQ(ReasonCode(Reason::kMissingTarget), "MISSING_TARGET");
}

}  // namespace
}  // namespace yinjian::policy
