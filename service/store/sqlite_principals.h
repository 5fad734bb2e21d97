// Principals and their certificates (R7, R8) on SqliteStore's connection. Each function is one
// whole operation with the contract of its namesake in store.h: it checks its arguments, runs in
// its own transaction on `db` (BEGIN IMMEDIATE for writes) and returns records as stored. The
// caller serialises use of `db` (SqliteStore holds its mutex). Internal to service/store.
#ifndef YINJIAN_SERVICE_STORE_SQLITE_PRINCIPALS_H_
#define YINJIAN_SERVICE_STORE_SQLITE_PRINCIPALS_H_

#include <sqlite3.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/store/records.h"

namespace yinjian::store::sqlite {

// Stores the roles sorted and deduplicated. INVALID_ARGUMENT for an empty name or department,
// an unknown state, or a role that is empty or holds a newline.
absl::Status CreatePrincipal(sqlite3* db, const PrincipalRecord& principal);
absl::StatusOr<PrincipalRecord> GetPrincipal(sqlite3* db, absl::string_view name);
// NOT_FOUND if `department` is not "" and does not exist. Ordered by name.
absl::StatusOr<std::vector<PrincipalRecord>> ListPrincipals(sqlite3* db,
                                                            absl::string_view department);
absl::StatusOr<PrincipalRecord> SetPrincipalRoles(sqlite3* db, absl::string_view name,
                                                  const std::vector<std::string>& roles);
absl::StatusOr<PrincipalRecord> DisablePrincipal(sqlite3* db, absl::string_view name,
                                                 absl::Time when);
// Offboarding an already disabled principal keeps its disabled time and does the rest.
absl::StatusOr<OffboardResult> OffboardPrincipal(sqlite3* db, absl::string_view name,
                                                 absl::string_view by, absl::Time when);

// INVALID_ARGUMENT for an empty fingerprint or principal, or an unknown state.
absl::Status AddCertificate(sqlite3* db, const CertificateRecord& certificate);
absl::StatusOr<CertificateRecord> GetCertificate(sqlite3* db, absl::string_view fingerprint);
// NOT_FOUND if the principal does not exist. Ordered by added time, then fingerprint.
absl::StatusOr<std::vector<CertificateRecord>> ListCertificates(sqlite3* db,
                                                                absl::string_view principal);
absl::StatusOr<CertificateRecord> RevokeCertificate(sqlite3* db, absl::string_view fingerprint,
                                                    absl::Time when);

}  // namespace yinjian::store::sqlite

#endif  // YINJIAN_SERVICE_STORE_SQLITE_PRINCIPALS_H_
