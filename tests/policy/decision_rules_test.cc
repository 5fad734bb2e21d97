// Single rules of policy/decision.h that the tables do not reach: grant requests and
// revocations by department and requester, approvals, missing targets, several roles at once,
// several grants at once, boundaries, and the wording of messages.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "policy/decision.h"
#include "policy/policy.h"

namespace yinjian::policy {
namespace {

using ::testing::HasSubstr;

const absl::Time kNow =
    absl::FromCivil(absl::CivilSecond(2026, 6, 1, 12, 0, 0), absl::UTCTimeZone());

const KeyPolicy kPayroll{.department = "finance",
                         .name = "payroll-key",
                         .level = DataLevel::kImportant,
                         .sharing = SharingClass::kConditional};

Principal Alice(std::string department, std::set<Role> roles) {
  return Principal{.name = "alice", .department = std::move(department), .roles = std::move(roles)};
}

// An active grant on finance/payroll-key for alice of tax: decrypt for billing.
Grant AliceGrant(int64_t id) {
  return Grant{
      .id = id,
      .key_department = "finance",
      .key_name = "payroll-key",
      .grantee_principal = "alice",
      .grantee_department = "tax",
      .operations = {KeyOperation::kDecrypt},
      .purposes = {"billing"},
      .expires = kNow + absl::Hours(1),
      .state = GrantState::kActive,
      .requested_by = "alice",
  };
}

Decision DecideGrantAction(Action action, Principal caller, const Grant& grant) {
  return Decide(Request{.caller = std::move(caller),
                        .action = action,
                        .key = &kPayroll,
                        .now = kNow,
                        .grants = absl::MakeConstSpan(&grant, 1)});
}

TEST(RequestGrantTest, ApplicationsRequestOnlyForThemselves) {
  Grant for_alice = AliceGrant(1);
  for_alice.state = GrantState::kPending;
  EXPECT_TRUE(
      DecideGrantAction(Action::kRequestGrant, Alice("tax", {Role::kApplication}), for_alice)
          .allowed);
  Grant for_her_department = for_alice;
  for_her_department.grantee_principal.clear();
  Decision decision = DecideGrantAction(Action::kRequestGrant, Alice("tax", {Role::kApplication}),
                                        for_her_department);
  EXPECT_EQ(decision.reason, Reason::kOtherDepartment);
  EXPECT_EQ(decision.message,
            "role application may request a grant only for principal alice itself");
  Grant in_other_department = for_alice;
  in_other_department.grantee_department = "health";
  EXPECT_EQ(DecideGrantAction(Action::kRequestGrant, Alice("tax", {Role::kApplication}),
                              in_other_department)
                .reason,
            Reason::kOtherDepartment);
}

TEST(RequestGrantTest, KeyOfficersRequestForTheirDepartmentOrOnTheirKeys) {
  Grant grant = AliceGrant(1);
  grant.grantee_principal = "bob";
  grant.state = GrantState::kPending;
  // Officer of the grantee's department.
  EXPECT_EQ(
      DecideGrantAction(Action::kRequestGrant, Alice("tax", {Role::kKeyOfficer}), grant).reason,
      Reason::kRole);
  // Officer of the owning department, for any grantee.
  EXPECT_TRUE(DecideGrantAction(Action::kRequestGrant, Alice("finance", {Role::kKeyOfficer}), grant)
                  .allowed);
  // Officer of a third department.
  Decision decision =
      DecideGrantAction(Action::kRequestGrant, Alice("health", {Role::kKeyOfficer}), grant);
  EXPECT_EQ(decision.reason, Reason::kOtherDepartment);
  EXPECT_THAT(decision.message, HasSubstr("grant 1"));
}

TEST(RevokeGrantTest, OfficersOfTheGranteeDepartmentMayRevoke) {
  Grant grant = AliceGrant(3);
  grant.requested_by = "bob";
  EXPECT_TRUE(
      DecideGrantAction(Action::kRevokeGrant, Alice("tax", {Role::kKeyOfficer}), grant).allowed);
  EXPECT_EQ(
      DecideGrantAction(Action::kRevokeGrant, Alice("health", {Role::kKeyOfficer}), grant).reason,
      Reason::kOtherDepartment);
  EXPECT_TRUE(
      DecideGrantAction(Action::kRevokeGrant, Alice("health", {Role::kSecurityAdmin}), grant)
          .allowed);
}

TEST(RevokeGrantTest, RequestersWithdrawOnlyPendingRequests) {
  Grant pending = AliceGrant(4);
  pending.state = GrantState::kPending;
  Decision withdrawal = DecideGrantAction(Action::kRevokeGrant, Alice("tax", {}), pending);
  EXPECT_TRUE(withdrawal.allowed);
  EXPECT_EQ(withdrawal.reason, Reason::kRole);
  // Once approved, the grant is no longer the requester's to withdraw.
  Grant active = AliceGrant(4);
  EXPECT_EQ(DecideGrantAction(Action::kRevokeGrant, Alice("tax", {}), active).reason,
            Reason::kRoleNotPermitted);
  EXPECT_EQ(
      DecideGrantAction(Action::kRevokeGrant, Alice("tax", {Role::kApplication}), active).reason,
      Reason::kRoleNotPermitted);
  // Somebody else's request.
  pending.requested_by = "bob";
  EXPECT_EQ(DecideGrantAction(Action::kRevokeGrant, Alice("tax", {}), pending).reason,
            Reason::kRoleNotPermitted);
  // A disabled requester withdraws nothing.
  pending.requested_by = "alice";
  Principal disabled = Alice("tax", {});
  disabled.enabled = false;
  EXPECT_EQ(DecideGrantAction(Action::kRevokeGrant, disabled, pending).reason,
            Reason::kPrincipalDisabled);
}

Decision Approve(Action action, std::string requested_by, std::vector<std::string> approved_by,
                 std::string department = "finance") {
  return Decide(Request{.caller = Alice(std::move(department), {Role::kKeyOfficer}),
                        .action = action,
                        .key = &kPayroll,
                        .now = kNow,
                        .requested_by = std::move(requested_by),
                        .approved_by = std::move(approved_by)});
}

TEST(ApprovalTest, RequesterMayNotApproveNorAnyoneTwice) {
  for (Action action : {Action::kApproveGrant, Action::kApproveDestruction}) {
    EXPECT_TRUE(Approve(action, "bob", {}).allowed);
    EXPECT_TRUE(Approve(action, "bob", {"carol"}).allowed);
    EXPECT_EQ(Approve(action, "alice", {}).reason, Reason::kSelfApproval);
    EXPECT_EQ(Approve(action, "bob", {"carol", "alice"}).reason, Reason::kAlreadyApproved);
    // Rule order: self approval before double approval, department before both.
    EXPECT_EQ(Approve(action, "alice", {"alice"}).reason, Reason::kSelfApproval);
    EXPECT_EQ(Approve(action, "alice", {"alice"}, "tax").reason, Reason::kOtherDepartment);
    EXPECT_EQ(Approve(action, "", {}).reason, Reason::kMissingTarget);
  }
  // Requesting is not approving: a requester may ask for destruction of a key it requested.
  Decision request = Decide(Request{.caller = Alice("finance", {Role::kKeyOfficer}),
                                    .action = Action::kRequestDestruction,
                                    .key = &kPayroll,
                                    .requested_by = "alice"});
  EXPECT_TRUE(request.allowed);
}

// R11: the destruction supervisor who witnesses took no other part in the request.
TEST(ApprovalTest, WitnessIsNeitherRequesterNorApprover) {
  const auto witness = [](std::string requested_by, std::vector<std::string> approved_by) {
    return Decide(Request{.caller = Alice("audit-office", {Role::kDestructionSupervisor}),
                          .action = Action::kWitnessDestruction,
                          .key = &kPayroll,
                          .requested_by = std::move(requested_by),
                          .approved_by = std::move(approved_by)});
  };
  EXPECT_TRUE(witness("bob", {"carol"}).allowed);
  EXPECT_TRUE(witness("", {}).allowed);  // nothing named: the role rule alone
  EXPECT_EQ(witness("alice", {"carol"}).reason, Reason::kSelfApproval);
  EXPECT_EQ(witness("bob", {"carol", "alice"}).reason, Reason::kAlreadyApproved);
  EXPECT_EQ(Decide(Request{.caller = Alice("finance", {Role::kKeyOfficer}),
                           .action = Action::kWitnessDestruction,
                           .key = &kPayroll,
                           .requested_by = "bob"})
                .reason,
            Reason::kRoleNotPermitted);
}

TEST(MissingTargetTest, CallerBugsAreReportedAfterTheRoleCheck) {
  const Principal application = Alice("finance", {Role::kApplication});
  const Principal officer = Alice("finance", {Role::kKeyOfficer});
  EXPECT_EQ(Decide(Request{.caller = application, .action = Action::kEncrypt}).reason,
            Reason::kMissingTarget);
  EXPECT_EQ(Decide(Request{.caller = Alice("finance", {}), .action = Action::kEncrypt}).reason,
            Reason::kRoleNotPermitted);
  EXPECT_EQ(Decide(Request{.caller = officer, .action = Action::kCreateKey}).reason,
            Reason::kMissingTarget);
  EXPECT_TRUE(
      Decide(
          Request{.caller = officer, .action = Action::kCreateKey, .target_department = "finance"})
          .allowed);
  EXPECT_EQ(
      Decide(Request{.caller = officer, .action = Action::kRequestGrant, .key = &kPayroll}).reason,
      Reason::kMissingTarget);
  EXPECT_EQ(Decide(Request{.caller = officer, .action = Action::kRequestDestruction}).reason,
            Reason::kMissingTarget);
  Grant elsewhere = AliceGrant(9);
  elsewhere.key_name = "ledger-key";
  Decision decision = DecideGrantAction(Action::kRevokeGrant, officer, elsewhere);
  EXPECT_EQ(decision.reason, Reason::kMissingTarget);
  EXPECT_EQ(decision.message, "grant 9 is not on key finance/payroll-key");
  // Digests and random bytes need no key.
  EXPECT_TRUE(Decide(Request{.caller = application, .action = Action::kDigest}).allowed);
}

TEST(DepartmentTest, KeyAndTargetDepartmentMustBothBeTheCallers) {
  const Principal officer = Alice("finance", {Role::kKeyOfficer});
  EXPECT_TRUE(
      Decide(Request{.caller = officer, .action = Action::kManageKey, .key = &kPayroll}).allowed);
  Decision decision = Decide(Request{
      .caller = officer, .action = Action::kReadKey, .key = &kPayroll, .target_department = "tax"});
  EXPECT_EQ(decision.reason, Reason::kOtherDepartment);
  EXPECT_EQ(decision.message,
            "role key-officer of department finance may not act on department tax");
  // Auditors read any department's keys, listings included.
  EXPECT_TRUE(Decide(Request{.caller = Alice("audit", {Role::kAuditor}),
                             .action = Action::kReadKey,
                             .target_department = "tax"})
                  .allowed);
  // Nobody owns a key without naming a department.
  const KeyPolicy orphan{.name = "orphan"};
  EXPECT_EQ(Decide(Request{.caller = Alice("", {Role::kKeyOfficer}),
                           .action = Action::kManageKey,
                           .key = &orphan})
                .reason,
            Reason::kOtherDepartment);
}

TEST(SeveralRolesTest, AnyHeldRoleThatFitsAllows) {
  // An application that is also a key officer elsewhere reads a shared key's public key as an
  // application.
  const KeyPolicy shared{
      .department = "finance", .name = "signing-key", .sharing = SharingClass::kUnconditional};
  Decision decision =
      Decide(Request{.caller = Alice("tax", {Role::kKeyOfficer, Role::kApplication}),
                     .action = Action::kGetPublicKey,
                     .key = &shared});
  EXPECT_EQ(decision.reason, Reason::kShared);
  decision = Decide(Request{.caller = Alice("tax", {Role::kKeyOfficer}),
                            .action = Action::kGetPublicKey,
                            .key = &shared});
  EXPECT_EQ(decision.reason, Reason::kOtherDepartment);
  // Officer of another department and auditor: the auditor may read the key.
  EXPECT_TRUE(Decide(Request{.caller = Alice("tax", {Role::kKeyOfficer, Role::kAuditor}),
                             .action = Action::kReadKey,
                             .key = &kPayroll})
                  .allowed);
}

Decision UseWithGrants(const std::vector<Grant>& grants, std::string purpose = "billing") {
  return Decide(Request{.caller = Alice("tax", {Role::kApplication}),
                        .action = Action::kDecrypt,
                        .key = &kPayroll,
                        .purpose = std::move(purpose),
                        .now = kNow,
                        .grants = grants});
}

TEST(GrantSelectionTest, TheGrantThatGotFurthestExplainsADenial) {
  Grant pending = AliceGrant(1);
  pending.state = GrantState::kPending;
  Grant expired = AliceGrant(2);
  expired.expires = kNow - absl::Minutes(1);
  Grant revoked = AliceGrant(3);
  revoked.state = GrantState::kRevoked;
  Grant wrong_purpose = AliceGrant(4);
  wrong_purpose.purposes = {"research"};
  Grant exhausted = AliceGrant(5);
  exhausted.max_uses = 3;
  exhausted.uses = 3;
  EXPECT_EQ(UseWithGrants({pending, expired}).reason, Reason::kGrantExpired);
  EXPECT_EQ(UseWithGrants({expired, pending}).reason, Reason::kGrantExpired);
  EXPECT_EQ(UseWithGrants({wrong_purpose, revoked}).reason, Reason::kGrantWrongPurpose);
  EXPECT_EQ(UseWithGrants({pending, revoked}).reason, Reason::kGrantRevoked);
  EXPECT_EQ(UseWithGrants({exhausted, expired}).reason, Reason::kGrantExhausted);
  // Among equals, the first.
  Grant expired_later = AliceGrant(6);
  expired_later.expires = kNow - absl::Seconds(1);
  EXPECT_THAT(UseWithGrants({expired, expired_later}).message, HasSubstr("grant 2 "));
}

TEST(GrantSelectionTest, AnyUsableGrantAllowsAndIsNamed) {
  Grant revoked = AliceGrant(1);
  revoked.state = GrantState::kRevoked;
  Grant department_grant = AliceGrant(2);
  department_grant.grantee_principal.clear();
  Grant usable = AliceGrant(3);
  Decision decision = UseWithGrants({revoked, department_grant, usable});
  EXPECT_TRUE(decision.allowed);
  EXPECT_EQ(decision.reason, Reason::kGrant);
  EXPECT_EQ(decision.grant_id, 2);
  EXPECT_EQ(UseWithGrants({revoked, usable}).grant_id, 3);
}

TEST(GrantSelectionTest, GrantsForOthersAreIgnored) {
  Grant for_bob = AliceGrant(1);
  for_bob.grantee_principal = "bob";
  Grant for_health = AliceGrant(2);
  for_health.grantee_principal.clear();
  for_health.grantee_department = "health";
  Grant on_other_key = AliceGrant(3);
  on_other_key.key_name = "ledger-key";
  Grant alice_elsewhere = AliceGrant(4);
  alice_elsewhere.grantee_department = "health";  // another alice, or alice before she moved
  Decision decision = UseWithGrants({for_bob, for_health, on_other_key, alice_elsewhere});
  EXPECT_EQ(decision.reason, Reason::kNoGrant);
  EXPECT_EQ(decision.message,
            "principal alice (department tax) has no grant for finance/payroll-key");
}

TEST(GrantBoundaryTest, ExpiryAndUses) {
  Grant grant = AliceGrant(12);
  grant.expires = kNow;
  Decision decision = UseWithGrants({grant});
  EXPECT_EQ(decision.reason, Reason::kGrantExpired);
  EXPECT_EQ(decision.message, "grant 12 expired at 2026-06-01T12:00:00Z");
  grant.expires = kNow + absl::Nanoseconds(1);
  EXPECT_TRUE(UseWithGrants({grant}).allowed);
  grant.max_uses = 0;
  grant.uses = 1'000'000;
  EXPECT_TRUE(UseWithGrants({grant}).allowed) << "max_uses 0 is unlimited";
  grant.max_uses = 2;
  grant.uses = 1;
  EXPECT_TRUE(UseWithGrants({grant}).allowed);
  grant.uses = 2;
  EXPECT_EQ(UseWithGrants({grant}).reason, Reason::kGrantExhausted);
  grant.max_uses = -1;
  grant.uses = 0;
  EXPECT_EQ(UseWithGrants({grant}).reason, Reason::kGrantExhausted) << "deny by default";
}

TEST(GrantPurposeTest, GrantsNeverCoverAnEmptyPurpose) {
  EXPECT_EQ(UseWithGrants({AliceGrant(1)}, "").reason, Reason::kGrantWrongPurpose);
  EXPECT_EQ(UseWithGrants({AliceGrant(1)}, "Billing").reason, Reason::kGrantWrongPurpose);
}

TEST(MessageTest, MessagesNameTheSubjectsButNotThePurpose) {
  const KeyPolicy core{.department = "finance",
                       .name = "payroll-key",
                       .level = DataLevel::kCore,
                       .allowed_purposes = {"billing"}};
  Decision decision = Decide(Request{.caller = Alice("finance", {Role::kApplication}),
                                     .action = Action::kSign,
                                     .key = &core,
                                     .purpose = "secret-project-x"});
  EXPECT_EQ(decision.reason, Reason::kPurposeNotAllowed);
  EXPECT_THAT(decision.message, HasSubstr("finance/payroll-key"));
  EXPECT_THAT(decision.message, ::testing::Not(HasSubstr("secret-project-x")));
  decision = Decide(Request{
      .caller = Alice("finance", {Role::kApplication}), .action = Action::kSign, .key = &core});
  EXPECT_EQ(decision.message, "core key finance/payroll-key needs a declared purpose");
  decision = Decide(Request{.caller = Alice("finance", {}), .action = Action::kReadAudit});
  EXPECT_EQ(decision.message, "principal alice holds no role that may read-audit");
}

}  // namespace
}  // namespace yinjian::policy
