#include "service/store/sqlite_audit.h"

#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/status_macros.h"
#include "service/store/sqlite_rows.h"
#include "service/store/sqlite_statement.h"

namespace yinjian::store::sqlite {
namespace {

using Mode = Transaction::Mode;

constexpr size_t kHashSize = 32;  // SHA-256
// The highest node level: a subtree of 2^62 leaves; audit_nodes' CHECK says the same.
constexpr int32_t kMaxNodeLevel = 62;

// INVALID_ARGUMENT naming `what` (built only on failure: this runs for every entry of every
// batch) unless `hash` has the size of a SHA-256 value.
template <typename DescribeFn>
absl::Status CheckHash(absl::string_view hash, DescribeFn what) {
  if (hash.size() == kHashSize) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(what(), " is ", hash.size(), " bytes, not ", kHashSize));
}

std::string NodeName(int32_t level, int64_t index) {
  return absl::StrCat("audit node (level ", level, ", index ", index, ")");
}

// What AppendAudit can check before it takes the write lock: the sizes of the hashes, the node
// positions, and that the entry indices run without a gap.
absl::Status CheckAppendArguments(absl::Span<const AuditEntryRecord> entries,
                                  absl::Span<const AuditNodeRecord> nodes,
                                  const AuditCheckpointRecord& checkpoint) {
  for (size_t i = 0; i < entries.size(); ++i) {
    const AuditEntryRecord& entry = entries[i];
    RETURN_IF_ERROR(CheckHash(
        entry.leaf_hash, [&] { return absl::StrCat("leaf hash of audit entry ", entry.index); }));
    if (i == 0) continue;
    const int64_t previous = entries[i - 1].index;
    if (previous == std::numeric_limits<int64_t>::max() || entry.index != previous + 1) {
      return absl::FailedPreconditionError(absl::StrCat("audit entry ", entry.index,
                                                        " follows entry ", previous,
                                                        "; indices must be consecutive"));
    }
  }
  for (const AuditNodeRecord& node : nodes) {
    if (node.level < 0 || node.level > kMaxNodeLevel || node.index < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(NodeName(node.level, node.index), " is not a position in the tree"));
    }
    RETURN_IF_ERROR(CheckHash(
        node.hash, [&] { return absl::StrCat("hash of ", NodeName(node.level, node.index)); }));
  }
  if (checkpoint.size < 0) return absl::InvalidArgumentError("negative audit checkpoint size");
  return CheckHash(checkpoint.root_hash, [&] {
    return absl::StrCat("root hash of the audit checkpoint of size ", checkpoint.size);
  });
}

absl::StatusOr<std::string> ReadNodeHash(StatementCache& db, int32_t level, int64_t index) {
  ASSIGN_OR_RETURN(Statement select, db.Prepare("SELECT hash FROM audit_nodes "
                                                "WHERE level = ?1 AND idx = ?2"));
  RETURN_IF_ERROR(select.BindInt64(1, level));
  RETURN_IF_ERROR(select.BindInt64(2, index));
  ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return absl::NotFoundError(absl::StrCat(NodeName(level, index), " not found"));
  return select.ColumnBlob(0);
}

absl::StatusOr<AuditCheckpointRecord> ReadCheckpoint(StatementCache& db, int64_t size) {
  ASSIGN_OR_RETURN(Statement select, PrepareSelect(db, kSelectAuditCheckpoint, "WHERE size = ?1"));
  RETURN_IF_ERROR(select.BindInt64(1, size));
  ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) {
    return absl::NotFoundError(absl::StrCat("no audit checkpoint of size ", size));
  }
  return AuditCheckpointFromRow(select);
}

