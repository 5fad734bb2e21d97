#include "service/store/sqlite_rows.h"

#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"

namespace yinjian::store::sqlite {
namespace {

constexpr int64_t kInfinitePastMicros = std::numeric_limits<int64_t>::min();
constexpr int64_t kInfiniteFutureMicros = std::numeric_limits<int64_t>::max();

// The values the keys table's CHECK constraints accept (policy/policy.h spells them).
bool IsKnownDataLevel(absl::string_view level) {
  return level == "general" || level == "important" || level == "core";
}
bool IsKnownSharingClass(absl::string_view sharing) {
  return sharing == "none" || sharing == "conditional" || sharing == "unconditional";
}

}  // namespace

int64_t TimeToMicros(absl::Time t) {
  if (t == absl::InfinitePast()) return kInfinitePastMicros;
  if (t == absl::InfiniteFuture()) return kInfiniteFutureMicros;
  return absl::ToUnixMicros(t);  // saturates for finite times beyond the range
}

absl::Time MicrosToTime(int64_t micros) {
  if (micros == kInfinitePastMicros) return absl::InfinitePast();
  if (micros == kInfiniteFutureMicros) return absl::InfiniteFuture();
  return absl::FromUnixMicros(micros);
}

absl::Time StoredTime(absl::Time t) { return MicrosToTime(TimeToMicros(t)); }

int64_t TimeToMicrosRoundingUp(absl::Time t) {
  const int64_t micros = TimeToMicros(t);
  if (micros == kInfinitePastMicros || micros == kInfiniteFutureMicros) return micros;
  return MicrosToTime(micros) < t ? micros + 1 : micros;
}

absl::Status CheckList(absl::string_view what, const std::vector<std::string>& items) {
  for (const std::string& item : items) {
    if (item.empty()) return absl::InvalidArgumentError(absl::StrCat("empty item in ", what));
    if (item.find('\n') != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("an item of ", what, " holds a newline"));
    }
  }
  return absl::OkStatus();
}

std::string JoinList(const std::vector<std::string>& items) { return absl::StrJoin(items, "\n"); }

std::vector<std::string> SplitList(absl::string_view joined) {
  if (joined.empty()) return {};
  return absl::StrSplit(joined, '\n');
}

std::string JoinVersions(const std::vector<int32_t>& versions) {
  return absl::StrJoin(versions, "\n");
}

std::vector<int32_t> SplitVersions(absl::string_view joined) {
  std::vector<int32_t> versions;
  for (absl::string_view item : SplitList(joined)) {
    int32_t version = 0;
    // Only JoinVersions writes the column; an item that does not parse is not a version.
    if (absl::SimpleAtoi(item, &version)) versions.push_back(version);
  }
  return versions;
}

absl::Status CheckName(absl::string_view what, absl::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError(absl::StrCat("empty ", what, " name"));
  return absl::OkStatus();
}

std::string KeyPath(absl::string_view department, absl::string_view key) {
  return absl::StrCat(department, "/", key);
}

absl::Status InsertStatus(const absl::Status& status, absl::string_view what) {
  if (status.code() == absl::StatusCode::kAlreadyExists) {
    return absl::AlreadyExistsError(absl::StrCat(what, " already exists"));
  }
  return status;
}

constexpr absl::string_view kSelectDepartment =
    "SELECT name, display_name, token_label, root_key_id, created_us FROM departments ";

DepartmentRecord DepartmentFromRow(const Statement& row) {
  return {.name = row.ColumnText(0),
          .display_name = row.ColumnText(1),
          .token_label = row.ColumnText(2),
          .root_key_id = row.ColumnBlob(3),
          .created = MicrosToTime(row.ColumnInt64(4))};
}

constexpr absl::string_view kSelectKey =
    "SELECT department, name, kind, protection_level, primary_version, description, created_us, "
    "data_level, sharing_class, allowed_operations, shared_operations, allowed_purposes, "
    "min_decrypt_version, rotation_period_s, next_rotation_us, origin "
    "FROM keys ";

KeyRecord KeyFromRow(const Statement& row) {
  return {.department = row.ColumnText(0),
          .name = row.ColumnText(1),
          .kind = row.ColumnText(2),
          .protection_level = row.ColumnText(3),
          .primary_version = static_cast<int32_t>(row.ColumnInt64(4)),
          .description = row.ColumnText(5),
          .created = MicrosToTime(row.ColumnInt64(6)),
          .data_level = row.ColumnText(7),
          .sharing_class = row.ColumnText(8),
          .allowed_operations = SplitList(row.ColumnText(9)),
          .shared_operations = SplitList(row.ColumnText(10)),
          .allowed_purposes = SplitList(row.ColumnText(11)),
          .min_decrypt_version = static_cast<int32_t>(row.ColumnInt64(12)),
          .rotation_period = absl::Seconds(row.ColumnInt64(13)),
          .next_rotation = MicrosToTime(row.ColumnInt64(14)),
          .origin = row.ColumnText(15)};
}

