// Store on an embedded SQLite database file: the default backend.
//
// Durability: WAL journal with synchronous=FULL, so a commit that returned is on disk.
// Sharing: several server replicas (processes or SqliteStore objects) may open the same file on
// a local file system; writes take the database's write lock for the whole read-modify-write
// and wait up to the busy timeout for another writer (then UNAVAILABLE). One connection per
// SqliteStore, used under a mutex.
//
// Layout: sqlite_store.cc implements departments, keys and versions and forwards principals and
// certificates to sqlite_principals.cc, grants to sqlite_grants.cc, destruction requests to
// sqlite_destructions.cc, root key rotations to sqlite_root_rotations.cc and the audit log to
// sqlite_audit.cc; rows map to records in sqlite_rows.cc.
#ifndef YINJIAN_SERVICE_STORE_SQLITE_STORE_H_
#define YINJIAN_SERVICE_STORE_SQLITE_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "service/store/records.h"
#include "service/store/sqlite_connection.h"
#include "service/store/sqlite_migrations.h"
#include "service/store/sqlite_statement.h"
#include "service/store/store.h"

namespace yinjian::store {

struct SqliteStoreOptions {
  // How long a write waits for another connection's write lock before UNAVAILABLE.
  absl::Duration busy_timeout = absl::Seconds(5);
};

class SqliteStore final : public Store {
 public:
  // Opens (creating if missing, with mode 0600 whatever the umask) the database at `path` and
  // applies pending schema steps. Fails with the path in the message:
  //   NOT_FOUND / PERMISSION_DENIED / ... (from errno) if the file cannot be opened for writing,
  //     e.g. a missing or read-only directory
  //   FAILED_PRECONDITION if the file is not a SQLite database, or its schema is newer than this
  //     binary's or has a different history
  //   UNAVAILABLE if another replica holds the write lock past the busy timeout
  static absl::StatusOr<std::unique_ptr<SqliteStore>> Open(const std::string& path,
                                                           const SqliteStoreOptions& options = {});

  // As Open, with a caller's list of schema steps instead of SqliteMigrations(). For tests of
  // the migration machinery.
  static absl::StatusOr<std::unique_ptr<SqliteStore>> OpenWithMigrations(
      const std::string& path, const SqliteStoreOptions& options,
      absl::Span<const SqliteMigration> migrations);

  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;
  ~SqliteStore() override = default;  // closes the connection

  int32_t SchemaVersion() const override { return schema_version_; }
  absl::Status WriteSnapshot(const std::string& path) override;

  absl::Status CreateDepartment(const DepartmentRecord& department) override;
  absl::StatusOr<DepartmentRecord> GetDepartment(absl::string_view name) override;
  absl::StatusOr<std::vector<DepartmentRecord>> ListDepartments() override;

  absl::StatusOr<KeyRecord> CreateKey(const KeyRecord& key,
                                      const KeyVersionRecord& first_version) override;
  absl::StatusOr<KeyRecord> GetKey(absl::string_view department, absl::string_view name) override;
  absl::StatusOr<std::vector<KeyRecord>> ListKeys(absl::string_view department) override;

  absl::StatusOr<KeyVersionRecord> AddKeyVersion(absl::string_view department,
                                                 absl::string_view key,
                                                 const KeyVersionRecord& version,
                                                 bool make_primary) override;
  absl::StatusOr<KeyVersionRecord> GetKeyVersion(absl::string_view department,
                                                 absl::string_view key, int32_t version) override;
  absl::StatusOr<std::vector<KeyVersionRecord>> ListKeyVersions(absl::string_view department,
                                                                absl::string_view key) override;

  absl::StatusOr<KeyRecord> SetPrimaryVersion(absl::string_view department, absl::string_view key,
                                              int32_t version) override;
  absl::StatusOr<KeyVersionRecord> SetVersionState(absl::string_view department,
                                                   absl::string_view key, int32_t version,
                                                   absl::string_view state) override;
  absl::StatusOr<KeyRecord> UpdateKeyPolicy(absl::string_view department, absl::string_view key,
                                            const KeyRecord& policy) override;

