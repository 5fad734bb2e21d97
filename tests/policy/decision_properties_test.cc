// Invariants of the decision engine over many random requests (seeded, so failures reproduce):
// random roles (forbidden combinations included), key policies, grants, purposes and times.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "policy/decision.h"
#include "policy/policy.h"

namespace yinjian::policy {
namespace {

constexpr int kIterations = 40000;
constexpr unsigned kSeed = 20260601;

const std::vector<std::string> kDepartments = {"finance", "tax", "health"};
const std::vector<std::string> kNames = {"alice", "bob", "carol"};
const std::vector<std::string> kPurposes = {"billing", "reporting", "audit", "marketing"};
const absl::Time kBase = absl::FromUnixSeconds(1'780'000'000);

// The roles decision.h lists for each action (rule 2), written out again here.
std::set<Role> SpecRoles(Action action) {
  using R = Role;
  switch (action) {
    case Action::kGetPublicKey:
      return {R::kApplication, R::kKeyOfficer};
    case Action::kCreateDepartment:
    case Action::kManagePrincipals:
    case Action::kCreateBackup:
      return {R::kSecurityAdmin};
    case Action::kListDepartments:
      return {R::kApplication, R::kKeyOfficer, R::kSecurityAdmin, R::kAuditor,
              R::kDestructionSupervisor};
    case Action::kReadPrincipals:
      return {R::kSecurityAdmin, R::kAuditor};
    case Action::kCreateKey:
    case Action::kManageKey:
    case Action::kApproveGrant:
    case Action::kRequestDestruction:
    case Action::kApproveDestruction:
      return {R::kKeyOfficer};
    case Action::kReadKey:
      return {R::kKeyOfficer, R::kApplication, R::kAuditor};
    case Action::kRequestGrant:
      return {R::kKeyOfficer, R::kApplication};
    case Action::kRevokeGrant:
      return {R::kKeyOfficer, R::kSecurityAdmin};
    case Action::kReadGrants:
      return {R::kKeyOfficer, R::kSecurityAdmin, R::kAuditor, R::kApplication};
    case Action::kReadAudit:
      return {R::kAuditor};
    case Action::kWitnessDestruction:
      return {R::kDestructionSupervisor};
    default:
      return {R::kApplication};  // key use, digest, random
  }
}

// Owns everything a Request points into, so requests can be rebuilt after changes.
struct Scenario {
  Principal caller;
  Action action = Action::kEncrypt;
  std::optional<KeyPolicy> key;
  std::string target_department;
  std::string purpose;
  absl::Time now;
  std::vector<Grant> grants;
  std::string requested_by;
  std::vector<std::string> approved_by;

  Request ToRequest() const {
    return Request{.caller = caller,
                   .action = action,
                   .key = key.has_value() ? &*key : nullptr,
                   .target_department = target_department,
                   .purpose = purpose,
                   .now = now,
                   .grants = grants,
                   .requested_by = requested_by,
                   .approved_by = approved_by};
  }
};

class Generator {
 public:
  explicit Generator(unsigned seed) : random_(seed) {}

  Scenario Next() {
    Scenario s;
    s.caller = Principal{.name = Pick(kNames),
                         .department = Pick(kDepartments),
                         .roles = Subset(AllRoles(), 0.35),
                         .enabled = Chance(0.85)};
    s.action = Chance(0.5) ? Pick(KeyUseActions()) : Pick(AllActions());
    if (Chance(0.95)) s.key = RandomKey();
    s.target_department = Chance(0.5) ? "" : Pick(kDepartments);
    s.purpose = Chance(0.2) ? "" : Pick(kPurposes);
    s.now = kBase + absl::Seconds(Uniform(-1'000'000, 1'000'000));
    const int grant_count = Uniform(0, 4);
    for (int i = 0; i < grant_count; ++i) s.grants.push_back(RandomGrant(s, i + 1));
    s.requested_by = Chance(0.1) ? "" : Pick(kNames);
    s.approved_by = Subset(kNames, 0.3);
    return s;
  }

  // A grant that can never allow: revoked, expired or exhausted, but otherwise as usable as
  // possible (on the key, naming the caller, covering the operation and purpose).
  Grant UselessGrant(const Scenario& s, int64_t id) {
    Grant grant = RandomGrant(s, id);
    grant.key_department = s.key->department;
    grant.key_name = s.key->name;
    grant.grantee_department = s.caller.department;
    grant.grantee_principal = Chance(0.5) ? s.caller.name : "";
    grant.operations = {AllKeyOperations().begin(), AllKeyOperations().end()};
    grant.purposes = {s.purpose};
    grant.state = GrantState::kActive;
    grant.expires = absl::InfiniteFuture();
    grant.max_uses = 0;
    switch (Uniform(0, 2)) {
      case 0:
        grant.state = GrantState::kRevoked;
        break;
      case 1:
        grant.expires = s.now - absl::Seconds(Uniform(0, 1000));
        break;
      default:
        grant.max_uses = Uniform(1, 5);
        grant.uses = grant.max_uses + Uniform(0, 2);
        break;
    }
    return grant;
  }

  static const std::vector<Action>& KeyUseActions() {
    static const auto* const kActions = [] {
      auto* actions = new std::vector<Action>;
      for (Action action : AllActions()) {
        if (KeyOperationOf(action).has_value()) actions->push_back(action);
      }
      return actions;
    }();
    return *kActions;
  }

 private:
  bool Chance(double p) { return std::bernoulli_distribution(p)(random_); }
  int Uniform(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }
  template <typename T>
  T Pick(const std::vector<T>& values) {
    return values[Uniform(0, static_cast<int>(values.size()) - 1)];
  }
  // Enums come back as the std::set the policy types use, strings as a std::vector.
  template <typename T>
  using SubsetOf = std::conditional_t<std::is_enum_v<T>, std::set<T>, std::vector<T>>;
  template <typename T>
  SubsetOf<T> Subset(const std::vector<T>& values, double p) {
    SubsetOf<T> subset;
    for (const T& value : values) {
      if (Chance(p)) subset.insert(subset.end(), value);
    }
    return subset;
  }

  KeyPolicy RandomKey() {
    KeyPolicy key{.department = Pick(kDepartments),
                  .name = Chance(0.8) ? "payroll-key" : "ledger-key",
                  .level = Pick(AllDataLevels()),
                  .sharing = Pick(AllSharingClasses())};
    if (Chance(0.5)) key.allowed_operations = Subset(AllKeyOperations(), 0.6);
    if (Chance(0.5)) key.shared_operations = Subset(AllKeyOperations(), 0.5);
    if (Chance(0.5)) key.allowed_purposes = Subset(kPurposes, 0.5);
    return key;
  }

  // Mostly grants on the key for the caller or its department, sometimes for others.
  Grant RandomGrant(const Scenario& s, int64_t id) {
    const bool on_key = s.key.has_value() && Chance(0.85);
    Grant grant{
        .id = id,
        .key_department = on_key ? s.key->department : Pick(kDepartments),
        .key_name = on_key ? s.key->name : "ledger-key",
        .grantee_principal = Chance(0.5) ? "" : (Chance(0.7) ? s.caller.name : Pick(kNames)),
        .grantee_department = Chance(0.8) ? s.caller.department : Pick(kDepartments),
        .operations = Subset(AllKeyOperations(), 0.5),
        .purposes = Subset(kPurposes, 0.5),
        .max_uses = Uniform(0, 3),
        .uses = Uniform(0, 4),
        .state = static_cast<GrantState>(Uniform(0, 2)),
        .requested_by = Pick(kNames),
    };
    switch (Uniform(0, 3)) {
      case 0:
        grant.expires = absl::InfiniteFuture();
        break;
      case 1:
        grant.expires = s.now;
        break;
      default:
        grant.expires = s.now + absl::Seconds(Uniform(-5000, 5000));
        break;
    }
    return grant;
  }

  std::mt19937 random_;
};

bool Contains(const std::vector<std::string>& values, const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

std::string Describe(const Scenario& s, const Decision& d) {
  std::vector<std::string> roles;
  for (Role role : s.caller.roles) roles.emplace_back(RoleName(role));
  return absl::StrFormat(
      "%s %s (%s) [%s] %s key=%s purpose=\"%s\" grants=%d -> %s %s grant %d \"%s\"",
      s.caller.enabled ? "enabled" : "disabled", s.caller.name, s.caller.department,
      absl::StrJoin(roles, ","), ActionName(s.action),
      s.key ? s.key->department + "/" + s.key->name : "none", s.purpose, s.grants.size(),
      d.allowed ? "allowed" : "denied", ReasonCode(d.reason), d.grant_id, d.message);
}

// Is `grant` one that may allow this key use, by the rules as decision.h states them?
bool GrantAllows(const Grant& grant, const Scenario& s, KeyOperation operation) {
  return grant.key_department == s.key->department && grant.key_name == s.key->name &&
         grant.grantee_department == s.caller.department &&
         (grant.grantee_principal.empty() || grant.grantee_principal == s.caller.name) &&
         grant.state == GrantState::kActive && s.now < grant.expires &&
         (grant.max_uses == 0 || grant.uses < grant.max_uses) &&
         grant.operations.count(operation) > 0 && Contains(grant.purposes, s.purpose);
}

// The invariants of one decision. Returns "" or what is broken.
std::string BrokenInvariant(const Scenario& s, const Decision& d) {
  const bool allow_reason = d.reason == Reason::kOwner || d.reason == Reason::kShared ||
                            d.reason == Reason::kGrant || d.reason == Reason::kRole;
  if (d.allowed != allow_reason) return "allowed flag and reason disagree";
  if (d.message.empty()) return "empty message";
  if (d.reason != Reason::kGrant && d.grant_id != 0) return "grant_id without kGrant";
  if (!d.allowed) return "";
  if (!s.caller.enabled) return "disabled principal allowed";
  const std::set<Role> permitted = SpecRoles(s.action);
  const bool has_role = std::any_of(s.caller.roles.begin(), s.caller.roles.end(),
                                    [&](Role role) { return permitted.count(role) > 0; });
  const bool withdrawing = s.action == Action::kRevokeGrant && !s.grants.empty() &&
                           s.grants[0].requested_by == s.caller.name;
  if (!has_role && !withdrawing) return "allowed without a permitted role";
  const std::optional<KeyOperation> operation = KeyOperationOf(s.action);
  if (!operation.has_value()) return d.reason == Reason::kRole ? "" : "non-key action not kRole";
  if (!s.key.has_value()) return "key use allowed without a key";
  const KeyPolicy& key = *s.key;
  if (!key.allowed_operations.empty() && key.allowed_operations.count(*operation) == 0) {
    return "operation outside allowed_operations";
  }
  if (!key.allowed_purposes.empty() && !Contains(key.allowed_purposes, s.purpose)) {
    return "purpose outside allowed_purposes";
  }
  if (key.level == DataLevel::kCore && s.purpose.empty()) return "core key without purpose";
  if (s.caller.department == key.department) {
    return d.reason == Reason::kOwner ? "" : "owner allowed for another reason";
  }
  if (key.sharing == SharingClass::kNone) return "unshared key used by another department";
  if (d.reason == Reason::kShared) {
    const bool shared =
        key.sharing == SharingClass::kUnconditional &&
        (key.shared_operations.empty() || key.shared_operations.count(*operation) > 0);
    return shared ? "" : "kShared for an operation that is not shared";
  }
  if (d.reason != Reason::kGrant) return "other department allowed without sharing or grant";
  const bool backed = std::any_of(s.grants.begin(), s.grants.end(), [&](const Grant& grant) {
    return grant.id == d.grant_id && GrantAllows(grant, s, *operation);
  });
  return backed ? "" : "kGrant without a usable grant of that id";
}

bool SameDecision(const Decision& a, const Decision& b) {
  return a.allowed == b.allowed && a.reason == b.reason && a.message == b.message &&
         a.grant_id == b.grant_id;
}

TEST(DecisionPropertiesTest, InvariantsHoldForRandomRequests) {
  Generator generator(kSeed);
  std::map<Reason, int> reasons_seen;
  int failures = 0;
  for (int i = 0; i < kIterations && failures < 20; ++i) {
    const Scenario s = generator.Next();
    const Decision decision = Decide(s.ToRequest());
    ++reasons_seen[decision.reason];
    const std::string broken = BrokenInvariant(s, decision);
    if (!broken.empty()) {
      ++failures;
      ADD_FAILURE() << "iteration " << i << ": " << broken << ": " << Describe(s, decision);
    }
    if (!SameDecision(decision, Decide(s.ToRequest()))) {
      ++failures;
      ADD_FAILURE() << "iteration " << i << ": not deterministic: " << Describe(s, decision);
    }
  }
  EXPECT_EQ(failures, 0);
  // The generator reaches every outcome, so the invariants above are not vacuous.
  for (int r = 0; r <= static_cast<int>(Reason::kMissingTarget); ++r) {
    EXPECT_GE(reasons_seen[static_cast<Reason>(r)], 10) << ReasonCode(static_cast<Reason>(r));
  }
}

TEST(DecisionPropertiesTest, UselessGrantsNeverTurnADenialIntoAnAllow) {
  Generator generator(kSeed + 1);
  int denials_checked = 0;
  int failures = 0;
  for (int i = 0; i < kIterations && failures < 20; ++i) {
    Scenario s = generator.Next();
    if (!KeyOperationOf(s.action).has_value() || !s.key.has_value()) continue;
    const Decision before = Decide(s.ToRequest());
    if (before.allowed) continue;
    ++denials_checked;
    const int added = 1 + static_cast<int>(i % 3);
    for (int g = 0; g < added; ++g) {
      s.grants.insert(i % 2 == 0 ? s.grants.end() : s.grants.begin(),
                      generator.UselessGrant(s, 100 + g));
    }
    const Decision after = Decide(s.ToRequest());
    if (after.allowed) {
      ++failures;
      ADD_FAILURE() << "iteration " << i << ": " << Describe(s, after) << " was "
                    << ReasonCode(before.reason);
    }
  }
  EXPECT_EQ(failures, 0);
  EXPECT_GT(denials_checked, 1000);
}

TEST(DecisionPropertiesTest, GrantsNotForTheCallerChangeNothing) {
  Generator generator(kSeed + 2);
  int failures = 0;
  for (int i = 0; i < kIterations && failures < 20; ++i) {
    Scenario s = generator.Next();
    if (!KeyOperationOf(s.action).has_value() || !s.key.has_value()) continue;
    const Decision with_all = Decide(s.ToRequest());
    std::erase_if(s.grants, [&](const Grant& grant) {
      const bool names_caller =
          grant.key_department == s.key->department && grant.key_name == s.key->name &&
          grant.grantee_department == s.caller.department &&
          (grant.grantee_principal.empty() || grant.grantee_principal == s.caller.name);
      return !names_caller;
    });
    if (!SameDecision(with_all, Decide(s.ToRequest()))) {
      ++failures;
      ADD_FAILURE() << "iteration " << i << ": " << Describe(s, with_all);
    }
  }
  EXPECT_EQ(failures, 0);
}

}  // namespace
}  // namespace yinjian::policy