// Inside the write transaction. One prepared INSERT serves every entry of the batch.
absl::Status InsertEntries(StatementCache& db, absl::Span<const AuditEntryRecord> entries) {
  if (entries.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(Statement insert,
                   db.Prepare("INSERT INTO audit_entries (idx, entry, leaf_hash, "
                              "time_us, principal, department, operation, key_name, "
                              "decision, result) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
  for (const AuditEntryRecord& entry : entries) {
    RETURN_IF_ERROR(insert.BindInt64(1, entry.index));
    RETURN_IF_ERROR(insert.BindBlob(2, entry.entry));
    RETURN_IF_ERROR(insert.BindBlob(3, entry.leaf_hash));
    RETURN_IF_ERROR(insert.BindInt64(4, TimeToMicros(entry.time)));
    RETURN_IF_ERROR(insert.BindText(5, entry.principal));
    RETURN_IF_ERROR(insert.BindText(6, entry.department));
    RETURN_IF_ERROR(insert.BindText(7, entry.operation));
    RETURN_IF_ERROR(insert.BindText(8, entry.key));
    RETURN_IF_ERROR(insert.BindText(9, entry.decision));
    RETURN_IF_ERROR(insert.BindText(10, entry.result));
    RETURN_IF_ERROR(insert.Run());
    RETURN_IF_ERROR(insert.Reset());
  }
  return absl::OkStatus();
}

// Inside the write transaction, after `insert` ran for `node` with status `inserted` and
// `changes` rows inserted: OK if `node` is what is stored now (inserted, or an equal node kept by
// ON CONFLICT DO NOTHING); FAILED_PRECONDITION if a different hash is stored (the schema's
// trigger refuses that insert; if a hand edit dropped the trigger, the insert does nothing).
absl::Status CheckNodeStored(StatementCache& db, const AuditNodeRecord& node,
                             const absl::Status& inserted, int64_t changes) {
  if (inserted.ok() && changes == 1) return absl::OkStatus();
  if (!inserted.ok() && inserted.code() != absl::StatusCode::kFailedPrecondition) return inserted;
  absl::StatusOr<std::string> stored = ReadNodeHash(db, node.level, node.index);
  if (absl::IsNotFound(stored.status())) {
    if (!inserted.ok()) return inserted;
    return absl::InternalError(
        absl::StrCat(NodeName(node.level, node.index), " was neither inserted nor found"));
  }
  if (!stored.ok()) return stored.status();
  if (*stored != node.hash) {
    return absl::FailedPreconditionError(
        absl::StrCat(NodeName(node.level, node.index), " is already stored with a different hash"));
  }
  return inserted;
}

// Inside the write transaction: stores the nodes, each a complete subtree of a log of
// `new_size` entries.
absl::Status InsertNodes(StatementCache& db, absl::Span<const AuditNodeRecord> nodes,
                         int64_t new_size) {
  if (nodes.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(Statement insert, db.Prepare("INSERT INTO audit_nodes (level, idx, hash) "
                                                "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING"));
  for (const AuditNodeRecord& node : nodes) {
    // Leaves [index << level, (index + 1) << level) must all be in the log.
    if (node.index >= (new_size >> node.level)) {
      return absl::FailedPreconditionError(absl::StrCat(
          NodeName(node.level, node.index), " is not complete in a log of ", new_size, " entries"));
    }
    RETURN_IF_ERROR(insert.BindInt64(1, node.level));
    RETURN_IF_ERROR(insert.BindInt64(2, node.index));
    RETURN_IF_ERROR(insert.BindBlob(3, node.hash));
    const absl::Status inserted = insert.Run();
    RETURN_IF_ERROR(CheckNodeStored(db, node, inserted, inserted.ok() ? insert.Changes() : 0));
    RETURN_IF_ERROR(insert.Reset());
  }
  return absl::OkStatus();
}

// Inside the write transaction. The checkpoint is looked up first rather than inserted with ON
// CONFLICT DO NOTHING: the schema's trigger refuses any insert that would meet a stored
// checkpoint with a different note or time, and an equal root hash is enough to keep the
// stored one.
absl::Status InsertCheckpoint(StatementCache& db, const AuditCheckpointRecord& checkpoint) {
  absl::StatusOr<AuditCheckpointRecord> stored = ReadCheckpoint(db, checkpoint.size);
  if (stored.ok()) {
    if (stored->root_hash == checkpoint.root_hash) return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat(
        "the audit checkpoint of size ", checkpoint.size, " is already stored with another root"));
  }
  if (!absl::IsNotFound(stored.status())) return stored.status();
  ASSIGN_OR_RETURN(Statement insert,
                   db.Prepare("INSERT INTO audit_checkpoints (size, root_hash, note, "
                              "created_us) VALUES (?1, ?2, ?3, ?4)"));
  RETURN_IF_ERROR(insert.BindInt64(1, checkpoint.size));
  RETURN_IF_ERROR(insert.BindBlob(2, checkpoint.root_hash));
  RETURN_IF_ERROR(insert.BindText(3, checkpoint.note));
  RETURN_IF_ERROR(insert.BindInt64(4, TimeToMicros(checkpoint.created)));
  return insert.Run();
}

// A WHERE clause of constant conditions with numbered parameters: the text values bind to ?1 ..
// ?k, then the numbers to ?k+1 ... Values never enter the SQL text.
struct AuditWhere {
  std::vector<std::string> conditions;
  std::vector<absl::string_view> texts;
  std::vector<int64_t> numbers;

  int NextParameter() const { return static_cast<int>(texts.size() + numbers.size()) + 1; }
  void AddText(absl::string_view column, absl::string_view value) {
    if (value.empty()) return;
    conditions.push_back(absl::StrCat(column, " = ?", NextParameter()));
    texts.push_back(value);
  }
  // Numbers bind after texts, so every AddText comes before the first AddNumber.
  void AddNumber(absl::string_view condition, int64_t value) {
    conditions.push_back(absl::StrCat(condition, " ?", NextParameter()));
    numbers.push_back(value);
  }
};

AuditWhere AuditFilterWhere(const AuditFilter& filter) {
  AuditWhere where;
  where.AddText("principal", filter.principal);
  where.AddText("department", filter.department);
  where.AddText("key_name", filter.key);
  where.AddText("operation", filter.operation);
  where.AddText("decision", filter.decision);
  if (filter.from != absl::InfinitePast()) {
    where.AddNumber("time_us >=", TimeToMicrosRoundingUp(filter.from));
  }
  if (filter.to != absl::InfiniteFuture()) {
    where.AddNumber("time_us <", TimeToMicrosRoundingUp(filter.to));
  }
  if (filter.after_index >= 0) where.AddNumber("idx >", filter.after_index);
  return where;
}

}  // namespace

absl::StatusOr<int64_t> AuditLogSize(StatementCache& db) {
  // idx is the rowid: max() reads the last entry of the table's B-tree, not every row.
  ASSIGN_OR_RETURN(Statement select,
                   db.Prepare("SELECT coalesce(max(idx) + 1, 0) FROM audit_entries"));
  ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return absl::InternalError("SELECT max(idx) returned no row");
  return select.ColumnInt64(0);
}

absl::Status AppendAudit(StatementCache& db, absl::Span<const AuditEntryRecord> entries,
                         absl::Span<const AuditNodeRecord> nodes,
                         const AuditCheckpointRecord& checkpoint) {
  RETURN_IF_ERROR(CheckAppendArguments(entries, nodes, checkpoint));
  // The write lock is held from reading the size to the commit, so no other replica can append
  // in between.
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db, Mode::kWrite));
  ASSIGN_OR_RETURN(const int64_t size, AuditLogSize(db));
  if (!entries.empty() && entries.front().index != size) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the audit log has ", size, " entries; cannot append at index ", entries.front().index));
  }
  const int64_t new_size = size + static_cast<int64_t>(entries.size());
  if (checkpoint.size != new_size) {
    return absl::FailedPreconditionError(absl::StrCat("audit checkpoint of size ", checkpoint.size,
                                                      " for a log of ", new_size, " entries"));
  }
  RETURN_IF_ERROR(InsertEntries(db, entries));
  RETURN_IF_ERROR(InsertNodes(db, nodes, new_size));
  RETURN_IF_ERROR(InsertCheckpoint(db, checkpoint));
  return txn.Commit();
}