constexpr absl::string_view kSelectKeyVersion =
    "SELECT department, key_name, version, state, wrapped_material, hsm_object_id, "
    "public_key_spki, root_key_id, created_us, destroyed_us, destruction_id FROM key_versions ";

KeyVersionRecord KeyVersionFromRow(const Statement& row) {
  return {.department = row.ColumnText(0),
          .key = row.ColumnText(1),
          .version = static_cast<int32_t>(row.ColumnInt64(2)),
          .state = row.ColumnText(3),
          .wrapped_material = row.ColumnBlob(4),
          .hsm_object_id = row.ColumnBlob(5),
          .public_key_spki = row.ColumnBlob(6),
          .root_key_id = row.ColumnBlob(7),
          .created = MicrosToTime(row.ColumnInt64(8)),
          .destroyed = MicrosToTime(row.ColumnInt64(9)),
          .destruction_id = row.ColumnInt64(10)};
}

constexpr absl::string_view kSelectPrincipal =
    "SELECT name, department, roles, state, created_by, created_us, disabled_us FROM principals ";

PrincipalRecord PrincipalFromRow(const Statement& row) {
  return {.name = row.ColumnText(0),
          .department = row.ColumnText(1),
          .roles = SplitList(row.ColumnText(2)),
          .state = row.ColumnText(3),
          .created_by = row.ColumnText(4),
          .created = MicrosToTime(row.ColumnInt64(5)),
          .disabled = MicrosToTime(row.ColumnInt64(6))};
}

constexpr absl::string_view kSelectCertificate =
    "SELECT fingerprint, principal, subject, not_after_us, state, added_us, revoked_us "
    "FROM certificates ";

CertificateRecord CertificateFromRow(const Statement& row) {
  return {.fingerprint_sha256 = row.ColumnText(0),
          .principal = row.ColumnText(1),
          .subject = row.ColumnText(2),
          .not_after = MicrosToTime(row.ColumnInt64(3)),
          .state = row.ColumnText(4),
          .added = MicrosToTime(row.ColumnInt64(5)),
          .revoked = MicrosToTime(row.ColumnInt64(6))};
}

constexpr absl::string_view kSelectGrant =
    "SELECT id, key_department, key_name, grantee_principal, grantee_department, operations, "
    "purposes, expires_us, max_uses, uses, state, required_approvals, justification, "
    "requested_by, requested_us, approved_by, activated_us, revoked_by, revoke_reason, "
    "revoked_us FROM grants ";

GrantRecord GrantFromRow(const Statement& row) {
  return {.id = row.ColumnInt64(0),
          .key_department = row.ColumnText(1),
          .key_name = row.ColumnText(2),
          .grantee_principal = row.ColumnText(3),
          .grantee_department = row.ColumnText(4),
          .operations = SplitList(row.ColumnText(5)),
          .purposes = SplitList(row.ColumnText(6)),
          .expires = MicrosToTime(row.ColumnInt64(7)),
          .max_uses = row.ColumnInt64(8),
          .uses = row.ColumnInt64(9),
          .state = row.ColumnText(10),
          .required_approvals = static_cast<int32_t>(row.ColumnInt64(11)),
          .justification = row.ColumnText(12),
          .requested_by = row.ColumnText(13),
          .requested = MicrosToTime(row.ColumnInt64(14)),
          .approved_by = SplitList(row.ColumnText(15)),
          .activated = MicrosToTime(row.ColumnInt64(16)),
          .revoked_by = row.ColumnText(17),
          .revoke_reason = row.ColumnText(18),
          .revoked = MicrosToTime(row.ColumnInt64(19))};
}

constexpr absl::string_view kSelectDestruction =
    "SELECT id, department, key_name, version, reason, state, required_approvals, requested_by, "
    "requested_us, approved_by, approved_us, witnessed_by, witnessed_us, destroy_after_us, "
    "cancelled_by, cancel_reason, cancelled_us, destroyed_us, destroyed_versions, record, "
    "record_index FROM destructions ";

DestructionRecord DestructionFromRow(const Statement& row) {
  return {.id = row.ColumnInt64(0),
          .department = row.ColumnText(1),
          .key = row.ColumnText(2),
          .version = static_cast<int32_t>(row.ColumnInt64(3)),
          .reason = row.ColumnText(4),
          .state = row.ColumnText(5),
          .required_approvals = static_cast<int32_t>(row.ColumnInt64(6)),
          .requested_by = row.ColumnText(7),
          .requested = MicrosToTime(row.ColumnInt64(8)),
          .approved_by = SplitList(row.ColumnText(9)),
          .approved = MicrosToTime(row.ColumnInt64(10)),
          .witnessed_by = row.ColumnText(11),
          .witnessed = MicrosToTime(row.ColumnInt64(12)),
          .destroy_after = MicrosToTime(row.ColumnInt64(13)),
          .cancelled_by = row.ColumnText(14),
          .cancel_reason = row.ColumnText(15),
          .cancelled = MicrosToTime(row.ColumnInt64(16)),
          .destroyed = MicrosToTime(row.ColumnInt64(17)),
          .destroyed_versions = SplitVersions(row.ColumnText(18)),
          .record = row.ColumnText(19),
          .record_index = row.ColumnInt64(20)};
}

