// SqliteStore's calls for principals, certificates, grants, destruction requests, root key
// rotations and the audit log. Each is one operation of sqlite_principals.h, sqlite_grants.h,
// sqlite_destructions.h, sqlite_root_rotations.h or sqlite_audit.h, which validates and runs its
// own transaction (or single statement) on the connection; here it only takes the connection's
// mutex. Departments, keys and key versions are in sqlite_store.cc.
#include <utility>

#include "service/store/sqlite_audit.h"
#include "service/store/sqlite_destructions.h"
#include "service/store/sqlite_grants.h"
#include "service/store/sqlite_principals.h"
#include "service/store/sqlite_root_rotations.h"
#include "service/store/sqlite_store.h"

namespace yinjian::store {

absl::Status SqliteStore::CreatePrincipal(const PrincipalRecord& principal) {
  absl::MutexLock lock(&mu_);
  return sqlite::CreatePrincipal(db_, principal);
}

absl::StatusOr<PrincipalRecord> SqliteStore::GetPrincipal(absl::string_view name) {
  absl::MutexLock lock(&mu_);
  return sqlite::GetPrincipal(db_, name);
}

absl::StatusOr<std::vector<PrincipalRecord>> SqliteStore::ListPrincipals(
    absl::string_view department) {
  absl::MutexLock lock(&mu_);
  return sqlite::ListPrincipals(db_, department);
}

absl::StatusOr<PrincipalRecord> SqliteStore::SetPrincipalRoles(
    absl::string_view name, const std::vector<std::string>& roles) {
  absl::MutexLock lock(&mu_);
  return sqlite::SetPrincipalRoles(db_, name, roles);
}

absl::StatusOr<PrincipalRecord> SqliteStore::DisablePrincipal(absl::string_view name,
                                                              absl::Time when) {
  absl::MutexLock lock(&mu_);
  return sqlite::DisablePrincipal(db_, name, when);
}

absl::StatusOr<OffboardResult> SqliteStore::OffboardPrincipal(absl::string_view name,
                                                              absl::string_view by,
                                                              absl::Time when) {
  absl::MutexLock lock(&mu_);
  return sqlite::OffboardPrincipal(db_, name, by, when);
}

absl::Status SqliteStore::AddCertificate(const CertificateRecord& certificate) {
  absl::MutexLock lock(&mu_);
  return sqlite::AddCertificate(db_, certificate);
}

absl::StatusOr<CertificateRecord> SqliteStore::GetCertificate(absl::string_view fingerprint) {
  absl::MutexLock lock(&mu_);
  return sqlite::GetCertificate(db_, fingerprint);
}

absl::StatusOr<std::vector<CertificateRecord>> SqliteStore::ListCertificates(
    absl::string_view principal) {
  absl::MutexLock lock(&mu_);
  return sqlite::ListCertificates(db_, principal);
}

absl::StatusOr<CertificateRecord> SqliteStore::RevokeCertificate(absl::string_view fingerprint,
                                                                 absl::Time when) {
  absl::MutexLock lock(&mu_);
  return sqlite::RevokeCertificate(db_, fingerprint, when);
}

absl::StatusOr<GrantRecord> SqliteStore::CreateGrant(const GrantRecord& grant) {
  absl::MutexLock lock(&mu_);
  return sqlite::CreateGrant(db_, grant);
}

absl::StatusOr<GrantRecord> SqliteStore::GetGrant(int64_t id) {
  absl::MutexLock lock(&mu_);
  return sqlite::GetGrant(db_, id);
}

absl::StatusOr<std::vector<GrantRecord>> SqliteStore::ListGrants(const GrantFilter& filter) {
  absl::MutexLock lock(&mu_);
  return sqlite::ListGrants(db_, filter);
}

absl::StatusOr<std::vector<GrantRecord>> SqliteStore::GrantsForCaller(
    absl::string_view key_department, absl::string_view key_name, absl::string_view principal,
    absl::string_view department) {
  absl::MutexLock lock(&mu_);
  return sqlite::GrantsForCaller(db_, key_department, key_name, principal, department);
}

absl::StatusOr<GrantRecord> SqliteStore::ApproveGrant(int64_t id, absl::string_view approver,
                                                      absl::Time when) {
  absl::MutexLock lock(&mu_);
  return sqlite::ApproveGrant(db_, id, approver, when);
}

absl::StatusOr<GrantRecord> SqliteStore::RevokeGrant(int64_t id, absl::string_view by,
                                                     absl::string_view reason, absl::Time when) {
  absl::MutexLock lock(&mu_);
  return sqlite::RevokeGrant(db_, id, by, reason, when);
}

absl::StatusOr<GrantRecord> SqliteStore::ConsumeGrantUse(int64_t id, absl::Time when) {
  absl::MutexLock lock(&mu_);
  return sqlite::ConsumeGrantUse(db_, id, when);
}

absl::StatusOr<DestructionRecord> SqliteStore::CreateDestruction(const DestructionRecord& request) {
  absl::MutexLock lock(&mu_);
  return sqlite::CreateDestruction(db_, request);
}

absl::StatusOr<DestructionRecord> SqliteStore::GetDestruction(int64_t id) {
  absl::MutexLock lock(&mu_);
  return sqlite::GetDestruction(db_, id);
}

absl::StatusOr<std::vector<DestructionRecord>> SqliteStore::ListDestructions(
    const DestructionFilter& filter) {
  absl::MutexLock lock(&mu_);
  return sqlite::ListDestructions(db_, filter);
}

absl::StatusOr<DestructionRecord> SqliteStore::ApproveDestruction(int64_t id,
                                                                  absl::string_view approver,
                                                                  absl::Time when) {
  absl::MutexLock lock(&mu_);
  return sqlite::ApproveDestruction(db_, id, approver, when);
}

absl::StatusOr<DestructionRecord> SqliteStore::WitnessDestruction(int64_t id,
                                                                  absl::string_view witness,
                                                                  absl::Time when,
                                                                  absl::Time destroy_after) {
  absl::MutexLock lock(&mu_);
  return sqlite::WitnessDestruction(db_, id, witness, when, destroy_after);
}

absl::StatusOr<DestructionRecord> SqliteStore::CancelDestruction(int64_t id, absl::string_view by,
                                                                 absl::string_view reason,
                                                                 absl::Time when) {
  absl::MutexLock lock(&mu_);
  return sqlite::CancelDestruction(db_, id, by, reason, when);
}

absl::StatusOr<std::vector<DestructionRecord>> SqliteStore::ListDueDestructions(absl::Time now,
                                                                                int32_t limit) {
  absl::MutexLock lock(&mu_);
  return sqlite::ListDueDestructions(db_, now, limit);
}

absl::StatusOr<DestructionRecord> SqliteStore::ClaimDestruction(int64_t id, absl::Time now) {
  absl::MutexLock lock(&mu_);
  return sqlite::ClaimDestruction(db_, id, now);
}

absl::StatusOr<std::pair<DestructionRecord, std::vector<KeyVersionRecord>>>
SqliteStore::FinishDestruction(int64_t id, absl::Time when) {
  absl::MutexLock lock(&mu_);
  auto finished = sqlite::FinishDestruction(db_, id, when);
  if (finished.ok() && !finished->second.empty()) TruncateWal();
  return finished;
}

absl::StatusOr<DestructionRecord> SqliteStore::SetDestructionRecord(int64_t id,
                                                                    absl::string_view record,
                                                                    int64_t record_index) {
  absl::MutexLock lock(&mu_);
  return sqlite::SetDestructionRecord(db_, id, record, record_index);
}

absl::StatusOr<RootRotationRecord> SqliteStore::BeginRootRotation(absl::string_view department,
                                                                  absl::string_view new_root_key_id,
                                                                  absl::string_view by,
                                                                  absl::Time when) {
  absl::MutexLock lock(&mu_);
  return sqlite::BeginRootRotation(db_, department, new_root_key_id, by, when);
}

absl::StatusOr<RootRotationRecord> SqliteStore::LatestRootRotation(absl::string_view department) {
  absl::MutexLock lock(&mu_);
  return sqlite::LatestRootRotation(db_, department);
}

absl::StatusOr<std::vector<RootRotationRecord>> SqliteStore::ListUnfinishedRootRotations() {
  absl::MutexLock lock(&mu_);
  return sqlite::ListUnfinishedRootRotations(db_);
}

absl::StatusOr<std::vector<KeyVersionRecord>> SqliteStore::ListVersionsNotWrappedUnder(
    absl::string_view department, absl::string_view root_key_id, int32_t limit) {
  absl::MutexLock lock(&mu_);
  return sqlite::ListVersionsNotWrappedUnder(db_, department, root_key_id, limit);
}

absl::StatusOr<int64_t> SqliteStore::CountVersionsNotWrappedUnder(absl::string_view department,
                                                                  absl::string_view root_key_id) {
  absl::MutexLock lock(&mu_);
  return sqlite::CountVersionsNotWrappedUnder(db_, department, root_key_id);
}

absl::StatusOr<std::vector<bool>> SqliteStore::RewrapVersions(
    absl::Span<const VersionRewrap> rewraps, absl::Time when) {
  absl::MutexLock lock(&mu_);
  return sqlite::RewrapVersions(db_, rewraps, when);
}

absl::StatusOr<RootRotationRecord> SqliteStore::FinishRootRotation(int64_t id, absl::Time when) {
  absl::MutexLock lock(&mu_);
  return sqlite::FinishRootRotation(db_, id, when);
}

absl::StatusOr<int64_t> SqliteStore::AuditLogSize() {
  absl::MutexLock lock(&mu_);
  return sqlite::AuditLogSize(statements_);
}

absl::Status SqliteStore::AppendAudit(absl::Span<const AuditEntryRecord> entries,
                                      absl::Span<const AuditNodeRecord> nodes,
                                      const AuditCheckpointRecord& checkpoint) {
  absl::MutexLock lock(&mu_);
  return sqlite::AppendAudit(statements_, entries, nodes, checkpoint);
}

absl::StatusOr<AuditEntryRecord> SqliteStore::GetAuditEntry(int64_t index) {
  absl::MutexLock lock(&mu_);
  return sqlite::GetAuditEntry(statements_, index);
}

absl::StatusOr<std::vector<AuditEntryRecord>> SqliteStore::ListAuditEntries(int64_t begin,
                                                                            int64_t end) {
  absl::MutexLock lock(&mu_);
  return sqlite::ListAuditEntries(statements_, begin, end);
}

absl::StatusOr<std::vector<AuditEntryRecord>> SqliteStore::QueryAudit(const AuditFilter& filter) {
  absl::MutexLock lock(&mu_);
  return sqlite::QueryAudit(statements_, filter);
}

absl::StatusOr<std::string> SqliteStore::GetAuditNode(int32_t level, int64_t index) {
  absl::MutexLock lock(&mu_);
  return sqlite::GetAuditNode(statements_, level, index);
}

absl::StatusOr<AuditCheckpointRecord> SqliteStore::LatestAuditCheckpoint() {
  absl::MutexLock lock(&mu_);
  return sqlite::LatestAuditCheckpoint(statements_);
}

absl::StatusOr<AuditCheckpointRecord> SqliteStore::GetAuditCheckpoint(int64_t size) {
  absl::MutexLock lock(&mu_);
  return sqlite::GetAuditCheckpoint(statements_, size);
}

absl::StatusOr<std::vector<AuditCheckpointRecord>> SqliteStore::ListAuditCheckpoints() {
  absl::MutexLock lock(&mu_);
  return sqlite::ListAuditCheckpoints(statements_);
}

}  // namespace yinjian::store
