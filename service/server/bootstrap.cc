#include "service/server/bootstrap.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "hsm/module.h"
#include "hsm/pin.h"
#include "hsm/token.h"
#include "policy/policy.h"
#include "service/access/principal_manager.h"
#include "service/core/key_manager.h"
#include "service/core/token_directory.h"
#include "service/pki/certificate_info.h"
#include "service/store/sqlite_store.h"

namespace yinjian::server {
namespace {

absl::Status CheckNoAdministrator(store::Store& store) {
  ASSIGN_OR_RETURN(std::vector<store::PrincipalRecord> principals, store.ListPrincipals(""));
  const std::string admin(policy::RoleName(policy::Role::kSecurityAdmin));
  for (const store::PrincipalRecord& principal : principals) {
    if (principal.state != store::kPrincipalEnabled) continue;
    for (const std::string& role : principal.roles) {
      if (role == admin) {
        return absl::FailedPreconditionError(
            absl::StrCat("the store already has a security-admin (", principal.name,
                         "); add principals with `yinjianctl principal add`"));
      }
    }
  }
  return absl::OkStatus();
}

// The department, created with its root key in the default token if it does not exist.
absl::StatusOr<bool> EnsureDepartment(const v1::ServerConfig& config, store::Store& store,
                                      const std::string& department) {
  absl::Status found = store.GetDepartment(department).status();
  if (found.ok()) return false;
  if (!absl::IsNotFound(found)) return found;
  const v1::HsmConfig& hsm = config.hsm();
  ASSIGN_OR_RETURN(std::shared_ptr<hsm::Pkcs11Module> module,
                   hsm::Pkcs11Module::Load({.path = hsm.module_path()}));
  ASSIGN_OR_RETURN(hsm::SecureBytes pin,
                   hsm::ReadPin({.file = hsm.pin_file(), .env_var = hsm.pin_env()}));
  ASSIGN_OR_RETURN(std::unique_ptr<hsm::Token> token,
                   hsm::Token::Open(module, {.label = hsm.token_label(), .pin = std::move(pin)}));
  core::TokenDirectory tokens(token.get());
  core::KeyManager manager(store, tokens);
  RETURN_IF_ERROR(manager.CreateDepartment(department, "Security administration", "").status());
  return true;
}

}  // namespace

absl::StatusOr<BootstrapResult> BootstrapAdministrator(const v1::ServerConfig& config,
                                                       const BootstrapOptions& options) {
  RETURN_IF_ERROR(access::ValidatePrincipalName(options.name));
  ASSIGN_OR_RETURN(pki::CertificateInfo certificate,
                   pki::InspectCertificate(options.certificate_pem));
  const absl::Time now = absl::Now();
  if (certificate.not_after <= now) {
    return absl::InvalidArgumentError("the administrator's certificate has expired");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<store::Store> store,
                   store::SqliteStore::Open(config.store().sqlite_path()));
  RETURN_IF_ERROR(CheckNoAdministrator(*store));
  BootstrapResult result{.fingerprint_sha256 = certificate.fingerprint_sha256};
  ASSIGN_OR_RETURN(result.created_department, EnsureDepartment(config, *store, options.department));
  RETURN_IF_ERROR(store->CreatePrincipal(
      {.name = options.name,
       .department = options.department,
       .roles = {std::string(policy::RoleName(policy::Role::kSecurityAdmin))},
       .state = store::kPrincipalEnabled,
       .created_by = "",
       .created = now}));
  RETURN_IF_ERROR(store->AddCertificate({.fingerprint_sha256 = certificate.fingerprint_sha256,
                                         .principal = options.name,
                                         .subject = absl::StrCat("CN=", certificate.common_name),
                                         .not_after = certificate.not_after,
                                         .state = store::kCertificateActive,
                                         .added = now}));
  return result;
}

}  // namespace yinjian::server