constexpr absl::string_view kSelectRootRotation =
    "SELECT id, department, old_root_key_id, new_root_key_id, started_by, started_us, "
    "versions_total, last_progress_us, finished_us FROM root_rotations ";

RootRotationRecord RootRotationFromRow(const Statement& row) {
  return {.id = row.ColumnInt64(0),
          .department = row.ColumnText(1),
          .old_root_key_id = row.ColumnBlob(2),
          .new_root_key_id = row.ColumnBlob(3),
          .started_by = row.ColumnText(4),
          .started = MicrosToTime(row.ColumnInt64(5)),
          .versions_total = row.ColumnInt64(6),
          .last_progress = MicrosToTime(row.ColumnInt64(7)),
          .finished = MicrosToTime(row.ColumnInt64(8))};
}

constexpr absl::string_view kSelectAuditEntry =
    "SELECT idx, entry, leaf_hash, time_us, principal, department, operation, key_name, "
    "decision, result FROM audit_entries ";

AuditEntryRecord AuditEntryFromRow(const Statement& row) {
  return {.index = row.ColumnInt64(0),
          .entry = row.ColumnBlob(1),
          .leaf_hash = row.ColumnBlob(2),
          .time = MicrosToTime(row.ColumnInt64(3)),
          .principal = row.ColumnText(4),
          .department = row.ColumnText(5),
          .operation = row.ColumnText(6),
          .key = row.ColumnText(7),
          .decision = row.ColumnText(8),
          .result = row.ColumnText(9)};
}

constexpr absl::string_view kSelectAuditCheckpoint =
    "SELECT size, root_hash, note, created_us FROM audit_checkpoints ";

AuditCheckpointRecord AuditCheckpointFromRow(const Statement& row) {
  return {.size = row.ColumnInt64(0),
          .root_hash = row.ColumnBlob(1),
          .note = row.ColumnText(2),
          .created = MicrosToTime(row.ColumnInt64(3))};
}

absl::StatusOr<Statement> PrepareSelect(sqlite3* db, absl::string_view select,
                                        absl::string_view rest) {
  return Statement::Prepare(db, absl::StrCat(select, rest));
}

absl::StatusOr<Statement> PrepareSelect(StatementCache& cache, absl::string_view select,
                                        absl::string_view rest) {
  return cache.Prepare(absl::StrCat(select, rest));
}

absl::Status CheckKeyPolicy(const KeyRecord& key) {
  if (!IsKnownDataLevel(key.data_level)) {
    return absl::InvalidArgumentError(absl::StrCat("unknown data level '", key.data_level, "'"));
  }
  if (!IsKnownSharingClass(key.sharing_class)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown sharing class '", key.sharing_class, "'"));
  }
  RETURN_IF_ERROR(CheckList("allowed operations", key.allowed_operations));
  RETURN_IF_ERROR(CheckList("shared operations", key.shared_operations));
  return CheckList("allowed purposes", key.allowed_purposes);
}

absl::Status BindKeyPolicy(Statement& statement, int first, const KeyRecord& key) {
  RETURN_IF_ERROR(statement.BindText(first, key.data_level));
  RETURN_IF_ERROR(statement.BindText(first + 1, key.sharing_class));
  RETURN_IF_ERROR(statement.BindText(first + 2, JoinList(key.allowed_operations)));
  RETURN_IF_ERROR(statement.BindText(first + 3, JoinList(key.shared_operations)));
  return statement.BindText(first + 4, JoinList(key.allowed_purposes));
}

absl::Status CheckDepartmentExists(sqlite3* db, absl::string_view name) {
  ASSIGN_OR_RETURN(Statement select,
                   Statement::Prepare(db, "SELECT 1 FROM departments WHERE name = ?1"));
  RETURN_IF_ERROR(select.BindText(1, name));
  ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return absl::NotFoundError(absl::StrCat("department ", name, " not found"));
  return absl::OkStatus();
}

absl::StatusOr<KeyRecord> ReadKey(sqlite3* db, absl::string_view department,
                                  absl::string_view name) {
  ASSIGN_OR_RETURN(Statement select,
                   PrepareSelect(db, kSelectKey, "WHERE department = ?1 AND name = ?2"));
  RETURN_IF_ERROR(select.BindText(1, department));
  RETURN_IF_ERROR(select.BindText(2, name));
  ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) {
    return absl::NotFoundError(absl::StrCat("key ", KeyPath(department, name), " not found"));
  }
  return KeyFromRow(select);
}

}  // namespace yinjian::store::sqlite
