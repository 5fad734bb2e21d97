#include "service/access/destruction_manager.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "service/format/names.h"

namespace yinjian::access {
namespace {

using policy::Action;
using policy::Role;

bool Has(const Caller& caller, Role role) { return caller.principal.roles.contains(role); }

std::string Subject(const store::DestructionRecord& request) {
  std::string subject = absl::StrCat(request.department, "/", request.key);
  if (request.version != 0) absl::StrAppend(&subject, ":", request.version);
  return subject;
}

}  // namespace

bool MaySee(const Caller& caller, const store::DestructionRecord& request) {
  if (Has(caller, Role::kDestructionSupervisor) || Has(caller, Role::kAuditor)) return true;
  return Has(caller, Role::kKeyOfficer) && caller.principal.department == request.department;
}

void DestructionManager::Record(const Caller& caller, absl::string_view action, int64_t id,
                                absl::string_view detail) {
  if (!events_) return;
  events_({.actor = caller.principal.name,
           .action = std::string(action),
           .subject = absl::StrCat("destruction ", id),
           .detail = std::string(detail)});
}

absl::StatusOr<store::DestructionRecord> DestructionManager::Request(const Caller& caller,
                                                                     absl::string_view name,
                                                                     absl::string_view reason) {
  ASSIGN_OR_RETURN(format::KeyReference reference, format::ParseKeyReference(name));
  if (reason.empty()) {
    return absl::InvalidArgumentError("a destruction request needs a reason (R11)");
  }
  ASSIGN_OR_RETURN(policy::KeyPolicy key, access_.KeyPolicyOf(reference.department, reference.key));
  RETURN_IF_ERROR(access_.Check(
      {.caller = caller.principal, .action = Action::kRequestDestruction, .key = &key}));
  ASSIGN_OR_RETURN(
      store::DestructionRecord created,
      store_.CreateDestruction({.department = reference.department,
                                .key = reference.key,
                                .version = reference.version.value_or(0),
                                .reason = std::string(reason),
                                .state = store::kDestructionPending,
                                .required_approvals = policy::RequiredApprovals(key.level),
                                .requested_by = caller.principal.name,
                                .requested = access_.Now()}));
  Record(caller, "destruction.request", created.id,
         absl::StrCat(Subject(created), ": ", created.reason));
  return created;
}

absl::StatusOr<store::DestructionRecord> DestructionManager::Load(const Caller& caller,
                                                                  int64_t id) {
  absl::StatusOr<store::DestructionRecord> request = store_.GetDestruction(id);
  if (absl::IsNotFound(request.status()) || (request.ok() && !MaySee(caller, *request))) {
    return absl::NotFoundError(absl::StrCat("no destruction request ", id));
  }
  return request;
}

absl::StatusOr<store::DestructionRecord> DestructionManager::LoadFor(const Caller& caller,
                                                                     int64_t id,
                                                                     policy::Action action,
                                                                     bool countersign) {
  ASSIGN_OR_RETURN(store::DestructionRecord request, Load(caller, id));
  ASSIGN_OR_RETURN(policy::KeyPolicy key, access_.KeyPolicyOf(request.department, request.key));
  policy::Request question{.caller = caller.principal, .action = action, .key = &key};
  if (countersign) {
    // Rule 4: who already took part may not approve or witness.
    question.requested_by = request.requested_by;
    question.approved_by = request.approved_by;
  }
  RETURN_IF_ERROR(access_.Check(std::move(question)));
  return request;
}

absl::StatusOr<store::DestructionRecord> DestructionManager::Approve(const Caller& caller,
                                                                     int64_t id) {
  ASSIGN_OR_RETURN(store::DestructionRecord request,
                   LoadFor(caller, id, Action::kApproveDestruction, true));
  if (request.state != store::kDestructionPending) {
    return absl::FailedPreconditionError(
        absl::StrCat("destruction request ", id, " is ", request.state, ", not pending"));
  }
  ASSIGN_OR_RETURN(store::DestructionRecord approved,
                   store_.ApproveDestruction(id, caller.principal.name, access_.Now()));
  Record(caller, "destruction.approve", id,
         absl::StrCat(approved.approved_by.size(), " of ", approved.required_approvals,
                      " approvals, now ", approved.state));
  return approved;
}

absl::StatusOr<store::DestructionRecord> DestructionManager::Witness(const Caller& caller,
                                                                     int64_t id) {
  ASSIGN_OR_RETURN(store::DestructionRecord request,
                   LoadFor(caller, id, Action::kWitnessDestruction, true));
  if (request.state != store::kDestructionApproved) {
    return absl::FailedPreconditionError(absl::StrCat(
        "destruction request ", id, " is ", request.state,
        request.state == store::kDestructionPending
            ? absl::StrCat(" with ", request.approved_by.size(), " of ", request.required_approvals,
                           " approvals; witness it once approved")
            : ", not approved"));
  }
  const absl::Time now = access_.Now();
  ASSIGN_OR_RETURN(
      store::DestructionRecord witnessed,
      store_.WitnessDestruction(id, caller.principal.name, now, now + waiting_period_));
  Record(caller, "destruction.witness", id,
         absl::StrCat(
             Subject(witnessed), " destroyed after ",
             absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", witnessed.destroy_after, absl::UTCTimeZone())));
  return witnessed;
}

absl::StatusOr<store::DestructionRecord> DestructionManager::Cancel(const Caller& caller,
                                                                    int64_t id,
                                                                    absl::string_view reason) {
  // A supervisor cancels as the one who would witness; anyone else as a key officer who could
  // have asked for it. Having taken part is no bar to stopping a destruction.
  const Action action = Has(caller, Role::kDestructionSupervisor) ? Action::kWitnessDestruction
                                                                  : Action::kRequestDestruction;
  RETURN_IF_ERROR(LoadFor(caller, id, action, false).status());
  ASSIGN_OR_RETURN(store::DestructionRecord cancelled,
                   store_.CancelDestruction(id, caller.principal.name, reason, access_.Now()));
  Record(caller, "destruction.cancel", id, reason);
  return cancelled;
}

absl::StatusOr<store::DestructionRecord> DestructionManager::Get(const Caller& caller, int64_t id) {
  return Load(caller, id);
}

absl::StatusOr<std::vector<store::DestructionRecord>> DestructionManager::List(
    const Caller& caller, const DestructionQuery& query) {
  if (!Has(caller, Role::kKeyOfficer) && !Has(caller, Role::kDestructionSupervisor) &&
      !Has(caller, Role::kAuditor)) {
    return DecisionStatus({.allowed = false,
                           .reason = policy::Reason::kRoleNotPermitted,
                           .message = absl::StrCat("principal ", caller.principal.name,
                                                   " may not read destruction requests: key "
                                                   "officers, destruction supervisors and "
                                                   "auditors may")});
  }
  store::DestructionFilter filter{.department = query.department, .state = query.state};
  if (!query.key.empty()) {
    ASSIGN_OR_RETURN(format::KeyReference reference, format::ParseKeyReference(query.key));
    filter.department = reference.department;
    filter.key = reference.key;
  }
  ASSIGN_OR_RETURN(std::vector<store::DestructionRecord> requests, store_.ListDestructions(filter));
  std::erase_if(requests,
                [&](const store::DestructionRecord& request) { return !MaySee(caller, request); });
  return requests;
}

}  // namespace yinjian::access
