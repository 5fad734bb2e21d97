// Who is calling, from the call itself: the TLS peer's client certificate (mutual TLS), or, in
// development plaintext mode only, the principal named in the `yinjian-principal` header.
#ifndef YINJIAN_SERVICE_API_CALL_IDENTITY_H_
#define YINJIAN_SERVICE_API_CALL_IDENTITY_H_

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "service/access/authenticator.h"
#include "service/access/caller.h"

namespace yinjian::api {

inline constexpr char kDevelopmentPrincipalHeader[] = "yinjian-principal";

class CallIdentity {
 public:
  CallIdentity(access::Authenticator& authenticator, bool plaintext_development)
      : authenticator_(authenticator), plaintext_development_(plaintext_development) {}

  // UNAUTHENTICATED if the call proves no registered, enabled principal.
  absl::StatusOr<access::Caller> Identify(const grpc::ServerContextBase& context) const;

 private:
  access::Authenticator& authenticator_;
  const bool plaintext_development_;
};

}  // namespace yinjian::api

#endif  // YINJIAN_SERVICE_API_CALL_IDENTITY_H_
