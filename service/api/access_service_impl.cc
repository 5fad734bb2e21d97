#include "service/api/access_service_impl.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "service/api/access_convert.h"
#include "service/api/proto_convert.h"
#include "service/api/unary.h"

namespace yinjian::api {
namespace {

constexpr int kMaxValidityDays = 3650;

absl::StatusOr<access::CertificateSource> Source(const std::string& certificate_pem,
                                                 const std::string& csr_pem, int validity_days) {
  if (validity_days < 0 || validity_days > kMaxValidityDays) {
    return absl::InvalidArgumentError(
        absl::StrCat("validity_days must be between 1 and ", kMaxValidityDays));
  }
  return access::CertificateSource{
      .certificate_pem = certificate_pem,
      .csr_pem = csr_pem,
      .validity = absl::Hours(24) * (validity_days == 0 ? 365 : validity_days)};
}

absl::Status GrantOut(absl::StatusOr<store::GrantRecord> grant, absl::Time now, v1::Grant* out) {
  RETURN_IF_ERROR(grant.status());
  ToProto(*grant, now, out);
  return absl::OkStatus();
}

absl::Status PrincipalOut(absl::StatusOr<access::PrincipalView> principal, v1::Principal* out) {
  RETURN_IF_ERROR(principal.status());
  ToProto(*principal, out);
  return absl::OkStatus();
}

}  // namespace

using access::Caller;

grpc::ServerUnaryReactor* AccessServiceImpl::WhoAmI(Context* context,
                                                    const v1::WhoAmIRequest* request,
                                                    v1::Principal* response) {
  return RunAsCaller(
      context, "WhoAmI", identity_, auditor_, request, response, [&](const Caller& caller) {
        return PrincipalOut(principals_.Get(caller, caller.principal.name), response);
      });
}

grpc::ServerUnaryReactor* AccessServiceImpl::AddPrincipal(Context* context,
                                                          const v1::AddPrincipalRequest* request,
                                                          v1::AddPrincipalResponse* response) {
  return RunAsCaller(
      context, "AddPrincipal", identity_, auditor_, request, response, [&](const Caller& caller) {
        ASSIGN_OR_RETURN(
            access::CertificateSource source,
            Source(request->certificate_pem(), request->csr_pem(), request->validity_days()));
        auto added =
            principals_.Add(caller, {.name = request->name(),
                                     .department = request->department(),
                                     .roles = {request->roles().begin(), request->roles().end()},
                                     .certificate = std::move(source)});
        RETURN_IF_ERROR(added.status());
        ToProto(added->first, response->mutable_principal());
        response->set_certificate_pem(added->second.certificate_pem);
        response->set_ca_certificate_pem(added->second.ca_certificate_pem);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AccessServiceImpl::GetPrincipal(Context* context,
                                                          const v1::GetPrincipalRequest* request,
                                                          v1::Principal* response) {
  return RunAsCaller(context, "GetPrincipal", identity_, auditor_, request, response,
                     [&](const Caller& caller) {
                       return PrincipalOut(principals_.Get(caller, request->name()), response);
                     });
}

grpc::ServerUnaryReactor* AccessServiceImpl::ListPrincipals(
    Context* context, const v1::ListPrincipalsRequest* request,
    v1::ListPrincipalsResponse* response) {
  return RunAsCaller(context, "ListPrincipals", identity_, auditor_, request, response,
                     [&](const Caller& caller) {
                       ASSIGN_OR_RETURN(std::vector<access::PrincipalView> principals,
                                        principals_.List(caller, request->department()));
                       for (const access::PrincipalView& view : principals) {
                         ToProto(view, response->add_principals());
                       }
                       return absl::OkStatus();
                     });
}

grpc::ServerUnaryReactor* AccessServiceImpl::DisablePrincipal(
    Context* context, const v1::DisablePrincipalRequest* request, v1::Principal* response) {
  return RunAsCaller(context, "DisablePrincipal", identity_, auditor_, request, response,
                     [&](const Caller& caller) {
                       return PrincipalOut(principals_.Disable(caller, request->name()), response);
                     });
}

grpc::ServerUnaryReactor* AccessServiceImpl::OffboardPrincipal(
    Context* context, const v1::OffboardPrincipalRequest* request, v1::OffboardReport* response) {
  return RunAsCaller(context, "OffboardPrincipal", identity_, auditor_, request, response,
                     [&](const Caller& caller) {
                       ASSIGN_OR_RETURN(access::OffboardReport report,
                                        principals_.Offboard(caller, request->name()));
                       ToProto(report, response);
                       return absl::OkStatus();
                     });
}

grpc::ServerUnaryReactor* AccessServiceImpl::AddCertificate(
    Context* context, const v1::AddCertificateRequest* request,
    v1::AddCertificateResponse* response) {
  return RunAsCaller(
      context, "AddCertificate", identity_, auditor_, request, response, [&](const Caller& caller) {
        ASSIGN_OR_RETURN(
            access::CertificateSource source,
            Source(request->certificate_pem(), request->csr_pem(), request->validity_days()));
        ASSIGN_OR_RETURN(access::BoundCertificate bound,
                         principals_.AddCertificate(caller, request->principal(), source));
        ToProto(bound.record, response->mutable_certificate());
        response->set_certificate_pem(bound.certificate_pem);
        response->set_ca_certificate_pem(bound.ca_certificate_pem);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AccessServiceImpl::RevokeCertificate(
    Context* context, const v1::RevokeCertificateRequest* request, v1::Certificate* response) {
  return RunAsCaller(context, "RevokeCertificate", identity_, auditor_, request, response,
                     [&](const Caller& caller) {
                       ASSIGN_OR_RETURN(
                           store::CertificateRecord revoked,
                           principals_.RevokeCertificate(caller, request->fingerprint_sha256()));
                       ToProto(revoked, response);
                       return absl::OkStatus();
                     });
}

grpc::ServerUnaryReactor* AccessServiceImpl::BindRole(Context* context,
                                                      const v1::BindRoleRequest* request,
                                                      v1::Principal* response) {
  return RunAsCaller(
      context, "BindRole", identity_, auditor_, request, response, [&](const Caller& caller) {
        return PrincipalOut(principals_.BindRole(caller, request->principal(), request->role()),
                            response);
      });
}

grpc::ServerUnaryReactor* AccessServiceImpl::UnbindRole(Context* context,
                                                        const v1::UnbindRoleRequest* request,
                                                        v1::Principal* response) {
  return RunAsCaller(
      context, "UnbindRole", identity_, auditor_, request, response, [&](const Caller& caller) {
        return PrincipalOut(principals_.UnbindRole(caller, request->principal(), request->role()),
                            response);
      });
}

grpc::ServerUnaryReactor* AccessServiceImpl::RequestGrant(Context* context,
                                                          const v1::RequestGrantRequest* request,
                                                          v1::Grant* response) {
  return RunAsCaller(
      context, "RequestGrant", identity_, auditor_, request, response, [&](const Caller& caller) {
        if (!request->has_expire_time()) {
          return absl::InvalidArgumentError("a grant needs an expiry time");
        }
        access::GrantSpec spec{
            .key = request->key(),
            .grantee_principal = request->grantee_principal(),
            .grantee_department = request->grantee_department(),
            .operations = {request->operations().begin(), request->operations().end()},
            .purposes = {request->purposes().begin(), request->purposes().end()},
            .expires = FromTimestamp(request->expire_time()),
            .max_uses = request->max_uses(),
            .justification = request->justification()};
        return GrantOut(grants_.Request(caller, spec), grants_.Now(), response);
      });
}

grpc::ServerUnaryReactor* AccessServiceImpl::ApproveGrant(Context* context,
                                                          const v1::ApproveGrantRequest* request,
                                                          v1::Grant* response) {
  return RunAsCaller(
      context, "ApproveGrant", identity_, auditor_, request, response, [&](const Caller& caller) {
        return GrantOut(grants_.Approve(caller, request->id()), grants_.Now(), response);
      });
}

grpc::ServerUnaryReactor* AccessServiceImpl::RevokeGrant(Context* context,
                                                         const v1::RevokeGrantRequest* request,
                                                         v1::Grant* response) {
  return RunAsCaller(context, "RevokeGrant", identity_, auditor_, request, response,
                     [&](const Caller& caller) {
                       return GrantOut(grants_.Revoke(caller, request->id(), request->reason()),
                                       grants_.Now(), response);
                     });
}

grpc::ServerUnaryReactor* AccessServiceImpl::GetGrant(Context* context,
                                                      const v1::GetGrantRequest* request,
                                                      v1::Grant* response) {
  return RunAsCaller(context, "GetGrant", identity_, auditor_, request, response,
                     [&](const Caller& caller) {
                       return GrantOut(grants_.Get(caller, request->id()), grants_.Now(), response);
                     });
}

grpc::ServerUnaryReactor* AccessServiceImpl::ListGrants(Context* context,
                                                        const v1::ListGrantsRequest* request,
                                                        v1::ListGrantsResponse* response) {
  return RunAsCaller(
      context, "ListGrants", identity_, auditor_, request, response, [&](const Caller& caller) {
        ASSIGN_OR_RETURN(std::vector<store::GrantRecord> grants,
                         grants_.List(caller, {.key = request->key(),
                                               .grantee_principal = request->grantee_principal(),
                                               .grantee_department = request->grantee_department(),
                                               .state = request->state()}));
        const absl::Time now = grants_.Now();
        for (const store::GrantRecord& grant : grants) ToProto(grant, now, response->add_grants());
        return absl::OkStatus();
      });
}

}  // namespace yinjian::api