absl::StatusOr<AuditEntryRecord> GetAuditEntry(StatementCache& db, int64_t index) {
  if (index < 0) return absl::InvalidArgumentError("negative audit entry index");
  ASSIGN_OR_RETURN(Statement select, PrepareSelect(db, kSelectAuditEntry, "WHERE idx = ?1"));
  RETURN_IF_ERROR(select.BindInt64(1, index));
  ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return absl::NotFoundError(absl::StrCat("audit entry ", index, " not found"));
  return AuditEntryFromRow(select);
}

absl::StatusOr<std::vector<AuditEntryRecord>> ListAuditEntries(StatementCache& db, int64_t begin,
                                                               int64_t end) {
  if (begin < 0) return absl::InvalidArgumentError("negative audit entry index");
  ASSIGN_OR_RETURN(Statement select, PrepareSelect(db, kSelectAuditEntry,
                                                   "WHERE idx >= ?1 AND idx < ?2 ORDER BY idx"));
  RETURN_IF_ERROR(select.BindInt64(1, begin));
  RETURN_IF_ERROR(select.BindInt64(2, end));
  return ReadAll(select, &AuditEntryFromRow);
}

absl::StatusOr<std::vector<AuditEntryRecord>> QueryAudit(StatementCache& db,
                                                         const AuditFilter& filter) {
  if (filter.limit < 0) return absl::InvalidArgumentError("negative audit query limit");
  if (filter.limit == 0) return std::vector<AuditEntryRecord>();
  AuditWhere where = AuditFilterWhere(filter);
  const int limit_parameter = where.NextParameter();
  where.numbers.push_back(filter.limit);
  const std::string rest = absl::StrCat(where.conditions.empty() ? "" : "WHERE ",
                                        absl::StrJoin(where.conditions, " AND "),
                                        " ORDER BY idx LIMIT ?", limit_parameter);
  // The SQL varies with the filter: prepared for this query only, not kept.
  ASSIGN_OR_RETURN(Statement select, PrepareSelect(db.db(), kSelectAuditEntry, rest));
  int parameter = 1;
  for (absl::string_view text : where.texts) RETURN_IF_ERROR(select.BindText(parameter++, text));
  for (int64_t number : where.numbers) RETURN_IF_ERROR(select.BindInt64(parameter++, number));
  return ReadAll(select, &AuditEntryFromRow);
}

