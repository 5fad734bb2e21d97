// Names, parsing, enum lists and the stand-alone checks of policy/policy.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "policy/policy.h"
#include "tests/support/status_test_macros.h"

namespace yinjian::policy {
namespace {

using ::testing::HasSubstr;

// Every enumerator is listed once, in declaration order (0, 1, 2, ...).
template <typename Enum>
void ExpectDeclarationOrder(const std::vector<Enum>& values, size_t expected_size) {
  ASSERT_EQ(values.size(), expected_size);
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(static_cast<size_t>(values[i]), i);
}

TEST(AllValuesTest, ListEveryEnumeratorInDeclarationOrder) {
  ExpectDeclarationOrder(AllRoles(), 5);
  ExpectDeclarationOrder(AllDataLevels(), 3);
  ExpectDeclarationOrder(AllSharingClasses(), 3);
  ExpectDeclarationOrder(AllKeyOperations(), 8);
  ExpectDeclarationOrder(AllActions(), 26);
  EXPECT_EQ(AllActions().back(), Action::kCreateBackup);
}

// Round trip name -> parse for one enum, and names are distinct.
template <typename Enum, typename NameFn, typename ParseFn>
void ExpectRoundTrips(const std::vector<Enum>& values, NameFn name_of, ParseFn parse) {
  std::set<std::string> seen;
  for (Enum value : values) {
    const std::string name(name_of(value));
    EXPECT_TRUE(seen.insert(name).second) << "duplicate name " << name;
    YJ_ASSERT_OK_AND_ASSIGN(Enum parsed, parse(name));
    EXPECT_EQ(parsed, value) << name;
  }
}

TEST(NamesTest, EveryNameParsesBackToItsValue) {
  ExpectRoundTrips(AllRoles(), RoleName, ParseRole);
  ExpectRoundTrips(AllDataLevels(), DataLevelName, ParseDataLevel);
  ExpectRoundTrips(AllSharingClasses(), SharingClassName, ParseSharingClass);
  ExpectRoundTrips(AllKeyOperations(), KeyOperationName, ParseKeyOperation);
  ExpectRoundTrips(
      std::vector<GrantState>{GrantState::kPending, GrantState::kActive, GrantState::kRevoked},
      GrantStateName, ParseGrantState);
}

TEST(NamesTest, SpellingsAreTheDocumentedOnes) {
  EXPECT_EQ(RoleName(Role::kApplication), "application");
  EXPECT_EQ(RoleName(Role::kKeyOfficer), "key-officer");
  EXPECT_EQ(RoleName(Role::kSecurityAdmin), "security-admin");
  EXPECT_EQ(RoleName(Role::kAuditor), "auditor");
  EXPECT_EQ(RoleName(Role::kDestructionSupervisor), "destruction-supervisor");
  EXPECT_EQ(DataLevelName(DataLevel::kGeneral), "general");
  EXPECT_EQ(DataLevelName(DataLevel::kImportant), "important");
  EXPECT_EQ(DataLevelName(DataLevel::kCore), "core");
  EXPECT_EQ(SharingClassName(SharingClass::kNone), "none");
  EXPECT_EQ(SharingClassName(SharingClass::kConditional), "conditional");
  EXPECT_EQ(SharingClassName(SharingClass::kUnconditional), "unconditional");
  EXPECT_EQ(KeyOperationName(KeyOperation::kGenerateDataKey), "generate-data-key");
  EXPECT_EQ(KeyOperationName(KeyOperation::kVerifyMac), "verify-mac");
  EXPECT_EQ(KeyOperationName(KeyOperation::kGetPublicKey), "get-public-key");
  EXPECT_EQ(GrantStateName(GrantState::kPending), "pending");
  EXPECT_EQ(GrantStateName(GrantState::kActive), "active");
  EXPECT_EQ(GrantStateName(GrantState::kRevoked), "revoked");
  EXPECT_EQ(ActionName(Action::kCreateDepartment), "create-department");
  EXPECT_EQ(ActionName(Action::kWitnessDestruction), "witness-destruction");
  EXPECT_EQ(ActionName(Action::kCreateBackup), "create-backup");
}

TEST(NamesTest, ActionNamesAreDistinctLowercaseWords) {
  std::set<std::string> seen;
  for (Action action : AllActions()) {
    const std::string name(ActionName(action));
    EXPECT_TRUE(seen.insert(name).second) << "duplicate name " << name;
    EXPECT_THAT(name, ::testing::MatchesRegex("[a-z]+(-[a-z]+)*")) << name;
  }
}

TEST(NamesTest, ParseRejectsUnknownNamesNamingTheAcceptedOnes) {
  for (const char* name : {"", "Key-Officer", "key_officer", "keyofficer", " auditor", "admin"}) {
    absl::StatusOr<Role> role = ParseRole(name);
    ASSERT_FALSE(role.ok()) << name;
    EXPECT_EQ(role.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(role.status().message(), HasSubstr("application, key-officer, security-admin"));
  }
  EXPECT_EQ(ParseDataLevel("secret").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ParseDataLevel("secret").status().message(), HasSubstr("general, important, core"));
  EXPECT_EQ(ParseSharingClass("shared").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseSharingClass("None").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseKeyOperation("generate_data_key").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseKeyOperation("digest").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseGrantState("expired").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(NamesTest, ParseEchoesUnknownNamesEscapedAndShort) {
  const std::string hostile = "evil\n" + std::string(500, 'x');
  absl::Status status = ParseRole(hostile).status();
  EXPECT_THAT(status.message(), HasSubstr("evil\\n"));
  EXPECT_THAT(status.message(), ::testing::Not(HasSubstr(std::string(100, 'x'))));
}

TEST(KeyOperationOfTest, KeyUseActionsMapToTheOperationOfTheSameName) {
  int key_use_actions = 0;
  for (Action action : AllActions()) {
    std::optional<KeyOperation> operation = KeyOperationOf(action);
    if (!operation.has_value()) continue;
    ++key_use_actions;
    EXPECT_EQ(KeyOperationName(*operation), ActionName(action));
  }
  EXPECT_EQ(key_use_actions, 8);
  EXPECT_EQ(KeyOperationOf(Action::kDigest), std::nullopt);
  EXPECT_EQ(KeyOperationOf(Action::kGenerateRandom), std::nullopt);
  EXPECT_EQ(KeyOperationOf(Action::kManageKey), std::nullopt);
}

TEST(CheckRoleCombinationTest, OnlyKeyOfficerWithAuditorIsForbidden) {
  const std::vector<Role>& roles = AllRoles();
  for (unsigned mask = 0; mask < (1u << roles.size()); ++mask) {
    std::set<Role> held;
    for (size_t i = 0; i < roles.size(); ++i) {
      if (mask & (1u << i)) held.insert(roles[i]);
    }
    const bool forbidden = held.count(Role::kKeyOfficer) > 0 && held.count(Role::kAuditor) > 0;
    absl::Status status = CheckRoleCombination(held);
    if (forbidden) {
      EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << mask;
      EXPECT_THAT(status.message(), HasSubstr("key-officer"));
    } else {
      YJ_EXPECT_OK(status);
    }
  }
}

TEST(RequiredApprovalsTest, CoreKeysNeedTwoOfficers) {
  EXPECT_EQ(RequiredApprovals(DataLevel::kGeneral), 1);
  EXPECT_EQ(RequiredApprovals(DataLevel::kImportant), 1);
  EXPECT_EQ(RequiredApprovals(DataLevel::kCore), 2);
}

KeyPolicy PayrollKey() {
  return KeyPolicy{
      .department = "finance",
      .name = "payroll-key",
      .level = DataLevel::kImportant,
      .sharing = SharingClass::kUnconditional,
      .allowed_operations = {KeyOperation::kEncrypt, KeyOperation::kDecrypt},
      .shared_operations = {KeyOperation::kEncrypt},
      .allowed_purposes = {"billing", "tax return 2026"},
  };
}

TEST(ValidateKeyPolicyTest, AcceptsWellFormedPolicies) {
  YJ_EXPECT_OK(ValidateKeyPolicy(PayrollKey(), /*software_protected=*/false));
  YJ_EXPECT_OK(ValidateKeyPolicy(PayrollKey(), /*software_protected=*/true));
  YJ_EXPECT_OK(ValidateKeyPolicy(KeyPolicy{}, /*software_protected=*/true));
  KeyPolicy core = PayrollKey();
  core.level = DataLevel::kCore;
  YJ_EXPECT_OK(ValidateKeyPolicy(core, /*software_protected=*/false));
  KeyPolicy every_operation = PayrollKey();
  every_operation.allowed_operations.clear();
  every_operation.shared_operations = {KeyOperation::kSign, KeyOperation::kMac};
  YJ_EXPECT_OK(ValidateKeyPolicy(every_operation, false));
  KeyPolicy longest_purpose = PayrollKey();
  longest_purpose.allowed_purposes = {std::string(128, 'p'), " ~"};
  YJ_EXPECT_OK(ValidateKeyPolicy(longest_purpose, false));
}

TEST(ValidateKeyPolicyTest, CoreKeysMustBeInTheHsm) {
  KeyPolicy core = PayrollKey();
  core.level = DataLevel::kCore;
  absl::Status status = ValidateKeyPolicy(core, /*software_protected=*/true);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("finance/payroll-key"));
}

TEST(ValidateKeyPolicyTest, SharedOperationsOnlyOnUnconditionalKeys) {
  for (SharingClass sharing : {SharingClass::kNone, SharingClass::kConditional}) {
    KeyPolicy key = PayrollKey();
    key.sharing = sharing;
    EXPECT_EQ(ValidateKeyPolicy(key, false).code(), absl::StatusCode::kInvalidArgument);
    key.shared_operations.clear();
    YJ_EXPECT_OK(ValidateKeyPolicy(key, false));
  }
}

TEST(ValidateKeyPolicyTest, SharedOperationsMustBeAllowed) {
  KeyPolicy key = PayrollKey();
  key.shared_operations = {KeyOperation::kEncrypt, KeyOperation::kSign};
  absl::Status status = ValidateKeyPolicy(key, false);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("sign"));
}

TEST(ValidateKeyPolicyTest, RejectsMalformedPurposes) {
  for (const std::string& purpose :
       {std::string(), std::string(129, 'p'), std::string("line\nbreak"), std::string("tab\t"),
        std::string("caf\xc3\xa9"), std::string("del\x7f"), std::string("nul\0x", 5)}) {
    KeyPolicy key = PayrollKey();
    key.allowed_purposes.push_back(purpose);
    EXPECT_EQ(ValidateKeyPolicy(key, false).code(), absl::StatusCode::kInvalidArgument)
        << purpose.size();
  }
}

const absl::Time kNow = absl::FromUnixSeconds(1'780'000'000);

Grant TaxGrant() {
  return Grant{
      .id = 12,
      .key_department = "finance",
      .key_name = "payroll-key",
      .grantee_principal = "alice",
      .grantee_department = "tax",
      .operations = {KeyOperation::kDecrypt},
      .purposes = {"billing"},
      .expires = kNow + absl::Hours(24),
      .max_uses = 10,
      .state = GrantState::kPending,
      .requested_by = "alice",
  };
}

TEST(ValidateGrantTest, AcceptsWellFormedGrants) {
  YJ_EXPECT_OK(ValidateGrant(TaxGrant(), PayrollKey(), kNow));
  Grant department_grant = TaxGrant();
  department_grant.grantee_principal.clear();
  department_grant.max_uses = 0;
  department_grant.expires = absl::InfiniteFuture();
  YJ_EXPECT_OK(ValidateGrant(department_grant, PayrollKey(), kNow));
  KeyPolicy any_purpose = PayrollKey();
  any_purpose.allowed_purposes.clear();
  any_purpose.sharing = SharingClass::kConditional;
  any_purpose.shared_operations.clear();
  Grant other_purpose = TaxGrant();
  other_purpose.purposes = {"research"};
  YJ_EXPECT_OK(ValidateGrant(other_purpose, any_purpose, kNow));
}

struct GrantCase {
  const char* what;
  void (*mutate)(Grant& grant, KeyPolicy& key);
  absl::StatusCode code;
  const char* message_part;
};

TEST(ValidateGrantTest, RejectsEachKindOfError) {
  const GrantCase cases[] = {
      {"no operation", [](Grant& g, KeyPolicy&) { g.operations.clear(); },
       absl::StatusCode::kInvalidArgument, "needs an operation"},
      {"no purpose", [](Grant& g, KeyPolicy&) { g.purposes.clear(); },
       absl::StatusCode::kInvalidArgument, "needs a purpose"},
      {"empty purpose", [](Grant& g, KeyPolicy&) { g.purposes = {""}; },
       absl::StatusCode::kInvalidArgument, "may not be empty"},
      {"no grantee",
       [](Grant& g, KeyPolicy&) {
         g.grantee_principal.clear();
         g.grantee_department.clear();
       },
       absl::StatusCode::kInvalidArgument, "grantee"},
      {"negative max_uses", [](Grant& g, KeyPolicy&) { g.max_uses = -1; },
       absl::StatusCode::kInvalidArgument, "max_uses"},
      {"expires now", [](Grant& g, KeyPolicy&) { g.expires = kNow; },
       absl::StatusCode::kInvalidArgument, "expire"},
      {"expired", [](Grant& g, KeyPolicy&) { g.expires = kNow - absl::Seconds(1); },
       absl::StatusCode::kInvalidArgument, "expire"},
      {"key not shared",
       [](Grant&, KeyPolicy& k) {
         k.sharing = SharingClass::kNone;
         k.shared_operations.clear();
       },
       absl::StatusCode::kFailedPrecondition, "not shared"},
      {"grantee owns the key", [](Grant& g, KeyPolicy&) { g.grantee_department = "finance"; },
       absl::StatusCode::kFailedPrecondition, "owns"},
      {"purpose outside the key's",
       [](Grant& g, KeyPolicy&) {
         g.purposes = {"billing", "marketing"};
       },
       absl::StatusCode::kFailedPrecondition, "marketing"},
      {"operation outside the key's",
       [](Grant& g, KeyPolicy&) {
         g.operations = {KeyOperation::kDecrypt, KeyOperation::kSign};
       },
       absl::StatusCode::kFailedPrecondition, "sign"},
  };
  for (const GrantCase& c : cases) {
    Grant grant = TaxGrant();
    KeyPolicy key = PayrollKey();
    c.mutate(grant, key);
    absl::Status status = ValidateGrant(grant, key, kNow);
    EXPECT_EQ(status.code(), c.code) << c.what << ": " << status;
    EXPECT_THAT(status.message(), HasSubstr(c.message_part)) << c.what;
  }
}

TEST(ValidateGrantTest, ConditionalKeysAcceptGrants) {
  KeyPolicy key = PayrollKey();
  key.sharing = SharingClass::kConditional;
  key.shared_operations.clear();
  YJ_EXPECT_OK(ValidateGrant(TaxGrant(), key, kNow));
}

}  // namespace
}  // namespace yinjian::policy
