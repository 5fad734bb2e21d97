#include "service/access/access_controller.h"

#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "service/access/decision_trace.h"
#include "service/access/record_convert.h"
#include "service/format/names.h"

namespace yinjian::access {

std::optional<std::string> DenialReason(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kReasonPayloadUrl);
  if (!payload.has_value()) return std::nullopt;
  return std::string(*payload);
}

absl::Status DecisionStatus(const policy::Decision& decision) {
  if (decision.allowed) return absl::OkStatus();
  const absl::string_view code = policy::ReasonCode(decision.reason);
  absl::Status status = absl::PermissionDeniedError(absl::StrCat(code, ": ", decision.message));
  status.SetPayload(kReasonPayloadUrl, absl::Cord(code));
  return status;
}

absl::StatusOr<policy::KeyPolicy> AccessController::KeyPolicyOf(absl::string_view department,
                                                                absl::string_view key) {
  ASSIGN_OR_RETURN(store::KeyRecord record, keys_.KeyRecordOf(department, key));
  return ToPolicyKey(record);
}

absl::Status AccessController::AuthorizeKeyUse(const Caller& caller, policy::Action action,
                                               absl::string_view key_reference,
                                               absl::string_view purpose) {
  ASSIGN_OR_RETURN(format::KeyReference reference, format::ParseKeyReference(key_reference));
  return AuthorizeKeyUse(caller, action, reference.department, reference.key, purpose);
}

absl::Status AccessController::AuthorizeKeyUse(const Caller& caller, policy::Action action,
                                               absl::string_view department, absl::string_view key,
                                               absl::string_view purpose) {
  TraceKey(absl::StrCat(department, "/", key));  // named in the log even if it does not exist
  ASSIGN_OR_RETURN(policy::KeyPolicy key_policy, KeyPolicyOf(department, key));
  policy::Request request{.caller = caller.principal,
                          .action = action,
                          .key = &key_policy,
                          .purpose = std::string(purpose),
                          .now = clock_()};
  policy::Decision decision = policy::Decide(request);
  // Grants are read only when they could matter: another department, a shared key, no other
  // rule allowing it. The owner's calls cost no store read.
  if (!decision.allowed && decision.reason == policy::Reason::kNoGrant) {
    ASSIGN_OR_RETURN(std::vector<store::GrantRecord> records,
                     store_.GrantsForCaller(department, key, caller.principal.name,
                                            caller.principal.department));
    std::vector<policy::Grant> grants;
    grants.reserve(records.size());
    for (const store::GrantRecord& record : records) grants.push_back(ToPolicyGrant(record));
    request.grants = grants;
    decision = policy::Decide(request);
    if (decision.allowed && decision.reason == policy::Reason::kGrant) {
      for (const store::GrantRecord& record : records) {
        if (record.id == decision.grant_id && record.max_uses > 0) {
          absl::Status used = UseGrant(decision);
          if (!used.ok() && DenialReason(used).has_value()) {
            TraceDecision(absl::StrCat(department, "/", key),
                          {.allowed = false, .reason = policy::Reason::kGrantExhausted});
          } else {
            TraceDecision(absl::StrCat(department, "/", key), decision);
          }
          return used;
        }
      }
    }
  }
  TraceDecision(absl::StrCat(department, "/", key), decision);
  return DecisionStatus(decision);
}

absl::Status AccessController::UseGrant(const policy::Decision& decision) {
  absl::StatusOr<store::GrantRecord> used = store_.ConsumeGrantUse(decision.grant_id, clock_());
  if (absl::IsFailedPrecondition(used.status())) {
    // Another call (or replica) took the last use between the read and the count.
    return DecisionStatus(
        {.allowed = false,
         .reason = policy::Reason::kGrantExhausted,
         .message = absl::StrCat("grant ", decision.grant_id, " has no uses left")});
  }
  return used.status();
}

absl::Status AccessController::Authorize(const Caller& caller, policy::Action action,
                                         absl::string_view target_department) {
  return Check({.caller = caller.principal,
                .action = action,
                .target_department = std::string(target_department)});
}

absl::Status AccessController::Check(policy::Request request) {
  request.now = clock_();
  const policy::Decision decision = policy::Decide(request);
  TraceDecision(request.key == nullptr ? "" : absl::StrCat(request.key->department, "/",
                                                           request.key->name),
                decision);
  return DecisionStatus(decision);
}

}  // namespace yinjian::access
