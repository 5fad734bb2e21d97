// The audit log (R9, R10) on SqliteStore's connection: entries, the hashes of the Merkle tree's
// complete subtrees, and signed checkpoints, all append-only (the schema's triggers refuse any
// UPDATE or DELETE, whoever sends it). Each function has the contract of its namesake in
// store.h; the caller serialises use of `db`, a connection's statement cache (SqliteStore holds its
// mutex). The store keeps and checks positions and sizes; computing and verifying hashes and
// signatures is the caller's. Internal to service/store.
#ifndef YINJIAN_SERVICE_STORE_SQLITE_AUDIT_H_
#define YINJIAN_SERVICE_STORE_SQLITE_AUDIT_H_

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "service/store/records.h"
#include "service/store/sqlite_statement.h"

namespace yinjian::store::sqlite {

// The number of entries: max(idx) + 1, one descent of the primary key whatever the log's length.
absl::StatusOr<int64_t> AuditLogSize(StatementCache& db);

// One BEGIN IMMEDIATE transaction, so replicas sharing the file append one after another and
// never leave a gap or a half-written batch.
//   INVALID_ARGUMENT     a leaf, node or root hash that is not 32 bytes; a node with a negative
//                        level or index, or a level above 62
//   FAILED_PRECONDITION  (nothing written) entry indices that are not size, size + 1, ... of
//                        the log as it is inside the transaction; a checkpoint whose size is not
//                        the new size; a node of a subtree the new size does not complete; a
//                        node or checkpoint already stored with a different hash
// `entries` may be empty (a checkpoint of the current size). A node or checkpoint stored with
// the same hash is kept as it is (for a checkpoint: with its own note and time).
absl::Status AppendAudit(StatementCache& db, absl::Span<const AuditEntryRecord> entries,
                         absl::Span<const AuditNodeRecord> nodes,
                         const AuditCheckpointRecord& checkpoint);

// INVALID_ARGUMENT for a negative index; NOT_FOUND beyond the log.
absl::StatusOr<AuditEntryRecord> GetAuditEntry(StatementCache& db, int64_t index);
// INVALID_ARGUMENT for a negative begin; empty if end <= begin.
absl::StatusOr<std::vector<AuditEntryRecord>> ListAuditEntries(StatementCache& db, int64_t begin,
                                                               int64_t end);
// Matches the non-empty fields of `filter` (key against AuditEntryRecord::key) and the time
// range [from, to) against the stored (microsecond) times; ordered by index. INVALID_ARGUMENT
// for a negative limit; a limit of 0 returns nothing.
absl::StatusOr<std::vector<AuditEntryRecord>> QueryAudit(StatementCache& db,
                                                         const AuditFilter& filter);

// The stored node, or for level 0 the entry's leaf hash. INVALID_ARGUMENT for a negative level
// or index; NOT_FOUND if neither is stored.
absl::StatusOr<std::string> GetAuditNode(StatementCache& db, int32_t level, int64_t index);

absl::StatusOr<AuditCheckpointRecord> LatestAuditCheckpoint(StatementCache& db);
// INVALID_ARGUMENT for a negative size.
absl::StatusOr<AuditCheckpointRecord> GetAuditCheckpoint(StatementCache& db, int64_t size);
absl::StatusOr<std::vector<AuditCheckpointRecord>> ListAuditCheckpoints(StatementCache& db);

}  // namespace yinjian::store::sqlite

#endif  // YINJIAN_SERVICE_STORE_SQLITE_AUDIT_H_
