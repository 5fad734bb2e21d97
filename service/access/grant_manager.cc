#include "service/access/grant_manager.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "service/access/record_convert.h"
#include "service/format/names.h"

namespace yinjian::access {
namespace {

using policy::Action;
using policy::Role;

bool Has(const Caller& caller, Role role) { return caller.principal.roles.contains(role); }

}  // namespace

bool MaySee(const Caller& caller, const store::GrantRecord& grant) {
  if (Has(caller, Role::kSecurityAdmin) || Has(caller, Role::kAuditor)) return true;
  const std::string& department = caller.principal.department;
  if (Has(caller, Role::kKeyOfficer) &&
      (grant.key_department == department || grant.grantee_department == department)) {
    return true;
  }
  if (Has(caller, Role::kApplication)) {
    if (grant.requested_by == caller.principal.name) return true;
    if (grant.grantee_principal == caller.principal.name) return true;
    if (grant.grantee_principal.empty() && grant.grantee_department == department) return true;
  }
  return false;
}

void GrantManager::Record(const Caller& caller, absl::string_view action, int64_t id,
                          absl::string_view detail) {
  if (!events_) return;
  events_({.actor = caller.principal.name,
           .action = std::string(action),
           .subject = absl::StrCat("grant ", id),
           .detail = std::string(detail)});
}

absl::StatusOr<store::GrantRecord> GrantManager::Request(const Caller& caller,
                                                         const GrantSpec& spec) {
  ASSIGN_OR_RETURN(format::KeyReference reference, format::ParseKeyReference(spec.key));
  if (reference.version.has_value()) {
    return absl::InvalidArgumentError("a grant names a key, not a key version");
  }
  if (spec.grantee_principal.empty() == spec.grantee_department.empty()) {
    return absl::InvalidArgumentError("name exactly one grantee: a principal or a department");
  }
  ASSIGN_OR_RETURN(policy::KeyPolicy key, access_.KeyPolicyOf(reference.department, reference.key));
  std::string grantee_department = spec.grantee_department;
  if (!spec.grantee_principal.empty()) {
    ASSIGN_OR_RETURN(store::PrincipalRecord grantee, store_.GetPrincipal(spec.grantee_principal));
    grantee_department = grantee.department;
  } else {
    RETURN_IF_ERROR(store_.GetDepartment(grantee_department).status());
  }
  ASSIGN_OR_RETURN(std::set<policy::KeyOperation> operations, ParseOperations(spec.operations));
  const absl::Time now = access_.Now();
  policy::Grant proposed{.key_department = key.department,
                         .key_name = key.name,
                         .grantee_principal = spec.grantee_principal,
                         .grantee_department = grantee_department,
                         .operations = operations,
                         .purposes = spec.purposes,
                         .expires = spec.expires,
                         .max_uses = spec.max_uses,
                         .state = policy::GrantState::kPending,
                         .requested_by = caller.principal.name};
  RETURN_IF_ERROR(policy::ValidateGrant(proposed, key, now));
  RETURN_IF_ERROR(access_.Check({.caller = caller.principal,
                                 .action = Action::kRequestGrant,
                                 .key = &key,
                                 .grants = absl::MakeConstSpan(&proposed, 1)}));
  ASSIGN_OR_RETURN(store::GrantRecord created,
                   store_.CreateGrant({.key_department = key.department,
                                       .key_name = key.name,
                                       .grantee_principal = spec.grantee_principal,
                                       .grantee_department = grantee_department,
                                       .operations = OperationNames(operations),
                                       .purposes = spec.purposes,
                                       .expires = spec.expires,
                                       .max_uses = spec.max_uses,
                                       .state = store::kGrantPending,
                                       .required_approvals = policy::RequiredApprovals(key.level),
                                       .justification = spec.justification,
                                       .requested_by = caller.principal.name,
                                       .requested = now}));
  Record(caller, "grant.request", created.id,
         absl::StrCat(spec.key, " to ",
                      spec.grantee_principal.empty() ? "department " + grantee_department
                                                     : "principal " + spec.grantee_principal,
                      " for [", absl::StrJoin(created.operations, ","), "] purposes [",
                      absl::StrJoin(created.purposes, ","), "]"));
  return created;
}

absl::StatusOr<store::GrantRecord> GrantManager::Load(const Caller& caller, int64_t id) {
  absl::StatusOr<store::GrantRecord> grant = store_.GetGrant(id);
  if (absl::IsNotFound(grant.status()) || (grant.ok() && !MaySee(caller, *grant))) {
    return absl::NotFoundError(absl::StrCat("no grant ", id));
  }
  return grant;
}

absl::StatusOr<store::GrantRecord> GrantManager::Approve(const Caller& caller, int64_t id) {
  ASSIGN_OR_RETURN(store::GrantRecord grant, Load(caller, id));
  ASSIGN_OR_RETURN(policy::KeyPolicy key,
                   access_.KeyPolicyOf(grant.key_department, grant.key_name));
  RETURN_IF_ERROR(access_.Check({.caller = caller.principal,
                                 .action = Action::kApproveGrant,
                                 .key = &key,
                                 .requested_by = grant.requested_by,
                                 .approved_by = grant.approved_by}));
  if (grant.state != store::kGrantPending) {
    return absl::FailedPreconditionError(
        absl::StrCat("grant ", id, " is ", grant.state, ", not pending"));
  }
  ASSIGN_OR_RETURN(store::GrantRecord approved,
                   store_.ApproveGrant(id, caller.principal.name, access_.Now()));
  Record(caller, "grant.approve", id,
         absl::StrCat(approved.approved_by.size(), " of ", approved.required_approvals,
                      " approvals, now ", approved.state));
  return approved;
}

absl::StatusOr<store::GrantRecord> GrantManager::Revoke(const Caller& caller, int64_t id,
                                                        absl::string_view reason) {
  ASSIGN_OR_RETURN(store::GrantRecord grant, Load(caller, id));
  ASSIGN_OR_RETURN(policy::KeyPolicy key,
                   access_.KeyPolicyOf(grant.key_department, grant.key_name));
  const policy::Grant target = ToPolicyGrant(grant);
  RETURN_IF_ERROR(access_.Check({.caller = caller.principal,
                                 .action = Action::kRevokeGrant,
                                 .key = &key,
                                 .grants = absl::MakeConstSpan(&target, 1)}));
  if (grant.state == store::kGrantRevoked) {
    return absl::FailedPreconditionError(absl::StrCat("grant ", id, " is already revoked"));
  }
  ASSIGN_OR_RETURN(store::GrantRecord revoked,
                   store_.RevokeGrant(id, caller.principal.name, reason, access_.Now()));
  Record(caller, "grant.revoke", id, reason);
  return revoked;
}

absl::StatusOr<store::GrantRecord> GrantManager::Get(const Caller& caller, int64_t id) {
  RETURN_IF_ERROR(access_.Authorize(caller, Action::kReadGrants));
  return Load(caller, id);
}

absl::StatusOr<std::vector<store::GrantRecord>> GrantManager::List(const Caller& caller,
                                                                   const GrantQuery& query) {
  RETURN_IF_ERROR(access_.Authorize(caller, Action::kReadGrants));
  store::GrantFilter filter{.grantee_principal = query.grantee_principal,
                            .grantee_department = query.grantee_department,
                            .state = query.state};
  if (!query.key.empty()) {
    ASSIGN_OR_RETURN(format::KeyReference reference, format::ParseKeyReference(query.key));
    filter.key_department = reference.department;
    filter.key_name = reference.key;
  }
  ASSIGN_OR_RETURN(std::vector<store::GrantRecord> grants, store_.ListGrants(filter));
  std::erase_if(grants, [&](const store::GrantRecord& grant) { return !MaySee(caller, grant); });
  return grants;
}

}  // namespace yinjian::access
