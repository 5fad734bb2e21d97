#include "service/store/sqlite_principals.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "service/store/sqlite_grants.h"
#include "service/store/sqlite_rows.h"
#include "service/store/sqlite_statement.h"

namespace yinjian::store::sqlite {
namespace {

using Mode = Transaction::Mode;

// What offboarding writes as the revoke reason of the grants it ends (R8).
constexpr absl::string_view kOffboardedReason = "offboarded";

bool IsPrincipalState(absl::string_view state) {
  return state == kPrincipalEnabled || state == kPrincipalDisabled;
}

bool IsCertificateState(absl::string_view state) {
  return state == kCertificateActive || state == kCertificateRevoked;
}

absl::Status CheckFingerprint(absl::string_view fingerprint) {
  if (fingerprint.empty()) return absl::InvalidArgumentError("empty certificate fingerprint");
  return absl::OkStatus();
}

std::vector<std::string> SortedUnique(std::vector<std::string> roles) {
  std::sort(roles.begin(), roles.end());
  roles.erase(std::unique(roles.begin(), roles.end()), roles.end());
  return roles;
}

absl::StatusOr<PrincipalRecord> ReadPrincipal(sqlite3* db, absl::string_view name) {
  ASSIGN_OR_RETURN(Statement select, PrepareSelect(db, kSelectPrincipal, "WHERE name = ?1"));
  RETURN_IF_ERROR(select.BindText(1, name));
  ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return absl::NotFoundError(absl::StrCat("principal ", name, " not found"));
  return PrincipalFromRow(select);
}

absl::StatusOr<CertificateRecord> ReadCertificate(sqlite3* db, absl::string_view fingerprint) {
  ASSIGN_OR_RETURN(Statement select,
                   PrepareSelect(db, kSelectCertificate, "WHERE fingerprint = ?1"));
  RETURN_IF_ERROR(select.BindText(1, fingerprint));
  ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) {
    return absl::NotFoundError(absl::StrCat("certificate ", fingerprint, " is not bound"));
  }
  return CertificateFromRow(select);
}

// Inside a write transaction: revokes the principal's active certificates and returns them as
// revoked, in ListCertificates order.
absl::StatusOr<std::vector<CertificateRecord>> RevokeActiveCertificates(
    sqlite3* db, absl::string_view principal, absl::Time when) {
  ASSIGN_OR_RETURN(Statement select,
                   PrepareSelect(db, kSelectCertificate,
                                 "WHERE principal = ?1 AND state = 'active' "
                                 "ORDER BY added_us, fingerprint"));
  RETURN_IF_ERROR(select.BindText(1, principal));
  ASSIGN_OR_RETURN(std::vector<CertificateRecord> revoked, ReadAll(select, &CertificateFromRow));
  ASSIGN_OR_RETURN(Statement update,
                   Statement::Prepare(db, "UPDATE certificates SET state = 'revoked', "
                                          "revoked_us = ?2 "
                                          "WHERE principal = ?1 AND state = 'active'"));
  RETURN_IF_ERROR(update.BindText(1, principal));
  RETURN_IF_ERROR(update.BindInt64(2, TimeToMicros(when)));
  RETURN_IF_ERROR(update.Run());
  for (CertificateRecord& certificate : revoked) {
    certificate.state = kCertificateRevoked;
    certificate.revoked = StoredTime(when);
  }
  return revoked;
}

}  // namespace

