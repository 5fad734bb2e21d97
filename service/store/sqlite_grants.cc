#include "service/store/sqlite_grants.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "service/store/sqlite_rows.h"
#include "service/store/sqlite_statement.h"

namespace yinjian::store::sqlite {
namespace {

using Mode = Transaction::Mode;

bool IsGrantState(absl::string_view state) {
  return state == kGrantPending || state == kGrantActive || state == kGrantRevoked;
}

absl::StatusOr<GrantRecord> ReadGrant(sqlite3* db, int64_t id) {
  ASSIGN_OR_RETURN(Statement select, PrepareSelect(db, kSelectGrant, "WHERE id = ?1"));
  RETURN_IF_ERROR(select.BindInt64(1, id));
  ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return absl::NotFoundError(absl::StrCat("grant ", id, " not found"));
  return GrantFromRow(select);
}

// Inside a write transaction: NOT_FOUND unless `principal` exists; INVALID_ARGUMENT unless it
// belongs to `department`.
absl::Status CheckGranteePrincipal(sqlite3* db, absl::string_view principal,
                                   absl::string_view department) {
  ASSIGN_OR_RETURN(Statement select,
                   Statement::Prepare(db, "SELECT department FROM principals WHERE name = ?1"));
  RETURN_IF_ERROR(select.BindText(1, principal));
  ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return absl::NotFoundError(absl::StrCat("principal ", principal, " not found"));
  if (select.ColumnText(0) != department) {
    return absl::InvalidArgumentError(absl::StrCat("grantee principal ", principal,
                                                   " is not of grantee department ", department));
  }
  return absl::OkStatus();
}

// Inside a write transaction: marks grant `id` revoked and `grant` (its record) likewise.
absl::Status MarkRevoked(sqlite3* db, GrantRecord& grant, absl::string_view by,
                         absl::string_view reason, absl::Time when) {
  ASSIGN_OR_RETURN(Statement update,
                   Statement::Prepare(db, "UPDATE grants SET state = 'revoked', revoked_by = ?2, "
                                          "revoke_reason = ?3, revoked_us = ?4 WHERE id = ?1"));
  RETURN_IF_ERROR(update.BindInt64(1, grant.id));
  RETURN_IF_ERROR(update.BindText(2, by));
  RETURN_IF_ERROR(update.BindText(3, reason));
  RETURN_IF_ERROR(update.BindInt64(4, TimeToMicros(when)));
  RETURN_IF_ERROR(update.Run());
  grant.state = kGrantRevoked;
  grant.revoked_by = std::string(by);
  grant.revoke_reason = std::string(reason);
  grant.revoked = StoredTime(when);
  return absl::OkStatus();
}

// Inside a write transaction: revokes the grants that `where` (constant SQL; ?1 is `principal`)
// selects and returns them ordered by id.
absl::StatusOr<std::vector<GrantRecord>> RevokeWhere(sqlite3* db, absl::string_view where,
                                                     absl::string_view principal,
                                                     absl::string_view by,
                                                     absl::string_view reason, absl::Time when) {
  ASSIGN_OR_RETURN(Statement select,
                   PrepareSelect(db, kSelectGrant, absl::StrCat(where, " ORDER BY id")));
  RETURN_IF_ERROR(select.BindText(1, principal));
  ASSIGN_OR_RETURN(std::vector<GrantRecord> grants, ReadAll(select, &GrantFromRow));
  for (GrantRecord& grant : grants) RETURN_IF_ERROR(MarkRevoked(db, grant, by, reason, when));
  return grants;
}

absl::Status InsertGrant(sqlite3* db, const GrantRecord& grant) {
  ASSIGN_OR_RETURN(
      Statement insert,
      Statement::Prepare(db, "INSERT INTO grants (key_department, key_name, grantee_principal, "
                             "grantee_department, operations, purposes, expires_us, max_uses, "
                             "uses, state, required_approvals, justification, requested_by, "
                             "requested_us, approved_by, activated_us, revoked_by, "
                             "revoke_reason, revoked_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                             "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)"));
  RETURN_IF_ERROR(insert.BindText(1, grant.key_department));
  RETURN_IF_ERROR(insert.BindText(2, grant.key_name));
  RETURN_IF_ERROR(insert.BindText(3, grant.grantee_principal));
  RETURN_IF_ERROR(insert.BindText(4, grant.grantee_department));
  RETURN_IF_ERROR(insert.BindText(5, JoinList(grant.operations)));
  RETURN_IF_ERROR(insert.BindText(6, JoinList(grant.purposes)));
  RETURN_IF_ERROR(insert.BindInt64(7, TimeToMicros(grant.expires)));
  RETURN_IF_ERROR(insert.BindInt64(8, grant.max_uses));
  RETURN_IF_ERROR(insert.BindInt64(9, grant.uses));
  RETURN_IF_ERROR(insert.BindText(10, grant.state));
  RETURN_IF_ERROR(insert.BindInt64(11, grant.required_approvals));
  RETURN_IF_ERROR(insert.BindText(12, grant.justification));
  RETURN_IF_ERROR(insert.BindText(13, grant.requested_by));
  RETURN_IF_ERROR(insert.BindInt64(14, TimeToMicros(grant.requested)));
  RETURN_IF_ERROR(insert.BindText(15, JoinList(grant.approved_by)));
  RETURN_IF_ERROR(insert.BindInt64(16, TimeToMicros(grant.activated)));
  RETURN_IF_ERROR(insert.BindText(17, grant.revoked_by));
  RETURN_IF_ERROR(insert.BindText(18, grant.revoke_reason));
  RETURN_IF_ERROR(insert.BindInt64(19, TimeToMicros(grant.revoked)));
  return insert.Run();
}

absl::Status CheckNewGrant(const GrantRecord& grant) {
  RETURN_IF_ERROR(CheckName("key department", grant.key_department));
  RETURN_IF_ERROR(CheckName("key", grant.key_name));
  RETURN_IF_ERROR(CheckName("grantee department", grant.grantee_department));
  if (grant.max_uses < 0) return absl::InvalidArgumentError("negative max_uses");
  if (grant.required_approvals < 1) {
    return absl::InvalidArgumentError("a grant needs at least one approval");
  }
  RETURN_IF_ERROR(CheckList("grant operations", grant.operations));
  return CheckList("grant purposes", grant.purposes);
}

}  // namespace

absl::StatusOr<GrantRecord> CreateGrant(sqlite3* db, const GrantRecord& grant) {
  RETURN_IF_ERROR(CheckNewGrant(grant));
  GrantRecord stored = grant;
  stored.expires = StoredTime(grant.expires);
  stored.uses = 0;
  stored.state = kGrantPending;
  stored.requested = StoredTime(grant.requested);
  stored.approved_by.clear();
  stored.activated = absl::InfinitePast();
  stored.revoked_by.clear();
  stored.revoke_reason.clear();
  stored.revoked = absl::InfinitePast();

  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db, Mode::kWrite));
  RETURN_IF_ERROR(ReadKey(db, grant.key_department, grant.key_name).status());
  RETURN_IF_ERROR(CheckDepartmentExists(db, grant.grantee_department));
  if (!grant.grantee_principal.empty()) {
    RETURN_IF_ERROR(CheckGranteePrincipal(db, grant.grantee_principal, grant.grantee_department));
  }
  RETURN_IF_ERROR(InsertGrant(db, stored));
  stored.id = sqlite3_last_insert_rowid(db);
  RETURN_IF_ERROR(txn.Commit());
  return stored;
}

