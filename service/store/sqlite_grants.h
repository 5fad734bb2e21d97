// Grants (R5, R6) on SqliteStore's connection. Each public operation has the contract of its
// namesake in store.h: it checks its arguments, runs in its own transaction on `db` (BEGIN
// IMMEDIATE for writes, so approvals and use counts are read and changed under the database's
// write lock, atomically across replicas) and returns records as stored. The caller serialises
// use of `db` (SqliteStore holds its mutex). Internal to service/store.
#ifndef YINJIAN_SERVICE_STORE_SQLITE_GRANTS_H_
#define YINJIAN_SERVICE_STORE_SQLITE_GRANTS_H_

#include <sqlite3.h>

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/store/records.h"

namespace yinjian::store::sqlite {

// Stores `grant` as pending with uses 0, no approvals and no activation or revocation (those
// fields of `grant` are ignored, like id). INVALID_ARGUMENT for an empty key department, key
// name or grantee department, a negative max_uses, required_approvals below 1, or an operation
// or purpose that is empty or holds a newline; also if grantee_principal names a principal of
// another department than grantee_department.
absl::StatusOr<GrantRecord> CreateGrant(sqlite3* db, const GrantRecord& grant);
absl::StatusOr<GrantRecord> GetGrant(sqlite3* db, int64_t id);
// INVALID_ARGUMENT if filter.state is not "" and not a grant state.
absl::StatusOr<std::vector<GrantRecord>> ListGrants(sqlite3* db, const GrantFilter& filter);
// NOT_FOUND if the key does not exist. A principal grant counts only for `principal`; a
// department-wide grant (grantee_principal "") for `department`. Ordered by id.
absl::StatusOr<std::vector<GrantRecord>> GrantsForCaller(sqlite3* db,
                                                         absl::string_view key_department,
                                                         absl::string_view key_name,
                                                         absl::string_view principal,
                                                         absl::string_view department);
// INVALID_ARGUMENT for an empty approver or one holding a newline.
absl::StatusOr<GrantRecord> ApproveGrant(sqlite3* db, int64_t id, absl::string_view approver,
                                         absl::Time when);
absl::StatusOr<GrantRecord> RevokeGrant(sqlite3* db, int64_t id, absl::string_view by,
                                        absl::string_view reason, absl::Time when);
// Usable while state is active, when < expires and (max_uses == 0 or uses < max_uses).
absl::StatusOr<GrantRecord> ConsumeGrantUse(sqlite3* db, int64_t id, absl::Time when);

// For OffboardPrincipal, inside the caller's write transaction: revoke the pending and active
// grants `principal` holds as grantee_principal, and then the pending grants it requested
// (those it also held are already revoked, so each grant lands in one list). Each returns the
// revoked grants ordered by id, as stored afterwards.
absl::StatusOr<std::vector<GrantRecord>> RevokeGrantsHeldBy(sqlite3* db,
                                                            absl::string_view principal,
                                                            absl::string_view by,
                                                            absl::string_view reason,
                                                            absl::Time when);
absl::StatusOr<std::vector<GrantRecord>> WithdrawRequestsOf(sqlite3* db,
                                                            absl::string_view principal,
                                                            absl::string_view by,
                                                            absl::string_view reason,
                                                            absl::Time when);

}  // namespace yinjian::store::sqlite

#endif  // YINJIAN_SERVICE_STORE_SQLITE_GRANTS_H_