absl::Status CreatePrincipal(sqlite3* db, const PrincipalRecord& principal) {
  RETURN_IF_ERROR(CheckName("principal", principal.name));
  RETURN_IF_ERROR(CheckName("department", principal.department));
  if (!IsPrincipalState(principal.state)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown principal state '", principal.state, "'"));
  }
  RETURN_IF_ERROR(CheckList("roles", principal.roles));
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db, Mode::kWrite));
  RETURN_IF_ERROR(CheckDepartmentExists(db, principal.department));
  ASSIGN_OR_RETURN(Statement insert,
                   Statement::Prepare(db, "INSERT INTO principals (name, department, roles, "
                                          "state, created_by, created_us, disabled_us) "
                                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
  RETURN_IF_ERROR(insert.BindText(1, principal.name));
  RETURN_IF_ERROR(insert.BindText(2, principal.department));
  RETURN_IF_ERROR(insert.BindText(3, JoinList(SortedUnique(principal.roles))));
  RETURN_IF_ERROR(insert.BindText(4, principal.state));
  RETURN_IF_ERROR(insert.BindText(5, principal.created_by));
  RETURN_IF_ERROR(insert.BindInt64(6, TimeToMicros(principal.created)));
  RETURN_IF_ERROR(insert.BindInt64(7, TimeToMicros(principal.disabled)));
  RETURN_IF_ERROR(InsertStatus(insert.Run(), absl::StrCat("principal ", principal.name)));
  return txn.Commit();
}

absl::StatusOr<PrincipalRecord> GetPrincipal(sqlite3* db, absl::string_view name) {
  RETURN_IF_ERROR(CheckName("principal", name));
  return ReadPrincipal(db, name);
}

absl::StatusOr<std::vector<PrincipalRecord>> ListPrincipals(sqlite3* db,
                                                            absl::string_view department) {
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db, Mode::kRead));
  if (!department.empty()) RETURN_IF_ERROR(CheckDepartmentExists(db, department));
  ASSIGN_OR_RETURN(Statement select,
                   PrepareSelect(db, kSelectPrincipal,
                                 "WHERE ?1 = '' OR department = ?1 ORDER BY name"));
  RETURN_IF_ERROR(select.BindText(1, department));
  ASSIGN_OR_RETURN(std::vector<PrincipalRecord> principals, ReadAll(select, &PrincipalFromRow));
  RETURN_IF_ERROR(txn.Commit());
  return principals;
}

absl::StatusOr<PrincipalRecord> SetPrincipalRoles(sqlite3* db, absl::string_view name,
                                                  const std::vector<std::string>& roles) {
  RETURN_IF_ERROR(CheckName("principal", name));
  RETURN_IF_ERROR(CheckList("roles", roles));
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db, Mode::kWrite));
  ASSIGN_OR_RETURN(PrincipalRecord principal, ReadPrincipal(db, name));
  if (principal.state != kPrincipalEnabled) {
    return absl::FailedPreconditionError(absl::StrCat("principal ", name, " is disabled"));
  }
  principal.roles = SortedUnique(roles);
  ASSIGN_OR_RETURN(Statement update,
                   Statement::Prepare(db, "UPDATE principals SET roles = ?2 WHERE name = ?1"));
  RETURN_IF_ERROR(update.BindText(1, name));
  RETURN_IF_ERROR(update.BindText(2, JoinList(principal.roles)));
  RETURN_IF_ERROR(update.Run());
  RETURN_IF_ERROR(txn.Commit());
  return principal;
}

absl::StatusOr<PrincipalRecord> DisablePrincipal(sqlite3* db, absl::string_view name,
                                                 absl::Time when) {
  RETURN_IF_ERROR(CheckName("principal", name));
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db, Mode::kWrite));
  ASSIGN_OR_RETURN(PrincipalRecord principal, ReadPrincipal(db, name));
  if (principal.state == kPrincipalDisabled) {
    RETURN_IF_ERROR(txn.Commit());
    return principal;
  }
  ASSIGN_OR_RETURN(Statement update,
                   Statement::Prepare(db, "UPDATE principals SET state = 'disabled', "
                                          "disabled_us = ?2 WHERE name = ?1"));
  RETURN_IF_ERROR(update.BindText(1, name));
  RETURN_IF_ERROR(update.BindInt64(2, TimeToMicros(when)));
  RETURN_IF_ERROR(update.Run());
  RETURN_IF_ERROR(RevokeActiveCertificates(db, name, when).status());
  RETURN_IF_ERROR(txn.Commit());
  principal.state = kPrincipalDisabled;
  principal.disabled = StoredTime(when);
  return principal;
}

absl::StatusOr<OffboardResult> OffboardPrincipal(sqlite3* db, absl::string_view name,
                                                 absl::string_view by, absl::Time when) {
  RETURN_IF_ERROR(CheckName("principal", name));
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db, Mode::kWrite));
  OffboardResult result;
  ASSIGN_OR_RETURN(result.before, ReadPrincipal(db, name));
  // A principal disabled earlier keeps the time it was disabled.
  ASSIGN_OR_RETURN(Statement update,
                   Statement::Prepare(db, "UPDATE principals SET roles = '', "
                                          "disabled_us = CASE WHEN state = 'enabled' THEN ?2 "
                                          "ELSE disabled_us END, state = 'disabled' "
                                          "WHERE name = ?1"));
  RETURN_IF_ERROR(update.BindText(1, name));
  RETURN_IF_ERROR(update.BindInt64(2, TimeToMicros(when)));
  RETURN_IF_ERROR(update.Run());
  ASSIGN_OR_RETURN(result.after, ReadPrincipal(db, name));
  ASSIGN_OR_RETURN(result.certificates_revoked, RevokeActiveCertificates(db, name, when));
  ASSIGN_OR_RETURN(result.grants_revoked,
                   RevokeGrantsHeldBy(db, name, by, kOffboardedReason, when));
  ASSIGN_OR_RETURN(result.requests_withdrawn,
                   WithdrawRequestsOf(db, name, by, kOffboardedReason, when));
  RETURN_IF_ERROR(txn.Commit());
  return result;
}