  absl::StatusOr<KeyRecord> SetMinDecryptVersion(absl::string_view department,
                                                 absl::string_view key, int32_t version) override;
  absl::StatusOr<KeyRecord> SetRotationSchedule(absl::string_view department, absl::string_view key,
                                                absl::Duration period, absl::Time next) override;
  absl::StatusOr<std::vector<KeyRecord>> ListDueRotations(absl::Time now, int32_t limit) override;
  absl::StatusOr<bool> ClaimRotation(absl::string_view department, absl::string_view key,
                                     absl::Time expected, absl::Time next) override;

  absl::StatusOr<DestructionRecord> CreateDestruction(const DestructionRecord& request) override;
  absl::StatusOr<DestructionRecord> GetDestruction(int64_t id) override;
  absl::StatusOr<std::vector<DestructionRecord>> ListDestructions(
      const DestructionFilter& filter) override;
  absl::StatusOr<DestructionRecord> ApproveDestruction(int64_t id, absl::string_view approver,
                                                       absl::Time when) override;
  absl::StatusOr<DestructionRecord> WitnessDestruction(int64_t id, absl::string_view witness,
                                                       absl::Time when,
                                                       absl::Time destroy_after) override;
  absl::StatusOr<DestructionRecord> CancelDestruction(int64_t id, absl::string_view by,
                                                      absl::string_view reason,
                                                      absl::Time when) override;
  absl::StatusOr<std::vector<DestructionRecord>> ListDueDestructions(absl::Time now,
                                                                     int32_t limit) override;
  absl::StatusOr<DestructionRecord> ClaimDestruction(int64_t id, absl::Time now) override;
  // Also truncates the WAL when versions were shredded, as SetVersionState does.
  absl::StatusOr<std::pair<DestructionRecord, std::vector<KeyVersionRecord>>> FinishDestruction(
      int64_t id, absl::Time when) override;
  absl::StatusOr<DestructionRecord> SetDestructionRecord(int64_t id, absl::string_view record,
                                                         int64_t record_index) override;

  absl::StatusOr<RootRotationRecord> BeginRootRotation(absl::string_view department,
                                                       absl::string_view new_root_key_id,
                                                       absl::string_view by,
                                                       absl::Time when) override;
  absl::StatusOr<RootRotationRecord> LatestRootRotation(absl::string_view department) override;
  absl::StatusOr<std::vector<RootRotationRecord>> ListUnfinishedRootRotations() override;
  absl::StatusOr<std::vector<KeyVersionRecord>> ListVersionsNotWrappedUnder(
      absl::string_view department, absl::string_view root_key_id, int32_t limit) override;
  absl::StatusOr<int64_t> CountVersionsNotWrappedUnder(absl::string_view department,
                                                       absl::string_view root_key_id) override;
  absl::StatusOr<std::vector<bool>> RewrapVersions(absl::Span<const VersionRewrap> rewraps,
                                                   absl::Time when) override;
  using Store::RewrapVersion;
  absl::StatusOr<RootRotationRecord> FinishRootRotation(int64_t id, absl::Time when) override;

  absl::Status CreatePrincipal(const PrincipalRecord& principal) override;
  absl::StatusOr<PrincipalRecord> GetPrincipal(absl::string_view name) override;
  absl::StatusOr<std::vector<PrincipalRecord>> ListPrincipals(
      absl::string_view department) override;
  absl::StatusOr<PrincipalRecord> SetPrincipalRoles(absl::string_view name,
                                                    const std::vector<std::string>& roles) override;
  absl::StatusOr<PrincipalRecord> DisablePrincipal(absl::string_view name,
                                                   absl::Time when) override;
  absl::StatusOr<OffboardResult> OffboardPrincipal(absl::string_view name, absl::string_view by,
                                                   absl::Time when) override;