absl::StatusOr<GrantRecord> GetGrant(sqlite3* db, int64_t id) { return ReadGrant(db, id); }

absl::StatusOr<std::vector<GrantRecord>> ListGrants(sqlite3* db, const GrantFilter& filter) {
  if (!filter.state.empty() && !IsGrantState(filter.state)) {
    return absl::InvalidArgumentError(absl::StrCat("unknown grant state '", filter.state, "'"));
  }
  ASSIGN_OR_RETURN(Statement select,
                   PrepareSelect(db, kSelectGrant,
                                 "WHERE (?1 = '' OR key_department = ?1) "
                                 "AND (?2 = '' OR key_name = ?2) "
                                 "AND (?3 = '' OR grantee_principal = ?3) "
                                 "AND (?4 = '' OR grantee_department = ?4) "
                                 "AND (?5 = '' OR requested_by = ?5) "
                                 "AND (?6 = '' OR state = ?6) ORDER BY id"));
  RETURN_IF_ERROR(select.BindText(1, filter.key_department));
  RETURN_IF_ERROR(select.BindText(2, filter.key_name));
  RETURN_IF_ERROR(select.BindText(3, filter.grantee_principal));
  RETURN_IF_ERROR(select.BindText(4, filter.grantee_department));
  RETURN_IF_ERROR(select.BindText(5, filter.requested_by));
  RETURN_IF_ERROR(select.BindText(6, filter.state));
  return ReadAll(select, &GrantFromRow);
}

absl::StatusOr<std::vector<GrantRecord>> GrantsForCaller(sqlite3* db,
                                                         absl::string_view key_department,
                                                         absl::string_view key_name,
                                                         absl::string_view principal,
                                                         absl::string_view department) {
  RETURN_IF_ERROR(CheckName("key department", key_department));
  RETURN_IF_ERROR(CheckName("key", key_name));
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db, Mode::kRead));
  RETURN_IF_ERROR(ReadKey(db, key_department, key_name).status());
  ASSIGN_OR_RETURN(Statement select,
                   PrepareSelect(db, kSelectGrant,
                                 "WHERE key_department = ?1 AND key_name = ?2 "
                                 "AND ((?3 <> '' AND grantee_principal = ?3) "
                                 "OR (grantee_principal = '' AND grantee_department = ?4)) "
                                 "ORDER BY id"));
  RETURN_IF_ERROR(select.BindText(1, key_department));
  RETURN_IF_ERROR(select.BindText(2, key_name));
  RETURN_IF_ERROR(select.BindText(3, principal));
  RETURN_IF_ERROR(select.BindText(4, department));
  ASSIGN_OR_RETURN(std::vector<GrantRecord> grants, ReadAll(select, &GrantFromRow));
  RETURN_IF_ERROR(txn.Commit());
  return grants;
}

