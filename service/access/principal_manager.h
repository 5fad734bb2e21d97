// Principals, their certificates and roles (R6, R7, R8): what security administrators manage.
// Every method authorizes the caller through the AccessController first, records the change
// through the event sink, and makes the Authenticator forget cached identities so a change
// takes effect on the next call.
#ifndef YINJIAN_SERVICE_ACCESS_PRINCIPAL_MANAGER_H_
#define YINJIAN_SERVICE_ACCESS_PRINCIPAL_MANAGER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/access/access_controller.h"
#include "service/access/access_events.h"
#include "service/access/authenticator.h"
#include "service/access/caller.h"
#include "service/pki/certificate_authority.h"
#include "service/store/store.h"

namespace yinjian::access {

struct PrincipalView {
  store::PrincipalRecord principal;
  std::vector<store::CertificateRecord> certificates;
};

// A certificate to bind: exactly one of certificate_pem (bound as is) or csr_pem (issued by the
// server's CA, CN = principal, OU = department).
struct CertificateSource {
  std::string certificate_pem;
  std::string csr_pem;
  absl::Duration validity = absl::Hours(24 * 365);
};

struct NewPrincipal {
  std::string name;
  std::string department;
  std::vector<std::string> roles;
  CertificateSource certificate;
};

struct BoundCertificate {
  store::CertificateRecord record;
  std::string certificate_pem;
  std::string ca_certificate_pem;  // the issuing CA's, for csr_pem only
};

inline constexpr int32_t kMaxOffboardActivity = 1000;

struct OffboardReport {
  store::OffboardResult result;
  // Grants the principal approved that are still active: for the report's reader to review.
  std::vector<store::GrantRecord> grants_approved;
  // What it did: its audit entries, oldest first (at most kMaxOffboardActivity), and how many
  // there are in all.
  std::vector<store::AuditEntryRecord> activity;
  int64_t activity_total = 0;
  absl::Time when;
};

class PrincipalManager {
 public:
  // `issuer` may be null: then only certificate_pem sources are accepted. Not owned.
  PrincipalManager(store::Store& store, AccessController& access, Authenticator& authenticator,
                   const pki::CertificateAuthority* issuer, AccessEventSink events)
      : store_(store),
        access_(access),
        authenticator_(authenticator),
        issuer_(issuer),
        events_(std::move(events)) {}

  // INVALID_ARGUMENT for a bad name, role or certificate; NOT_FOUND for an unknown department;
  // ALREADY_EXISTS for a taken name or bound certificate; FAILED_PRECONDITION for a forbidden
  // role combination, or a CSR when the server issues no certificates.
  absl::StatusOr<std::pair<PrincipalView, BoundCertificate>> Add(const Caller& caller,
                                                                 const NewPrincipal& principal);
  absl::StatusOr<PrincipalView> Get(const Caller& caller, absl::string_view name);
  absl::StatusOr<std::vector<PrincipalView>> List(const Caller& caller,
                                                  absl::string_view department);
  // FAILED_PRECONDITION for the caller itself or the last enabled security administrator.
  absl::StatusOr<PrincipalView> Disable(const Caller& caller, absl::string_view name);
  absl::StatusOr<OffboardReport> Offboard(const Caller& caller, absl::string_view name);
  absl::StatusOr<BoundCertificate> AddCertificate(const Caller& caller, absl::string_view name,
                                                  const CertificateSource& source);
  absl::StatusOr<store::CertificateRecord> RevokeCertificate(const Caller& caller,
                                                             absl::string_view fingerprint);
  // FAILED_PRECONDITION for a change to the caller's own roles, a forbidden combination, or
  // unbinding the last enabled security administrator.
  absl::StatusOr<PrincipalView> BindRole(const Caller& caller, absl::string_view name,
                                         absl::string_view role);
  absl::StatusOr<PrincipalView> UnbindRole(const Caller& caller, absl::string_view name,
                                           absl::string_view role);

 private:
  absl::StatusOr<PrincipalView> View(store::PrincipalRecord principal);
  absl::StatusOr<BoundCertificate> Bind(const store::PrincipalRecord& principal,
                                        const CertificateSource& source);
  absl::Status CheckNotLastSecurityAdmin(const store::PrincipalRecord& principal);
  absl::StatusOr<PrincipalView> ChangeRoles(const Caller& caller, absl::string_view name,
                                            absl::string_view role, bool bind);
  void Record(const Caller& caller, absl::string_view action, absl::string_view subject,
              absl::string_view detail = "");

  store::Store& store_;
  AccessController& access_;
  Authenticator& authenticator_;
  const pki::CertificateAuthority* const issuer_;
  const AccessEventSink events_;
};

// OK for a principal name: the department-name rules (1..64 of a-z 0-9 - _ .).
absl::Status ValidatePrincipalName(absl::string_view name);

}  // namespace yinjian::access

#endif  // YINJIAN_SERVICE_ACCESS_PRINCIPAL_MANAGER_H_
