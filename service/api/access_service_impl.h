// yinjian.v1.AccessService on gRPC's callback API: translators into access::PrincipalManager
// and access::GrantManager, which authorize every call themselves.
#ifndef YINJIAN_SERVICE_API_ACCESS_SERVICE_IMPL_H_
#define YINJIAN_SERVICE_API_ACCESS_SERVICE_IMPL_H_

#include "service/access/grant_manager.h"
#include "service/access/principal_manager.h"
#include "service/api/call_audit.h"
#include "service/api/call_identity.h"
#include "yinjian/v1/access.grpc.pb.h"

namespace yinjian::api {

class AccessServiceImpl final : public v1::AccessService::CallbackService {
 public:
  AccessServiceImpl(const CallIdentity& identity, const CallAuditor& auditor,
                    access::PrincipalManager& principals, access::GrantManager& grants)
      : identity_(identity), auditor_(auditor), principals_(principals), grants_(grants) {}

  using Context = grpc::CallbackServerContext;
  using Reactor = grpc::ServerUnaryReactor;

  Reactor* WhoAmI(Context*, const v1::WhoAmIRequest*, v1::Principal*) override;
  Reactor* AddPrincipal(Context*, const v1::AddPrincipalRequest*,
                        v1::AddPrincipalResponse*) override;
  Reactor* GetPrincipal(Context*, const v1::GetPrincipalRequest*, v1::Principal*) override;
  Reactor* ListPrincipals(Context*, const v1::ListPrincipalsRequest*,
                          v1::ListPrincipalsResponse*) override;
  Reactor* DisablePrincipal(Context*, const v1::DisablePrincipalRequest*, v1::Principal*) override;
  Reactor* OffboardPrincipal(Context*, const v1::OffboardPrincipalRequest*,
                             v1::OffboardReport*) override;
  Reactor* AddCertificate(Context*, const v1::AddCertificateRequest*,
                          v1::AddCertificateResponse*) override;
  Reactor* RevokeCertificate(Context*, const v1::RevokeCertificateRequest*,
                             v1::Certificate*) override;
  Reactor* BindRole(Context*, const v1::BindRoleRequest*, v1::Principal*) override;
  Reactor* UnbindRole(Context*, const v1::UnbindRoleRequest*, v1::Principal*) override;
  Reactor* RequestGrant(Context*, const v1::RequestGrantRequest*, v1::Grant*) override;
  Reactor* ApproveGrant(Context*, const v1::ApproveGrantRequest*, v1::Grant*) override;
  Reactor* RevokeGrant(Context*, const v1::RevokeGrantRequest*, v1::Grant*) override;
  Reactor* GetGrant(Context*, const v1::GetGrantRequest*, v1::Grant*) override;
  Reactor* ListGrants(Context*, const v1::ListGrantsRequest*, v1::ListGrantsResponse*) override;

 private:
  const CallIdentity& identity_;
  const CallAuditor& auditor_;
  access::PrincipalManager& principals_;
  access::GrantManager& grants_;
};

}  // namespace yinjian::api

#endif  // YINJIAN_SERVICE_API_ACCESS_SERVICE_IMPL_H_
