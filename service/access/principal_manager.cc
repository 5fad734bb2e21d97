#include "service/access/principal_manager.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "service/access/record_convert.h"
#include "service/format/names.h"
#include "service/pki/certificate_info.h"

namespace yinjian::access {
namespace {

using policy::Action;

bool HasRole(const store::PrincipalRecord& principal, policy::Role role) {
  const std::string name(policy::RoleName(role));
  return std::find(principal.roles.begin(), principal.roles.end(), name) != principal.roles.end();
}

// A certificate ready to bind: the PEM, what the record needs, and the CA that issued it.
struct PreparedCertificate {
  store::CertificateRecord record;
  std::string pem;
  std::string ca_pem;
};

absl::StatusOr<PreparedCertificate> Prepare(const pki::CertificateAuthority* issuer,
                                            absl::string_view principal,
                                            absl::string_view department,
                                            const CertificateSource& source, absl::Time now) {
  if (source.certificate_pem.empty() == source.csr_pem.empty()) {
    return absl::InvalidArgumentError("give exactly one of a certificate or a CSR");
  }
  PreparedCertificate prepared;
  if (!source.csr_pem.empty()) {
    if (issuer == nullptr) {
      return absl::FailedPreconditionError(
          "this server issues no certificates (access.issuing_ca_* is not configured); bind a "
          "certificate from your CA instead");
    }
    ASSIGN_OR_RETURN(pki::IssuedCertificate issued,
                     issuer->IssueForCsr({.common_name = std::string(principal),
                                          .organizational_unit = std::string(department),
                                          .validity = source.validity},
                                         source.csr_pem));
    prepared.pem = std::move(issued.certificate_pem);
    prepared.ca_pem = issuer->certificate_pem();
  } else {
    prepared.pem = source.certificate_pem;
  }
  ASSIGN_OR_RETURN(pki::CertificateInfo info, pki::InspectCertificate(prepared.pem));
  if (info.not_after <= now) return absl::InvalidArgumentError("the certificate has expired");
  prepared.record = {.fingerprint_sha256 = info.fingerprint_sha256,
                     .principal = std::string(principal),
                     .subject = absl::StrCat(
                         "CN=", info.common_name,
                         info.organizational_unit.empty() ? "" : ", OU=", info.organizational_unit),
                     .not_after = info.not_after,
                     .state = store::kCertificateActive,
                     .added = now};
  return prepared;
}

}  // namespace

absl::Status ValidatePrincipalName(absl::string_view name) {
  absl::Status valid = format::ValidateDepartmentName(name);
  if (valid.ok()) return valid;
  return absl::InvalidArgumentError(absl::StrCat("principal name: ", valid.message()));
}

void PrincipalManager::Record(const Caller& caller, absl::string_view action,
                              absl::string_view subject, absl::string_view detail) {
  authenticator_.Invalidate();
  if (events_) {
    events_({.actor = caller.principal.name,
             .action = std::string(action),
             .subject = std::string(subject),
             .detail = std::string(detail)});
  }
}

absl::StatusOr<PrincipalView> PrincipalManager::View(store::PrincipalRecord principal) {
  ASSIGN_OR_RETURN(std::vector<store::CertificateRecord> certificates,
                   store_.ListCertificates(principal.name));
  return PrincipalView{std::move(principal), std::move(certificates)};
}

absl::StatusOr<std::pair<PrincipalView, BoundCertificate>> PrincipalManager::Add(
    const Caller& caller, const NewPrincipal& principal) {
  RETURN_IF_ERROR(access_.Authorize(caller, Action::kManagePrincipals));
  RETURN_IF_ERROR(ValidatePrincipalName(principal.name));
  ASSIGN_OR_RETURN(std::set<policy::Role> roles, ParseRoles(principal.roles));
  RETURN_IF_ERROR(policy::CheckRoleCombination(roles));
  RETURN_IF_ERROR(store_.GetDepartment(principal.department).status());
  const absl::Time now = access_.Now();
  ASSIGN_OR_RETURN(
      PreparedCertificate certificate,
      Prepare(issuer_, principal.name, principal.department, principal.certificate, now));
  absl::Status bound = store_.GetCertificate(certificate.record.fingerprint_sha256).status();
  if (bound.ok()) return absl::AlreadyExistsError("that certificate is already bound");
  if (!absl::IsNotFound(bound)) return bound;
  const std::vector<std::string> role_names = RoleNames(roles);
  RETURN_IF_ERROR(store_.CreatePrincipal({.name = principal.name,
                                          .department = principal.department,
                                          .roles = role_names,
                                          .state = store::kPrincipalEnabled,
                                          .created_by = caller.principal.name,
                                          .created = now}));
  RETURN_IF_ERROR(store_.AddCertificate(certificate.record));
  Record(
      caller, "principal.add", principal.name,
      absl::StrCat("department ", principal.department, ", roles [", absl::StrJoin(role_names, ","),
                   "], certificate ", certificate.record.fingerprint_sha256));
  ASSIGN_OR_RETURN(store::PrincipalRecord stored, store_.GetPrincipal(principal.name));
  ASSIGN_OR_RETURN(PrincipalView view, View(std::move(stored)));
  return std::make_pair(std::move(view),
                        BoundCertificate{certificate.record, std::move(certificate.pem),
                                         std::move(certificate.ca_pem)});
}

absl::StatusOr<PrincipalView> PrincipalManager::Get(const Caller& caller, absl::string_view name) {
  if (name != caller.principal.name) {
    RETURN_IF_ERROR(access_.Authorize(caller, Action::kReadPrincipals));
  }
  ASSIGN_OR_RETURN(store::PrincipalRecord principal, store_.GetPrincipal(name));
  return View(std::move(principal));
}

absl::StatusOr<std::vector<PrincipalView>> PrincipalManager::List(const Caller& caller,
                                                                  absl::string_view department) {
  RETURN_IF_ERROR(access_.Authorize(caller, Action::kReadPrincipals));
  ASSIGN_OR_RETURN(std::vector<store::PrincipalRecord> principals,
                   store_.ListPrincipals(department));
  std::vector<PrincipalView> views;
  for (store::PrincipalRecord& principal : principals) {
    ASSIGN_OR_RETURN(PrincipalView view, View(std::move(principal)));
    views.push_back(std::move(view));
  }
  return views;
}

absl::Status PrincipalManager::CheckNotLastSecurityAdmin(const store::PrincipalRecord& principal) {
  if (principal.state != store::kPrincipalEnabled ||
      !HasRole(principal, policy::Role::kSecurityAdmin)) {
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(std::vector<store::PrincipalRecord> all, store_.ListPrincipals(""));
  const auto admins = std::count_if(all.begin(), all.end(), [](const auto& p) {
    return p.state == store::kPrincipalEnabled && HasRole(p, policy::Role::kSecurityAdmin);
  });
  if (admins > 1) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat(principal.name, " is the last enabled security-admin; add another one first"));
}

absl::StatusOr<PrincipalView> PrincipalManager::Disable(const Caller& caller,
                                                        absl::string_view name) {
  RETURN_IF_ERROR(access_.Authorize(caller, Action::kManagePrincipals));
  if (name == caller.principal.name) {
    return absl::FailedPreconditionError("you cannot disable yourself");
  }
  ASSIGN_OR_RETURN(store::PrincipalRecord principal, store_.GetPrincipal(name));
  RETURN_IF_ERROR(CheckNotLastSecurityAdmin(principal));
  ASSIGN_OR_RETURN(store::PrincipalRecord disabled, store_.DisablePrincipal(name, access_.Now()));
  Record(caller, "principal.disable", name);
  return View(std::move(disabled));
}

absl::StatusOr<OffboardReport> PrincipalManager::Offboard(const Caller& caller,
                                                          absl::string_view name) {
  RETURN_IF_ERROR(access_.Authorize(caller, Action::kManagePrincipals));
  if (name == caller.principal.name) {
    return absl::FailedPreconditionError("you cannot offboard yourself");
  }
  ASSIGN_OR_RETURN(store::PrincipalRecord principal, store_.GetPrincipal(name));
  RETURN_IF_ERROR(CheckNotLastSecurityAdmin(principal));
  OffboardReport report{.when = access_.Now()};
  ASSIGN_OR_RETURN(report.result,
                   store_.OffboardPrincipal(name, caller.principal.name, report.when));
  ASSIGN_OR_RETURN(std::vector<store::GrantRecord> active,
                   store_.ListGrants({.state = store::kGrantActive}));
  for (store::GrantRecord& grant : active) {
    if (std::find(grant.approved_by.begin(), grant.approved_by.end(), name) !=
        grant.approved_by.end()) {
      report.grants_approved.push_back(std::move(grant));
    }
  }
  // What it did, from the audit log (R8, R9).
  for (int64_t after = -1;;) {
    ASSIGN_OR_RETURN(std::vector<store::AuditEntryRecord> page,
                     store_.QueryAudit({.principal = std::string(name),
                                        .after_index = after,
                                        .limit = kMaxOffboardActivity}));
    if (page.empty()) break;
    report.activity_total += int64_t(page.size());
    after = page.back().index;
    for (store::AuditEntryRecord& entry : page) {
      if (report.activity.size() < size_t(kMaxOffboardActivity)) {
        report.activity.push_back(std::move(entry));
      }
    }
  }
  Record(caller, "principal.offboard", name,
         absl::StrCat(report.result.certificates_revoked.size(), " certificates revoked, ",
                      report.result.grants_revoked.size(), " grants revoked, ",
                      report.result.requests_withdrawn.size(), " requests withdrawn"));
  return report;
}

absl::StatusOr<BoundCertificate> PrincipalManager::AddCertificate(const Caller& caller,
                                                                  absl::string_view name,
                                                                  const CertificateSource& source) {
  RETURN_IF_ERROR(access_.Authorize(caller, Action::kManagePrincipals));
  ASSIGN_OR_RETURN(store::PrincipalRecord principal, store_.GetPrincipal(name));
  ASSIGN_OR_RETURN(PreparedCertificate certificate,
                   Prepare(issuer_, principal.name, principal.department, source, access_.Now()));
  RETURN_IF_ERROR(store_.AddCertificate(certificate.record));
  Record(caller, "certificate.bind", name, certificate.record.fingerprint_sha256);
  return BoundCertificate{certificate.record, std::move(certificate.pem),
                          std::move(certificate.ca_pem)};
}

absl::StatusOr<store::CertificateRecord> PrincipalManager::RevokeCertificate(
    const Caller& caller, absl::string_view fingerprint) {
  RETURN_IF_ERROR(access_.Authorize(caller, Action::kManagePrincipals));
  if (fingerprint == caller.certificate_fingerprint) {
    return absl::FailedPreconditionError("you cannot revoke the certificate you are calling with");
  }
  ASSIGN_OR_RETURN(store::CertificateRecord revoked,
                   store_.RevokeCertificate(fingerprint, access_.Now()));
  Record(caller, "certificate.revoke", revoked.principal, revoked.fingerprint_sha256);
  return revoked;
}

absl::StatusOr<PrincipalView> PrincipalManager::ChangeRoles(const Caller& caller,
                                                            absl::string_view name,
                                                            absl::string_view role_name,
                                                            bool bind) {
  RETURN_IF_ERROR(access_.Authorize(caller, Action::kManagePrincipals));
  if (name == caller.principal.name) {
    return absl::FailedPreconditionError(
        "you cannot change your own roles; another security-admin must");
  }
  ASSIGN_OR_RETURN(policy::Role role, policy::ParseRole(role_name));
  ASSIGN_OR_RETURN(store::PrincipalRecord principal, store_.GetPrincipal(name));
  ASSIGN_OR_RETURN(std::set<policy::Role> roles, ParseRoles(principal.roles));
  if (bind) {
    roles.insert(role);
    RETURN_IF_ERROR(policy::CheckRoleCombination(roles));
  } else {
    if (role == policy::Role::kSecurityAdmin) RETURN_IF_ERROR(CheckNotLastSecurityAdmin(principal));
    roles.erase(role);
  }
  ASSIGN_OR_RETURN(store::PrincipalRecord changed,
                   store_.SetPrincipalRoles(name, RoleNames(roles)));
  Record(caller, bind ? "role.bind" : "role.unbind", name,
         absl::StrCat("role ", policy::RoleName(role)));
  return View(std::move(changed));
}

absl::StatusOr<PrincipalView> PrincipalManager::BindRole(const Caller& caller,
                                                         absl::string_view name,
                                                         absl::string_view role) {
  return ChangeRoles(caller, name, role, /*bind=*/true);
}

absl::StatusOr<PrincipalView> PrincipalManager::UnbindRole(const Caller& caller,
                                                           absl::string_view name,
                                                           absl::string_view role) {
  return ChangeRoles(caller, name, role, /*bind=*/false);
}

}  // namespace yinjian::access