absl::StatusOr<GrantRecord> ApproveGrant(sqlite3* db, int64_t id, absl::string_view approver,
                                         absl::Time when) {
  RETURN_IF_ERROR(CheckName("approver", approver));
  RETURN_IF_ERROR(CheckList("approvers", {std::string(approver)}));
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db, Mode::kWrite));
  ASSIGN_OR_RETURN(GrantRecord grant, ReadGrant(db, id));
  if (grant.state != kGrantPending) {
    return absl::FailedPreconditionError(
        absl::StrCat("grant ", id, " is ", grant.state, ", not pending"));
  }
  if (std::find(grant.approved_by.begin(), grant.approved_by.end(), approver) !=
      grant.approved_by.end()) {
    return absl::FailedPreconditionError(
        absl::StrCat(approver, " has already approved grant ", id));
  }
  grant.approved_by.push_back(std::string(approver));
  if (static_cast<int64_t>(grant.approved_by.size()) >= grant.required_approvals) {
    grant.state = kGrantActive;
    grant.activated = StoredTime(when);
  }
  ASSIGN_OR_RETURN(Statement update,
                   Statement::Prepare(db, "UPDATE grants SET approved_by = ?2, state = ?3, "
                                          "activated_us = ?4 WHERE id = ?1"));
  RETURN_IF_ERROR(update.BindInt64(1, id));
  RETURN_IF_ERROR(update.BindText(2, JoinList(grant.approved_by)));
  RETURN_IF_ERROR(update.BindText(3, grant.state));
  RETURN_IF_ERROR(update.BindInt64(4, TimeToMicros(grant.activated)));
  RETURN_IF_ERROR(update.Run());
  RETURN_IF_ERROR(txn.Commit());
  return grant;
}

absl::StatusOr<GrantRecord> RevokeGrant(sqlite3* db, int64_t id, absl::string_view by,
                                        absl::string_view reason, absl::Time when) {
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db, Mode::kWrite));
  ASSIGN_OR_RETURN(GrantRecord grant, ReadGrant(db, id));
  if (grant.state == kGrantRevoked) {
    return absl::FailedPreconditionError(absl::StrCat("grant ", id, " is already revoked"));
  }
  RETURN_IF_ERROR(MarkRevoked(db, grant, by, reason, when));
  RETURN_IF_ERROR(txn.Commit());
  return grant;
}

absl::StatusOr<GrantRecord> ConsumeGrantUse(sqlite3* db, int64_t id, absl::Time when) {
  // The write lock is held from the read to the commit, so replicas count one use at a time.
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db, Mode::kWrite));
  ASSIGN_OR_RETURN(GrantRecord grant, ReadGrant(db, id));
  if (grant.state != kGrantActive) {
    return absl::FailedPreconditionError(
        absl::StrCat("grant ", id, " is ", grant.state, ", not active"));
  }
  if (when >= grant.expires) {
    return absl::FailedPreconditionError(
        absl::StrCat("grant ", id, " expired at ", absl::FormatTime(grant.expires)));
  }
  if (grant.max_uses > 0 && grant.uses >= grant.max_uses) {
    return absl::FailedPreconditionError(
        absl::StrCat("grant ", id, " has used all of its ", grant.max_uses, " uses"));
  }
  ASSIGN_OR_RETURN(Statement update,
                   Statement::Prepare(db, "UPDATE grants SET uses = uses + 1 WHERE id = ?1"));
  RETURN_IF_ERROR(update.BindInt64(1, id));
  RETURN_IF_ERROR(update.Run());
  RETURN_IF_ERROR(txn.Commit());
  ++grant.uses;
  return grant;
}

absl::StatusOr<std::vector<GrantRecord>> RevokeGrantsHeldBy(sqlite3* db,
                                                            absl::string_view principal,
                                                            absl::string_view by,
                                                            absl::string_view reason,
                                                            absl::Time when) {
  return RevokeWhere(db, "WHERE grantee_principal = ?1 AND state IN ('pending', 'active')",
                     principal, by, reason, when);
}

absl::StatusOr<std::vector<GrantRecord>> WithdrawRequestsOf(sqlite3* db,
                                                            absl::string_view principal,
                                                            absl::string_view by,
                                                            absl::string_view reason,
                                                            absl::Time when) {
  return RevokeWhere(db, "WHERE requested_by = ?1 AND state = 'pending'", principal, by, reason,
                     when);
}

}  // namespace yinjian::store::sqlite
