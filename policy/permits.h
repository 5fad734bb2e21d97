// Internal to the decision engine: rules 2 and 3 of decision.h as data. For each action, which
// roles may perform it and, per role, which departments that role may act on.
#ifndef YINJIAN_POLICY_PERMITS_H_
#define YINJIAN_POLICY_PERMITS_H_

#include "absl/types/span.h"
#include "policy/policy.h"

namespace yinjian::policy::internal {

// Where a role may act (rule 3).
enum class Scope {
  kAnyDepartment,
  // The key's department and target_department (whichever the request names) are the caller's.
  kOwnDepartment,
  // The key's department or the department of the grant's grantee (grants[0]) is the caller's.
  kOwnerOrGranteeDepartment,
  // The grant (grants[0]) names the caller itself as grantee principal.
  kOnlyForItself,
};

struct Permit {
  Role role;
  Scope scope;
};

// The roles that may perform `action`, each with its scope; empty for no role (never happens
// for a valid Action). The span points to static storage.
absl::Span<const Permit> PermitsFor(Action action);

}  // namespace yinjian::policy::internal

#endif  // YINJIAN_POLICY_PERMITS_H_