  absl::Status AddCertificate(const CertificateRecord& certificate) override;
  absl::StatusOr<CertificateRecord> GetCertificate(absl::string_view fingerprint) override;
  absl::StatusOr<std::vector<CertificateRecord>> ListCertificates(
      absl::string_view principal) override;
  absl::StatusOr<CertificateRecord> RevokeCertificate(absl::string_view fingerprint,
                                                      absl::Time when) override;

  absl::StatusOr<GrantRecord> CreateGrant(const GrantRecord& grant) override;
  absl::StatusOr<GrantRecord> GetGrant(int64_t id) override;
  absl::StatusOr<std::vector<GrantRecord>> ListGrants(const GrantFilter& filter) override;
  absl::StatusOr<std::vector<GrantRecord>> GrantsForCaller(absl::string_view key_department,
                                                           absl::string_view key_name,
                                                           absl::string_view principal,
                                                           absl::string_view department) override;
  absl::StatusOr<GrantRecord> ApproveGrant(int64_t id, absl::string_view approver,
                                           absl::Time when) override;
  absl::StatusOr<GrantRecord> RevokeGrant(int64_t id, absl::string_view by,
                                          absl::string_view reason, absl::Time when) override;
  absl::StatusOr<GrantRecord> ConsumeGrantUse(int64_t id, absl::Time when) override;

  absl::StatusOr<int64_t> AuditLogSize() override;
  absl::Status AppendAudit(absl::Span<const AuditEntryRecord> entries,
                           absl::Span<const AuditNodeRecord> nodes,
                           const AuditCheckpointRecord& checkpoint) override;
  absl::StatusOr<AuditEntryRecord> GetAuditEntry(int64_t index) override;
  absl::StatusOr<std::vector<AuditEntryRecord>> ListAuditEntries(int64_t begin,
                                                                 int64_t end) override;
  absl::StatusOr<std::vector<AuditEntryRecord>> QueryAudit(const AuditFilter& filter) override;
  absl::StatusOr<std::string> GetAuditNode(int32_t level, int64_t index) override;
  absl::StatusOr<AuditCheckpointRecord> LatestAuditCheckpoint() override;
  absl::StatusOr<AuditCheckpointRecord> GetAuditCheckpoint(int64_t size) override;
  absl::StatusOr<std::vector<AuditCheckpointRecord>> ListAuditCheckpoints() override;

 private:
  SqliteStore(SqliteConnection connection, int32_t schema_version)
      : connection_(std::move(connection)),
        db_(connection_.get()),
        statements_(db_),
        schema_version_(schema_version) {}

  // UPDATE keys SET `column` = `value` for one key and returns it re-read; `column` is a
  // constant of the caller's, never input. Inside a caller's transaction, with mu_ held.
  absl::StatusOr<KeyRecord> SetKeyColumn(absl::string_view department, absl::string_view key,
                                         absl::string_view column, int64_t value)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Helpers that run inside a caller's transaction, with mu_ held. (Lookups shared with the
  // principal and grant parts are in sqlite_rows.h.)
  absl::StatusOr<KeyVersionRecord> ReadKeyVersion(absl::string_view department,
                                                  absl::string_view key, int32_t version)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status InsertKeyVersion(const KeyVersionRecord& version) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Copies a destroyed version's freed pages out of the WAL and truncates it, so erased
  // material does not linger there. Best effort: readers on other connections may prevent it.
  void TruncateWal() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  const SqliteConnection connection_;  // owns db_
  sqlite3* const db_ ABSL_PT_GUARDED_BY(mu_);
  // The audit log's statements on db_, prepared once (destroyed before connection_ closes).
  StatementCache statements_ ABSL_GUARDED_BY(mu_);
  const int32_t schema_version_;
};

}  // namespace yinjian::store

#endif  // YINJIAN_SERVICE_STORE_SQLITE_STORE_H_
