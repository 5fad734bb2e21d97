// What the policy engine decided during one call, for that call's audit entry (R9). The API
// layer opens a ScopedDecisionTrace around a handler; AccessController notes each decision it
// makes on the same thread. A batch makes several decisions: the trace keeps the first key and
// whether keys differed, and the first denial (or, if none, the first allowance).
#ifndef YINJIAN_SERVICE_ACCESS_DECISION_TRACE_H_
#define YINJIAN_SERVICE_ACCESS_DECISION_TRACE_H_

#include <string>

#include "absl/strings/string_view.h"
#include "policy/decision.h"

namespace yinjian::access {

struct DecisionTrace {
  std::string key;  // "department/key" of the first key decided on; "" if none
  bool several_keys = false;
  std::string decision;  // "allow", "deny", or "" if nothing was decided
  std::string reason;    // the reason code that goes with `decision`
};

// Makes `trace` the current thread's trace until destroyed (they nest; the inner one wins).
class ScopedDecisionTrace {
 public:
  explicit ScopedDecisionTrace(DecisionTrace* trace);
  ~ScopedDecisionTrace();
  ScopedDecisionTrace(const ScopedDecisionTrace&) = delete;
  ScopedDecisionTrace& operator=(const ScopedDecisionTrace&) = delete;

 private:
  DecisionTrace* const previous_;
};

// Notes the key a call is about, before (or without) any decision on it: a key that does not
// exist, or a key-management call decided on its department.
void TraceKey(absl::string_view key);

// Notes a decision in the current thread's trace, if any. `key` may be empty.
void TraceDecision(absl::string_view key, const policy::Decision& decision);

}  // namespace yinjian::access

#endif  // YINJIAN_SERVICE_ACCESS_DECISION_TRACE_H_
