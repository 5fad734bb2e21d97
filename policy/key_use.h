// Internal to the decision engine: rule 5 of decision.h, key use against the key's policy, its
// sharing class and the caller's grants.
#ifndef YINJIAN_POLICY_KEY_USE_H_
#define YINJIAN_POLICY_KEY_USE_H_

#include "policy/decision.h"
#include "policy/policy.h"

namespace yinjian::policy::internal {

// Decides a key use of `operation` by request.caller on *request.key, once rules 1-3 have let
// the caller through. request.key must not be null. Grants in request.grants that are not on
// the key or do not name the caller (or its department) are ignored.
Decision DecideKeyUse(const Request& request, KeyOperation operation);

}  // namespace yinjian::policy::internal

#endif  // YINJIAN_POLICY_KEY_USE_H_
