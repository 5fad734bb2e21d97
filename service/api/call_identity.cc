#include "service/api/call_identity.h"

#include <string>

namespace yinjian::api {

absl::StatusOr<access::Caller> CallIdentity::Identify(
    const grpc::ServerContextBase& context) const {
  if (plaintext_development_) {
    const auto& metadata = context.client_metadata();
    auto it = metadata.find(kDevelopmentPrincipalHeader);
    if (it == metadata.end()) return authenticator_.IdentifyByName("");
    return authenticator_.IdentifyByName(absl::string_view(it->second.data(), it->second.size()));
  }
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr) return absl::UnauthenticatedError("no client certificate");
  std::vector<grpc::string_ref> pems = auth->FindPropertyValues("x509_pem_cert");
  if (pems.empty()) return absl::UnauthenticatedError("no client certificate");
  return authenticator_.IdentifyCertificate(
      absl::string_view(pems.front().data(), pems.front().size()));
}

}  // namespace yinjian::api
