// The first security administrator (R7): nobody can call the service before some principal is
// bound to a certificate, and principals are added by security administrators, so the first one
// is written straight into the store by `yinjian-server bootstrap-admin` (and by `init` for the
// development set-up), with the HSM and store the server's config names.
#ifndef YINJIAN_SERVICE_SERVER_BOOTSTRAP_H_
#define YINJIAN_SERVICE_SERVER_BOOTSTRAP_H_

#include <string>

#include "absl/status/statusor.h"
#include "yinjian/v1/config.pb.h"

namespace yinjian::server {

struct BootstrapOptions {
  std::string name;             // the administrator's principal name
  std::string department;       // created (with its root key) if it does not exist
  std::string certificate_pem;  // the administrator's client certificate
};

struct BootstrapResult {
  std::string fingerprint_sha256;
  bool created_department = false;
};

// FAILED_PRECONDITION if the store already has an enabled security-admin (add more with
// `yinjianctl principal add`); ALREADY_EXISTS if the name or certificate is taken;
// INVALID_ARGUMENT for a bad name or certificate; otherwise the HSM's or store's error.
absl::StatusOr<BootstrapResult> BootstrapAdministrator(const v1::ServerConfig& config,
                                                       const BootstrapOptions& options);

}  // namespace yinjian::server

#endif  // YINJIAN_SERVICE_SERVER_BOOTSTRAP_H_
