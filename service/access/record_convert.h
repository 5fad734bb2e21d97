// Store records as the policy engine's values, and back. Names stored in the store were
// validated on the way in; a name the engine does not know (a newer binary's role, say) is
// dropped, so it can only ever take rights away (deny by default).
#ifndef YINJIAN_SERVICE_ACCESS_RECORD_CONVERT_H_
#define YINJIAN_SERVICE_ACCESS_RECORD_CONVERT_H_

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "policy/policy.h"
#include "service/store/records.h"

namespace yinjian::access {

policy::Principal ToPolicyPrincipal(const store::PrincipalRecord& record);
policy::KeyPolicy ToPolicyKey(const store::KeyRecord& record);
policy::Grant ToPolicyGrant(const store::GrantRecord& record);

// Parses every name; INVALID_ARGUMENT naming the first unknown one.
absl::StatusOr<std::set<policy::KeyOperation>> ParseOperations(
    const std::vector<std::string>& names);
absl::StatusOr<std::set<policy::Role>> ParseRoles(const std::vector<std::string>& names);

std::vector<std::string> OperationNames(const std::set<policy::KeyOperation>& operations);
std::vector<std::string> RoleNames(const std::set<policy::Role>& roles);

// What a grant does at `now`: "pending", "active", "expired", "exhausted" or "revoked".
std::string EffectiveGrantState(const store::GrantRecord& grant, absl::Time now);

}  // namespace yinjian::access

#endif  // YINJIAN_SERVICE_ACCESS_RECORD_CONVERT_H_
