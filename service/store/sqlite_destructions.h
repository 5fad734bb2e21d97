// Supervised key destruction (R11) on SqliteStore's connection. Each public operation has the
// contract of its namesake in store.h: it checks its arguments, runs in its own transaction on
// `db` (BEGIN IMMEDIATE for writes, so approvals, claims and the shredding are read and changed
// under the database's write lock, atomically across replicas) and returns records as stored.
// The caller serialises use of `db` (SqliteStore holds its mutex) and, after a FinishDestruction
// that destroyed versions, checkpoints the WAL. Internal to service/store.
#ifndef YINJIAN_SERVICE_STORE_SQLITE_DESTRUCTIONS_H_
#define YINJIAN_SERVICE_STORE_SQLITE_DESTRUCTIONS_H_

#include <sqlite3.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/store/records.h"

namespace yinjian::store::sqlite {

// The request's times are stored as given (truncated to microseconds).
absl::StatusOr<DestructionRecord> CreateDestruction(sqlite3* db, const DestructionRecord& request);
absl::StatusOr<DestructionRecord> GetDestruction(sqlite3* db, int64_t id);
absl::StatusOr<std::vector<DestructionRecord>> ListDestructions(sqlite3* db,
                                                                const DestructionFilter& filter);
// INVALID_ARGUMENT for an empty approver or one holding a newline.
absl::StatusOr<DestructionRecord> ApproveDestruction(sqlite3* db, int64_t id,
                                                     absl::string_view approver, absl::Time when);
// INVALID_ARGUMENT for an empty witness.
absl::StatusOr<DestructionRecord> WitnessDestruction(sqlite3* db, int64_t id,
                                                     absl::string_view witness, absl::Time when,
                                                     absl::Time destroy_after);
// INVALID_ARGUMENT for an empty `by`; the reason may be empty.
absl::StatusOr<DestructionRecord> CancelDestruction(sqlite3* db, int64_t id, absl::string_view by,
                                                    absl::string_view reason, absl::Time when);
// INVALID_ARGUMENT for a negative limit.
absl::StatusOr<std::vector<DestructionRecord>> ListDueDestructions(sqlite3* db, absl::Time now,
                                                                   int32_t limit);
absl::StatusOr<DestructionRecord> ClaimDestruction(sqlite3* db, int64_t id, absl::Time now);
absl::StatusOr<std::pair<DestructionRecord, std::vector<KeyVersionRecord>>> FinishDestruction(
    sqlite3* db, int64_t id, absl::Time when);
// INVALID_ARGUMENT for an empty record or a negative record_index (the record could then be
// written twice).
absl::StatusOr<DestructionRecord> SetDestructionRecord(sqlite3* db, int64_t id,
                                                       absl::string_view record,
                                                       int64_t record_index);

// For SetPrimaryVersion, inside the caller's transaction: FAILED_PRECONDITION if an open
// (pending, approved, scheduled or destroying) request names exactly `version` of the key. A
// whole-key request (version 0) does not block: it destroys the primary as well.
absl::Status CheckNoOpenDestruction(sqlite3* db, absl::string_view department,
                                    absl::string_view key, int32_t version);

}  // namespace yinjian::store::sqlite

#endif  // YINJIAN_SERVICE_STORE_SQLITE_DESTRUCTIONS_H_