absl::Status AddCertificate(sqlite3* db, const CertificateRecord& certificate) {
  RETURN_IF_ERROR(CheckFingerprint(certificate.fingerprint_sha256));
  RETURN_IF_ERROR(CheckName("principal", certificate.principal));
  if (!IsCertificateState(certificate.state)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown certificate state '", certificate.state, "'"));
  }
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db, Mode::kWrite));
  ASSIGN_OR_RETURN(PrincipalRecord principal, ReadPrincipal(db, certificate.principal));
  if (principal.state != kPrincipalEnabled) {
    return absl::FailedPreconditionError(
        absl::StrCat("principal ", principal.name, " is disabled"));
  }
  ASSIGN_OR_RETURN(Statement insert,
                   Statement::Prepare(db, "INSERT INTO certificates (fingerprint, principal, "
                                          "subject, not_after_us, state, added_us, revoked_us) "
                                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
  RETURN_IF_ERROR(insert.BindText(1, certificate.fingerprint_sha256));
  RETURN_IF_ERROR(insert.BindText(2, certificate.principal));
  RETURN_IF_ERROR(insert.BindText(3, certificate.subject));
  RETURN_IF_ERROR(insert.BindInt64(4, TimeToMicros(certificate.not_after)));
  RETURN_IF_ERROR(insert.BindText(5, certificate.state));
  RETURN_IF_ERROR(insert.BindInt64(6, TimeToMicros(certificate.added)));
  RETURN_IF_ERROR(insert.BindInt64(7, TimeToMicros(certificate.revoked)));
  RETURN_IF_ERROR(InsertStatus(
      insert.Run(), absl::StrCat("certificate ", certificate.fingerprint_sha256, " binding")));
  return txn.Commit();
}

absl::StatusOr<CertificateRecord> GetCertificate(sqlite3* db, absl::string_view fingerprint) {
  RETURN_IF_ERROR(CheckFingerprint(fingerprint));
  return ReadCertificate(db, fingerprint);
}

absl::StatusOr<std::vector<CertificateRecord>> ListCertificates(sqlite3* db,
                                                                absl::string_view principal) {
  RETURN_IF_ERROR(CheckName("principal", principal));
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db, Mode::kRead));
  RETURN_IF_ERROR(ReadPrincipal(db, principal).status());
  ASSIGN_OR_RETURN(Statement select,
                   PrepareSelect(db, kSelectCertificate,
                                 "WHERE principal = ?1 ORDER BY added_us, fingerprint"));
  RETURN_IF_ERROR(select.BindText(1, principal));
  ASSIGN_OR_RETURN(std::vector<CertificateRecord> certificates,
                   ReadAll(select, &CertificateFromRow));
  RETURN_IF_ERROR(txn.Commit());
  return certificates;
}

absl::StatusOr<CertificateRecord> RevokeCertificate(sqlite3* db, absl::string_view fingerprint,
                                                    absl::Time when) {
  RETURN_IF_ERROR(CheckFingerprint(fingerprint));
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db, Mode::kWrite));
  ASSIGN_OR_RETURN(CertificateRecord certificate, ReadCertificate(db, fingerprint));
  if (certificate.state == kCertificateRevoked) {
    RETURN_IF_ERROR(txn.Commit());
    return certificate;
  }
  ASSIGN_OR_RETURN(Statement update,
                   Statement::Prepare(db, "UPDATE certificates SET state = 'revoked', "
                                          "revoked_us = ?2 WHERE fingerprint = ?1"));
  RETURN_IF_ERROR(update.BindText(1, fingerprint));
  RETURN_IF_ERROR(update.BindInt64(2, TimeToMicros(when)));
  RETURN_IF_ERROR(update.Run());
  RETURN_IF_ERROR(txn.Commit());
  certificate.state = kCertificateRevoked;
  certificate.revoked = StoredTime(when);
  return certificate;
}

}  // namespace yinjian::store::sqlite
