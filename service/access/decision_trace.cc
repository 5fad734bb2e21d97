#include "service/access/decision_trace.h"

namespace yinjian::access {
namespace {

thread_local DecisionTrace* current_trace = nullptr;

}  // namespace

ScopedDecisionTrace::ScopedDecisionTrace(DecisionTrace* trace) : previous_(current_trace) {
  current_trace = trace;
}

ScopedDecisionTrace::~ScopedDecisionTrace() { current_trace = previous_; }

void TraceKey(absl::string_view key) {
  DecisionTrace* trace = current_trace;
  if (trace == nullptr || key.empty()) return;
  if (trace->key.empty()) {
    trace->key = std::string(key);
  } else if (trace->key != key) {
    trace->several_keys = true;
  }
}

void TraceDecision(absl::string_view key, const policy::Decision& decision) {
  DecisionTrace* trace = current_trace;
  if (trace == nullptr) return;
  TraceKey(key);
  // The first denial wins; an allowance only fills an empty trace.
  if (!decision.allowed && trace->decision != "deny") {
    trace->decision = "deny";
    trace->reason = std::string(policy::ReasonCode(decision.reason));
  } else if (trace->decision.empty()) {
    trace->decision = decision.allowed ? "allow" : "deny";
    trace->reason = std::string(policy::ReasonCode(decision.reason));
  }
}

}  // namespace yinjian::access
