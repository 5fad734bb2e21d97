// Internal to the decision engine: how decisions are built and departments compared, shared
// by decision.cc (rules 1-4, 6) and key_use.cc (rule 5).
#ifndef YINJIAN_POLICY_DECISION_HELPERS_H_
#define YINJIAN_POLICY_DECISION_HELPERS_H_

#include <cstdint>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "policy/decision.h"
#include "policy/policy.h"

namespace yinjian::policy::internal {

inline Decision Allow(Reason reason, std::string message, int64_t grant_id = 0) {
  return Decision{
      .allowed = true, .reason = reason, .message = std::move(message), .grant_id = grant_id};
}

inline Decision Deny(Reason reason, std::string message) {
  return Decision{.allowed = false, .reason = reason, .message = std::move(message)};
}

// Departments match only when named: a principal or key without a department owns nothing.
inline bool SameDepartment(absl::string_view a, absl::string_view b) {
  return !a.empty() && a == b;
}

// "finance/payroll-key", as keys are named in the API.
inline std::string KeyFullName(const KeyPolicy& key) {
  return absl::StrCat(key.department, "/", key.name);
}

}  // namespace yinjian::policy::internal

#endif  // YINJIAN_POLICY_DECISION_HELPERS_H_