absl::StatusOr<std::string> GetAuditNode(StatementCache& db, int32_t level, int64_t index) {
  if (level < 0 || index < 0) {
    return absl::InvalidArgumentError("negative audit node level or index");
  }
  absl::StatusOr<std::string> node = ReadNodeHash(db, level, index);
  if (level != 0 || !absl::IsNotFound(node.status())) return node;
  // Level 0 nodes are the leaf hashes, which the entries hold.
  ASSIGN_OR_RETURN(Statement select,
                   db.Prepare("SELECT leaf_hash FROM audit_entries WHERE idx = ?1"));
  RETURN_IF_ERROR(select.BindInt64(1, index));
  ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return absl::NotFoundError(absl::StrCat(NodeName(level, index), " not found"));
  return select.ColumnBlob(0);
}

absl::StatusOr<AuditCheckpointRecord> LatestAuditCheckpoint(StatementCache& db) {
  ASSIGN_OR_RETURN(Statement select,
                   PrepareSelect(db, kSelectAuditCheckpoint, "ORDER BY size DESC LIMIT 1"));
  ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return absl::NotFoundError("no audit checkpoint yet");
  return AuditCheckpointFromRow(select);
}

absl::StatusOr<AuditCheckpointRecord> GetAuditCheckpoint(StatementCache& db, int64_t size) {
  if (size < 0) return absl::InvalidArgumentError("negative audit checkpoint size");
  return ReadCheckpoint(db, size);
}

absl::StatusOr<std::vector<AuditCheckpointRecord>> ListAuditCheckpoints(StatementCache& db) {
  ASSIGN_OR_RETURN(Statement select, PrepareSelect(db, kSelectAuditCheckpoint, "ORDER BY size"));
  return ReadAll(select, &AuditCheckpointFromRow);
}

}  // namespace yinjian::store::sqlite
