#include "service/store/sqlite_destructions.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "service/store/sqlite_rows.h"
#include "service/store/sqlite_statement.h"

namespace yinjian::store::sqlite {
namespace {

using Mode = Transaction::Mode;

// The states in which a request still holds its key: at most one per key.
constexpr absl::string_view kOpenStates =
    "state IN ('pending', 'approved', 'scheduled', 'destroying')";

bool IsDestructionState(absl::string_view state) {
  return state == kDestructionPending || state == kDestructionApproved ||
         state == kDestructionScheduled || state == kDestructionDestroying ||
         state == kDestructionDestroyed || state == kDestructionCancelled;
}

// "destruction request 3 of finance/payroll", for messages.
std::string Describe(const DestructionRecord& request) {
  return absl::StrCat("destruction request ", request.id, " of ",
                      KeyPath(request.department, request.key));
}

absl::Status NotIn(const DestructionRecord& request, absl::string_view wanted) {
  return absl::FailedPreconditionError(
      absl::StrCat(Describe(request), " is ", request.state, ", not ", wanted));
}

absl::StatusOr<DestructionRecord> ReadDestruction(sqlite3* db, int64_t id) {
  ASSIGN_OR_RETURN(Statement select, PrepareSelect(db, kSelectDestruction, "WHERE id = ?1"));
  RETURN_IF_ERROR(select.BindInt64(1, id));
  ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return absl::NotFoundError(absl::StrCat("destruction request ", id, " not found"));
  return DestructionFromRow(select);
}

// The oldest open request on the key that names `version` (any version if negative), if any.
absl::StatusOr<std::optional<DestructionRecord>> FindOpen(sqlite3* db, absl::string_view department,
                                                          absl::string_view key, int32_t version) {
  ASSIGN_OR_RETURN(Statement select,
                   PrepareSelect(db, kSelectDestruction,
                                 absl::StrCat("WHERE department = ?1 AND key_name = ?2 "
                                              "AND (?3 < 0 OR version = ?3) AND ",
                                              kOpenStates, " ORDER BY id LIMIT 1")));
  RETURN_IF_ERROR(select.BindText(1, department));
  RETURN_IF_ERROR(select.BindText(2, key));
  RETURN_IF_ERROR(select.BindInt64(3, version));
  ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return std::optional<DestructionRecord>();
  return std::optional<DestructionRecord>(DestructionFromRow(select));
}

// The key's versions in ascending order: `version`, or all of them for version 0.
absl::StatusOr<std::vector<KeyVersionRecord>> ReadVersions(sqlite3* db,
                                                           absl::string_view department,
                                                           absl::string_view key, int32_t version) {
  ASSIGN_OR_RETURN(Statement select,
                   PrepareSelect(db, kSelectKeyVersion,
                                 "WHERE department = ?1 AND key_name = ?2 "
                                 "AND (?3 = 0 OR version = ?3) ORDER BY version"));
  RETURN_IF_ERROR(select.BindText(1, department));
  RETURN_IF_ERROR(select.BindText(2, key));
  RETURN_IF_ERROR(select.BindInt64(3, version));
  return ReadAll(select, &KeyVersionFromRow);
}

// Inside a write transaction: NOT_FOUND or FAILED_PRECONDITION unless `request` may be opened.
absl::Status CheckTarget(sqlite3* db, const DestructionRecord& request) {
  const std::string path = KeyPath(request.department, request.key);
  ASSIGN_OR_RETURN(KeyRecord key, ReadKey(db, request.department, request.key));
  ASSIGN_OR_RETURN(std::vector<KeyVersionRecord> versions,
                   ReadVersions(db, request.department, request.key, request.version));
  if (request.version > 0) {
    const std::string what = absl::StrCat("version ", request.version, " of key ", path);
    if (versions.empty()) return absl::NotFoundError(absl::StrCat(what, " not found"));
    if (versions.front().state == kVersionDestroyed) {
      return absl::FailedPreconditionError(absl::StrCat(what, " is already destroyed"));
    }
    if (key.primary_version == request.version) {
      return absl::FailedPreconditionError(absl::StrCat(
          what,
          " is the primary version; make another version primary first, or destroy the "
          "whole key"));
    }
  } else if (std::all_of(versions.begin(), versions.end(),
                         [](const KeyVersionRecord& v) { return v.state == kVersionDestroyed; })) {
    return absl::FailedPreconditionError(
        absl::StrCat("every version of key ", path, " is already destroyed"));
  }
  ASSIGN_OR_RETURN(std::optional<DestructionRecord> open,
                   FindOpen(db, request.department, request.key, -1));
  if (open.has_value()) {
    return absl::FailedPreconditionError(
        absl::StrCat("key ", path, " already has open ", Describe(*open), " (", open->state, ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckNewDestruction(const DestructionRecord& request) {
  RETURN_IF_ERROR(CheckName("department", request.department));
  RETURN_IF_ERROR(CheckName("key", request.key));
  RETURN_IF_ERROR(CheckName("requester", request.requested_by));
  if (request.reason.empty()) {
    return absl::InvalidArgumentError("a destruction request needs a reason");
  }
  if (request.version < 0) {
    return absl::InvalidArgumentError(absl::StrCat("negative key version ", request.version));
  }
  if (request.required_approvals < 1) {
    return absl::InvalidArgumentError("a destruction request needs at least one approval");
  }
  return absl::OkStatus();
}

// Binds the fields that change after creation, from state to record_index, to the parameters
// first, first + 1, ... in the order kChangingColumns names them.
constexpr char kChangingColumns[] =
    "state, approved_by, approved_us, witnessed_by, witnessed_us, destroy_after_us, "
    "cancelled_by, cancel_reason, cancelled_us, destroyed_us, destroyed_versions, record, "
    "record_index";

absl::Status BindChangingFields(Statement& statement, const DestructionRecord& request, int first) {
  RETURN_IF_ERROR(statement.BindText(first, request.state));
  RETURN_IF_ERROR(statement.BindText(first + 1, JoinList(request.approved_by)));
  RETURN_IF_ERROR(statement.BindInt64(first + 2, TimeToMicros(request.approved)));
  RETURN_IF_ERROR(statement.BindText(first + 3, request.witnessed_by));
  RETURN_IF_ERROR(statement.BindInt64(first + 4, TimeToMicros(request.witnessed)));
  RETURN_IF_ERROR(statement.BindInt64(first + 5, TimeToMicros(request.destroy_after)));
  RETURN_IF_ERROR(statement.BindText(first + 6, request.cancelled_by));
  RETURN_IF_ERROR(statement.BindText(first + 7, request.cancel_reason));
  RETURN_IF_ERROR(statement.BindInt64(first + 8, TimeToMicros(request.cancelled)));
  RETURN_IF_ERROR(statement.BindInt64(first + 9, TimeToMicros(request.destroyed)));
  RETURN_IF_ERROR(statement.BindText(first + 10, JoinVersions(request.destroyed_versions)));
  RETURN_IF_ERROR(statement.BindText(first + 11, request.record));
  return statement.BindInt64(first + 12, request.record_index);
}

absl::Status InsertDestruction(sqlite3* db, const DestructionRecord& request) {
  ASSIGN_OR_RETURN(
      Statement insert,
      Statement::Prepare(db, absl::StrCat("INSERT INTO destructions (department, key_name, "
                                          "version, reason, required_approvals, requested_by, "
                                          "requested_us, ",
                                          kChangingColumns,
                                          ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                                          "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)")));
  RETURN_IF_ERROR(insert.BindText(1, request.department));
  RETURN_IF_ERROR(insert.BindText(2, request.key));
  RETURN_IF_ERROR(insert.BindInt64(3, request.version));
  RETURN_IF_ERROR(insert.BindText(4, request.reason));
  RETURN_IF_ERROR(insert.BindInt64(5, request.required_approvals));
  RETURN_IF_ERROR(insert.BindText(6, request.requested_by));
  RETURN_IF_ERROR(insert.BindInt64(7, TimeToMicros(request.requested)));
  RETURN_IF_ERROR(BindChangingFields(insert, request, 8));
  return insert.Run();
}

// Inside a write transaction: stores the fields of `request` that change after creation.
absl::Status UpdateDestruction(sqlite3* db, const DestructionRecord& request) {
  ASSIGN_OR_RETURN(
      Statement update,
      Statement::Prepare(db, absl::StrCat("UPDATE destructions SET (", kChangingColumns,
                                          ") = (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
                                          "?10, ?11, ?12, ?13, ?14) WHERE id = ?1")));
  RETURN_IF_ERROR(update.BindInt64(1, request.id));
  RETURN_IF_ERROR(BindChangingFields(update, request, 2));
  return update.Run();
}

// Inside a write transaction: shreds `versions` (erasing their wrapped material) for request
// `id`.
absl::Status ShredVersions(sqlite3* db, const std::vector<KeyVersionRecord>& versions, int64_t id,
                           absl::Time when) {
  ASSIGN_OR_RETURN(Statement update,
                   Statement::Prepare(db,
                                      "UPDATE key_versions SET state = 'destroyed', "
                                      "wrapped_material = x'', destroyed_us = ?4, "
                                      "destruction_id = ?5 WHERE department = ?1 "
                                      "AND key_name = ?2 AND version = ?3"));
  RETURN_IF_ERROR(update.BindInt64(4, TimeToMicros(when)));
  RETURN_IF_ERROR(update.BindInt64(5, id));
  for (const KeyVersionRecord& version : versions) {
    RETURN_IF_ERROR(update.BindText(1, version.department));
    RETURN_IF_ERROR(update.BindText(2, version.key));
    RETURN_IF_ERROR(update.BindInt64(3, version.version));
    RETURN_IF_ERROR(update.Run());
    RETURN_IF_ERROR(update.Reset());
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<DestructionRecord> CreateDestruction(sqlite3* db, const DestructionRecord& request) {
  RETURN_IF_ERROR(CheckNewDestruction(request));
  DestructionRecord stored;
  stored.department = request.department;
  stored.key = request.key;
  stored.version = request.version;
  stored.reason = request.reason;
  stored.state = kDestructionPending;
  stored.required_approvals = request.required_approvals;
  stored.requested_by = request.requested_by;
  stored.requested = StoredTime(request.requested);

  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db, Mode::kWrite));
  RETURN_IF_ERROR(CheckTarget(db, stored));
  RETURN_IF_ERROR(InsertDestruction(db, stored));
  stored.id = sqlite3_last_insert_rowid(db);
  RETURN_IF_ERROR(txn.Commit());
  return stored;
}

absl::StatusOr<DestructionRecord> GetDestruction(sqlite3* db, int64_t id) {
  return ReadDestruction(db, id);
}

absl::StatusOr<std::vector<DestructionRecord>> ListDestructions(sqlite3* db,
                                                                const DestructionFilter& filter) {
  if (!filter.state.empty() && !IsDestructionState(filter.state)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown destruction state '", filter.state, "'"));
  }
  ASSIGN_OR_RETURN(Statement select, PrepareSelect(db, kSelectDestruction,
                                                   "WHERE (?1 = '' OR department = ?1) "
                                                   "AND (?2 = '' OR key_name = ?2) "
                                                   "AND (?3 = '' OR state = ?3) ORDER BY id"));
  RETURN_IF_ERROR(select.BindText(1, filter.department));
  RETURN_IF_ERROR(select.BindText(2, filter.key));
  RETURN_IF_ERROR(select.BindText(3, filter.state));
  return ReadAll(select, &DestructionFromRow);
}

absl::StatusOr<DestructionRecord> ApproveDestruction(sqlite3* db, int64_t id,
                                                     absl::string_view approver, absl::Time when) {
  RETURN_IF_ERROR(CheckName("approver", approver));
  RETURN_IF_ERROR(CheckList("approvers", {std::string(approver)}));
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db, Mode::kWrite));
  ASSIGN_OR_RETURN(DestructionRecord request, ReadDestruction(db, id));
  if (request.state != kDestructionPending) return NotIn(request, kDestructionPending);
  if (std::find(request.approved_by.begin(), request.approved_by.end(), approver) !=
      request.approved_by.end()) {
    return absl::FailedPreconditionError(
        absl::StrCat(approver, " has already approved ", Describe(request)));
  }
  request.approved_by.push_back(std::string(approver));
  if (static_cast<int64_t>(request.approved_by.size()) >= request.required_approvals) {
    request.state = kDestructionApproved;
    request.approved = StoredTime(when);
  }
  RETURN_IF_ERROR(UpdateDestruction(db, request));
  RETURN_IF_ERROR(txn.Commit());
  return request;
}

absl::StatusOr<DestructionRecord> WitnessDestruction(sqlite3* db, int64_t id,
                                                     absl::string_view witness, absl::Time when,
                                                     absl::Time destroy_after) {
  RETURN_IF_ERROR(CheckName("witness", witness));
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db, Mode::kWrite));
  ASSIGN_OR_RETURN(DestructionRecord request, ReadDestruction(db, id));
  if (request.state != kDestructionApproved) return NotIn(request, kDestructionApproved);
  request.state = kDestructionScheduled;
  request.witnessed_by = std::string(witness);
  request.witnessed = StoredTime(when);
  request.destroy_after = StoredTime(destroy_after);
  RETURN_IF_ERROR(UpdateDestruction(db, request));
  RETURN_IF_ERROR(txn.Commit());
  return request;
}

absl::StatusOr<DestructionRecord> CancelDestruction(sqlite3* db, int64_t id, absl::string_view by,
                                                    absl::string_view reason, absl::Time when) {
  RETURN_IF_ERROR(CheckName("canceller", by));
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db, Mode::kWrite));
  ASSIGN_OR_RETURN(DestructionRecord request, ReadDestruction(db, id));
  if (request.state != kDestructionPending && request.state != kDestructionApproved &&
      request.state != kDestructionScheduled) {
    return absl::FailedPreconditionError(absl::StrCat(Describe(request), " is ", request.state,
                                                      "; only pending, approved or scheduled "
                                                      "requests can be cancelled"));
  }
  request.state = kDestructionCancelled;
  request.cancelled_by = std::string(by);
  request.cancel_reason = std::string(reason);
  request.cancelled = StoredTime(when);
  RETURN_IF_ERROR(UpdateDestruction(db, request));
  RETURN_IF_ERROR(txn.Commit());
  return request;
}

