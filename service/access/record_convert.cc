#include "service/access/record_convert.h"

#include "absl/strings/str_cat.h"

namespace yinjian::access {
namespace {

template <typename T, typename Parse>
std::set<T> ParseKnown(const std::vector<std::string>& names, Parse parse) {
  std::set<T> values;
  for (const std::string& name : names) {
    absl::StatusOr<T> value = parse(name);
    if (value.ok()) values.insert(*value);
  }
  return values;
}

template <typename T, typename Parse>
absl::StatusOr<std::set<T>> ParseAll(const std::vector<std::string>& names, Parse parse) {
  std::set<T> values;
  for (const std::string& name : names) {
    absl::StatusOr<T> value = parse(name);
    if (!value.ok()) return value.status();
    values.insert(*value);
  }
  return values;
}

}  // namespace

policy::Principal ToPolicyPrincipal(const store::PrincipalRecord& record) {
  return {.name = record.name,
          .department = record.department,
          .roles = ParseKnown<policy::Role>(record.roles, policy::ParseRole),
          .enabled = record.state == store::kPrincipalEnabled};
}

policy::KeyPolicy ToPolicyKey(const store::KeyRecord& record) {
  policy::KeyPolicy key{.department = record.department, .name = record.name};
  // An unreadable level or class is treated as the strictest one.
  key.level = policy::ParseDataLevel(record.data_level).value_or(policy::DataLevel::kCore);
  key.sharing =
      policy::ParseSharingClass(record.sharing_class).value_or(policy::SharingClass::kNone);
  key.allowed_operations =
      ParseKnown<policy::KeyOperation>(record.allowed_operations, policy::ParseKeyOperation);
  key.shared_operations =
      ParseKnown<policy::KeyOperation>(record.shared_operations, policy::ParseKeyOperation);
  key.allowed_purposes = record.allowed_purposes;
  return key;
}

policy::Grant ToPolicyGrant(const store::GrantRecord& record) {
  return {
      .id = record.id,
      .key_department = record.key_department,
      .key_name = record.key_name,
      .grantee_principal = record.grantee_principal,
      .grantee_department = record.grantee_department,
      .operations = ParseKnown<policy::KeyOperation>(record.operations, policy::ParseKeyOperation),
      .purposes = record.purposes,
      .expires = record.expires,
      .max_uses = record.max_uses,
      .uses = record.uses,
      // An unknown state never counts as active.
      .state = policy::ParseGrantState(record.state).value_or(policy::GrantState::kRevoked),
      .requested_by = record.requested_by,
      .approved_by = record.approved_by};
}

absl::StatusOr<std::set<policy::KeyOperation>> ParseOperations(
    const std::vector<std::string>& names) {
  return ParseAll<policy::KeyOperation>(names, policy::ParseKeyOperation);
}

absl::StatusOr<std::set<policy::Role>> ParseRoles(const std::vector<std::string>& names) {
  return ParseAll<policy::Role>(names, policy::ParseRole);
}

std::vector<std::string> OperationNames(const std::set<policy::KeyOperation>& operations) {
  std::vector<std::string> names;
  for (policy::KeyOperation operation : operations) {
    names.emplace_back(policy::KeyOperationName(operation));
  }
  return names;
}

std::vector<std::string> RoleNames(const std::set<policy::Role>& roles) {
  std::vector<std::string> names;
  for (policy::Role role : roles) names.emplace_back(policy::RoleName(role));
  return names;
}

std::string EffectiveGrantState(const store::GrantRecord& grant, absl::Time now) {
  if (grant.state != store::kGrantActive) return grant.state;
  if (now >= grant.expires) return "expired";
  if (grant.max_uses > 0 && grant.uses >= grant.max_uses) return "exhausted";
  return grant.state;
}

}  // namespace yinjian::access
