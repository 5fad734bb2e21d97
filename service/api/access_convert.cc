#include "service/api/access_convert.h"

#include <algorithm>

#include "service/access/record_convert.h"
#include "service/api/proto_convert.h"

namespace yinjian::api {
void ToProto(const store::CertificateRecord& certificate, v1::Certificate* out) {
  out->set_fingerprint_sha256(certificate.fingerprint_sha256);
  out->set_subject(certificate.subject);
  SetTime(certificate.not_after, out->mutable_not_after());
  out->set_state(certificate.state);
  SetTime(certificate.added, out->mutable_add_time());
  if (certificate.revoked != absl::InfinitePast()) {
    SetTime(certificate.revoked, out->mutable_revoke_time());
  }
}

void ToProto(const store::PrincipalRecord& principal, v1::Principal* out) {
  out->set_name(principal.name);
  out->set_department(principal.department);
  for (const std::string& role : principal.roles) out->add_roles(role);
  out->set_state(principal.state);
  out->set_created_by(principal.created_by);
  SetTime(principal.created, out->mutable_create_time());
  if (principal.disabled != absl::InfinitePast()) {
    SetTime(principal.disabled, out->mutable_disable_time());
  }
}

void ToProto(const access::PrincipalView& principal, v1::Principal* out) {
  ToProto(principal.principal, out);
  for (const store::CertificateRecord& certificate : principal.certificates) {
    ToProto(certificate, out->add_certificates());
  }
}

void ToProto(const store::GrantRecord& grant, absl::Time now, v1::Grant* out) {
  out->set_id(grant.id);
  out->set_key(grant.key_department + "/" + grant.key_name);
  out->set_grantee_principal(grant.grantee_principal);
  out->set_grantee_department(grant.grantee_department);
  for (const std::string& operation : grant.operations) out->add_operations(operation);
  for (const std::string& purpose : grant.purposes) out->add_purposes(purpose);
  SetTime(grant.expires, out->mutable_expire_time());
  out->set_max_uses(grant.max_uses);
  out->set_uses(grant.uses);
  out->set_state(grant.state);
  out->set_effective_state(access::EffectiveGrantState(grant, now));
  out->set_required_approvals(grant.required_approvals);
  for (const std::string& approver : grant.approved_by) out->add_approved_by(approver);
  out->set_requested_by(grant.requested_by);
  out->set_justification(grant.justification);
  SetTime(grant.requested, out->mutable_request_time());
  if (grant.activated != absl::InfinitePast()) {
    SetTime(grant.activated, out->mutable_activate_time());
  }
  out->set_revoked_by(grant.revoked_by);
  out->set_revoke_reason(grant.revoke_reason);
  if (grant.revoked != absl::InfinitePast()) SetTime(grant.revoked, out->mutable_revoke_time());
}

void ToProto(const access::OffboardReport& report, v1::OffboardReport* out) {
  const store::OffboardResult& result = report.result;
  ToProto(result.after, out->mutable_principal());
  for (const store::CertificateRecord& certificate : result.certificates_revoked) {
    ToProto(certificate, out->mutable_principal()->add_certificates());
    ToProto(certificate, out->add_certificates_revoked());
  }
  for (const std::string& role : result.before.roles) {
    if (std::find(result.after.roles.begin(), result.after.roles.end(), role) ==
        result.after.roles.end()) {
      out->add_roles_removed(role);
    }
  }
  for (const store::GrantRecord& grant : result.grants_revoked) {
    ToProto(grant, report.when, out->add_grants_revoked());
  }
  for (const store::GrantRecord& grant : result.requests_withdrawn) {
    ToProto(grant, report.when, out->add_requests_withdrawn());
  }
  for (const store::GrantRecord& grant : report.grants_approved) {
    ToProto(grant, report.when, out->add_grants_approved());
  }
  SetTime(report.when, out->mutable_offboard_time());
  for (const store::AuditEntryRecord& entry : report.activity) out->add_activity(entry.entry);
  out->set_activity_total(report.activity_total);
}

}  // namespace yinjian::api