absl::StatusOr<std::vector<DestructionRecord>> ListDueDestructions(sqlite3* db, absl::Time now,
                                                                   int32_t limit) {
  if (limit < 0) return absl::InvalidArgumentError("limit must not be negative");
  ASSIGN_OR_RETURN(Statement select,
                   PrepareSelect(db, kSelectDestruction,
                                 "WHERE (state = 'scheduled' AND destroy_after_us <= ?1) "
                                 "OR state = 'destroying' "
                                 "ORDER BY destroy_after_us, id LIMIT ?2"));
  RETURN_IF_ERROR(select.BindInt64(1, TimeToMicros(now)));
  RETURN_IF_ERROR(select.BindInt64(2, limit));
  return ReadAll(select, &DestructionFromRow);
}

absl::StatusOr<DestructionRecord> ClaimDestruction(sqlite3* db, int64_t id, absl::Time now) {
  // The write lock is held from the read to the commit, so two executors see one claim.
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db, Mode::kWrite));
  ASSIGN_OR_RETURN(DestructionRecord request, ReadDestruction(db, id));
  if (request.state == kDestructionDestroying) {
    RETURN_IF_ERROR(txn.Commit());
    return request;
  }
  if (request.state != kDestructionScheduled) return NotIn(request, kDestructionScheduled);
  if (now < request.destroy_after) {
    return absl::FailedPreconditionError(absl::StrCat(Describe(request), " is not due until ",
                                                      absl::FormatTime(request.destroy_after)));
  }
  request.state = kDestructionDestroying;
  RETURN_IF_ERROR(UpdateDestruction(db, request));
  RETURN_IF_ERROR(txn.Commit());
  return request;
}

absl::StatusOr<std::pair<DestructionRecord, std::vector<KeyVersionRecord>>> FinishDestruction(
    sqlite3* db, int64_t id, absl::Time when) {
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db, Mode::kWrite));
  ASSIGN_OR_RETURN(DestructionRecord request, ReadDestruction(db, id));
  if (request.state != kDestructionDestroying) return NotIn(request, kDestructionDestroying);
  ASSIGN_OR_RETURN(std::vector<KeyVersionRecord> covered,
                   ReadVersions(db, request.department, request.key, request.version));
  std::vector<KeyVersionRecord> before;
  for (KeyVersionRecord& version : covered) {
    if (version.state != kVersionDestroyed) before.push_back(std::move(version));
  }
  RETURN_IF_ERROR(ShredVersions(db, before, id, when));
  request.state = kDestructionDestroyed;
  request.destroyed = StoredTime(when);
  request.destroyed_versions.clear();
  for (const KeyVersionRecord& version : before) {
    request.destroyed_versions.push_back(version.version);  // ascending: read in version order
  }
  RETURN_IF_ERROR(UpdateDestruction(db, request));
  RETURN_IF_ERROR(txn.Commit());
  return std::make_pair(std::move(request), std::move(before));
}

absl::StatusOr<DestructionRecord> SetDestructionRecord(sqlite3* db, int64_t id,
                                                       absl::string_view record,
                                                       int64_t record_index) {
  if (record.empty()) return absl::InvalidArgumentError("empty destruction record");
  if (record_index < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("negative audit log index ", record_index, " for a destruction record"));
  }
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db, Mode::kWrite));
  ASSIGN_OR_RETURN(DestructionRecord request, ReadDestruction(db, id));
  if (request.state != kDestructionDestroyed) return NotIn(request, kDestructionDestroyed);
  if (!request.record.empty() || request.record_index >= 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(Describe(request), " already has its destruction record (audit entry ",
                     request.record_index, ")"));
  }
  request.record = std::string(record);
  request.record_index = record_index;
  RETURN_IF_ERROR(UpdateDestruction(db, request));
  RETURN_IF_ERROR(txn.Commit());
  return request;
}

absl::Status CheckNoOpenDestruction(sqlite3* db, absl::string_view department,
                                    absl::string_view key, int32_t version) {
  if (version < 1) return absl::OkStatus();  // names no version; FindOpen would match any
  ASSIGN_OR_RETURN(std::optional<DestructionRecord> open, FindOpen(db, department, key, version));
  if (!open.has_value()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("version ", version, " of key ", KeyPath(department, key), " is named by open ",
                   Describe(*open), " (", open->state, "); cancel it first"));
}

}  // namespace yinjian::store::sqlite
