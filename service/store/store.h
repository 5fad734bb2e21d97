// The service's persistent state: departments, keys and key versions (and, through later schema
// steps, principals, grants, audit entries and destruction requests). The interface names no
// database: SqliteStore implements it on an embedded file; a PostgreSQL backend can follow.
//
// Every method is thread-safe, and implementations keep their guarantees when several server
// replicas share one database (R15): version numbers are assigned inside a write transaction, so
// two replicas never hand out the same number.
//
// Errors, for every method:
//   INVALID_ARGUMENT    an empty department or key name, an unknown state
//   NOT_FOUND           the department, key or version does not exist
//   ALREADY_EXISTS      creating something that exists
//   FAILED_PRECONDITION the change would break a rule (see each method)
//   UNAVAILABLE         the database is busy (another replica holds the write lock past the
//                       timeout), the disk is full, or the database cannot be reached; retryable
//   INTERNAL / DATA_LOSS the database failed or is corrupt
// Messages name records and database errors, never blob contents.
#ifndef YINJIAN_SERVICE_STORE_STORE_H_
#define YINJIAN_SERVICE_STORE_STORE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "service/store/records.h"

namespace yinjian::store {

class Store {
 public:
  virtual ~Store() = default;

  // The schema version the store runs at (the number of schema steps applied).
  virtual int32_t SchemaVersion() const = 0;

  // Writes a consistent copy of the whole store, as of one instant, to a new file at `path`
  // (backups, R12). ALREADY_EXISTS if `path` exists; the error of the file system otherwise.
  virtual absl::Status WriteSnapshot(const std::string& path) = 0;

  // Departments.
  // ALREADY_EXISTS if a department of that name exists.
  virtual absl::Status CreateDepartment(const DepartmentRecord& department) = 0;
  virtual absl::StatusOr<DepartmentRecord> GetDepartment(absl::string_view name) = 0;
  // All departments, sorted by name.
  virtual absl::StatusOr<std::vector<DepartmentRecord>> ListDepartments() = 0;

  // Keys.
  // Creates `key` and its version 1 in one transaction and returns the stored key (with
  // primary_version 1). first_version's department, key and version fields are ignored (taken
  // from `key`, and 1); its state must be "enabled". NOT_FOUND if the department does not exist;
  // ALREADY_EXISTS if the key does.
  virtual absl::StatusOr<KeyRecord> CreateKey(const KeyRecord& key,
                                              const KeyVersionRecord& first_version) = 0;
  virtual absl::StatusOr<KeyRecord> GetKey(absl::string_view department,
                                           absl::string_view name) = 0;
  // The department's keys sorted by name; NOT_FOUND if the department does not exist.
  virtual absl::StatusOr<std::vector<KeyRecord>> ListKeys(absl::string_view department) = 0;

  // Key versions.
  // Stores `version` as the key's next version (one more than any number the key ever had; never
  // reused, even after destruction) and, if make_primary, makes it the primary, all in one
  // transaction. version's department, key and version fields are ignored. Its state must be
  // "enabled" or "disabled" (INVALID_ARGUMENT otherwise); make_primary with a disabled version is
  // FAILED_PRECONDITION. Returns the stored record.
  virtual absl::StatusOr<KeyVersionRecord> AddKeyVersion(absl::string_view department,
                                                         absl::string_view key,
                                                         const KeyVersionRecord& version,
                                                         bool make_primary) = 0;
  virtual absl::StatusOr<KeyVersionRecord> GetKeyVersion(absl::string_view department,
                                                         absl::string_view key,
                                                         int32_t version) = 0;
  // The key's versions in ascending order; NOT_FOUND if the key does not exist.
  virtual absl::StatusOr<std::vector<KeyVersionRecord>> ListKeyVersions(
      absl::string_view department, absl::string_view key) = 0;

  // Makes `version` the key's primary; FAILED_PRECONDITION unless it is "enabled", or if an
  // open (pending, approved, scheduled or destroying) destruction request names that version.
  // Returns the updated key.
  virtual absl::StatusOr<KeyRecord> SetPrimaryVersion(absl::string_view department,
                                                      absl::string_view key, int32_t version) = 0;

  // Moves a version to `state` ("enabled", "disabled" or "destroyed"; INVALID_ARGUMENT for
  // anything else) and returns the updated record. Setting the current state again is a no-op.
  // FAILED_PRECONDITION when moving the primary version out of "enabled" (rotate first) or
  // changing a destroyed version. "destroyed" also erases wrapped_material from the store
  // (crypto-shredding); the HSM object named by hsm_object_id is the caller's to destroy.
  virtual absl::StatusOr<KeyVersionRecord> SetVersionState(absl::string_view department,
                                                           absl::string_view key, int32_t version,
                                                           absl::string_view state) = 0;

  // Replaces the key's policy fields (data_level, sharing_class, allowed_operations,
  // shared_operations, allowed_purposes) with those of `policy`; its other fields are ignored.
  // Returns the updated key. Validation of the values is the caller's (policy::ValidateKeyPolicy).
  virtual absl::StatusOr<KeyRecord> UpdateKeyPolicy(absl::string_view department,
                                                    absl::string_view key,
                                                    const KeyRecord& policy) = 0;

  // Key lifecycle. Sets the lowest version that may decrypt or verify; FAILED_PRECONDITION unless
  // 0 <= version <= the primary version. Returns the updated key.
  virtual absl::StatusOr<KeyRecord> SetMinDecryptVersion(absl::string_view department,
                                                         absl::string_view key,
                                                         int32_t version) = 0;
  // Sets the rotation period (zero: none) and when the next rotation is due (InfiniteFuture:
  // never). INVALID_ARGUMENT for a negative or sub-second period. Returns the updated key.
  virtual absl::StatusOr<KeyRecord> SetRotationSchedule(absl::string_view department,
                                                        absl::string_view key,
                                                        absl::Duration period, absl::Time next) = 0;
  // Keys whose next rotation is at or before `now`, soonest first, at most `limit`.
  virtual absl::StatusOr<std::vector<KeyRecord>> ListDueRotations(absl::Time now,
                                                                  int32_t limit) = 0;
  // Compare and swap on the key's next rotation time: moves it from `expected` to `next` and
  // returns true, or returns false (and changes nothing) if it is no longer `expected`, because
  // another replica claimed this rotation first.
  virtual absl::StatusOr<bool> ClaimRotation(absl::string_view department, absl::string_view key,
                                             absl::Time expected, absl::Time next) = 0;

  // Key destruction (R11). At most one open request (pending, approved, scheduled, destroying)
  // per key. CreateDestruction assigns the id and stores the request as pending with no
  // approvals, witness, cancellation or destruction (those fields of `request` are ignored, like
  // id, record and record_index); requested must be set. NOT_FOUND if the key, or a version > 0,
  // does not exist; FAILED_PRECONDITION if the key already has an open request, if the version
  // is already destroyed, if the version is the key's primary (rotate first, or destroy the
  // whole key), or if every version of a whole-key request is already destroyed;
  // INVALID_ARGUMENT for an empty department, key, reason or requester, a negative version,
  // or required_approvals below 1.
  virtual absl::StatusOr<DestructionRecord> CreateDestruction(const DestructionRecord& request) = 0;
  virtual absl::StatusOr<DestructionRecord> GetDestruction(int64_t id) = 0;
  // Ordered by id; INVALID_ARGUMENT for a state that is not "" or a destruction state.
  virtual absl::StatusOr<std::vector<DestructionRecord>> ListDestructions(
      const DestructionFilter& filter) = 0;
  // Adds `approver` and, once required_approvals distinct approvers are there, moves the
  // request to approved (approved = when). FAILED_PRECONDITION unless pending, or if `approver`
  // already approved. (Who may approve is the caller's decision, not the store's.)
  virtual absl::StatusOr<DestructionRecord> ApproveDestruction(int64_t id,
                                                               absl::string_view approver,
                                                               absl::Time when) = 0;
  // approved -> scheduled, recording the witness, when and destroy_after. FAILED_PRECONDITION
  // unless approved.
  virtual absl::StatusOr<DestructionRecord> WitnessDestruction(int64_t id,
                                                               absl::string_view witness,
                                                               absl::Time when,
                                                               absl::Time destroy_after) = 0;
  // pending, approved or scheduled -> cancelled. FAILED_PRECONDITION in any other state (once
  // an executor has claimed it, it can no longer be stopped).
  virtual absl::StatusOr<DestructionRecord> CancelDestruction(int64_t id, absl::string_view by,
                                                              absl::string_view reason,
                                                              absl::Time when) = 0;
  // Requests to carry out: scheduled with destroy_after <= now, and destroying ones (claimed by
  // an executor that may have stopped half way), ordered by destroy_after then id, at most
  // `limit`.
  virtual absl::StatusOr<std::vector<DestructionRecord>> ListDueDestructions(absl::Time now,
                                                                             int32_t limit) = 0;
  // scheduled with destroy_after <= now -> destroying, returning the updated request; or
  // returns the request unchanged if it is already destroying (another executor's claim is
  // taken over: the work is idempotent). FAILED_PRECONDITION in any other state, or before
  // destroy_after.
  virtual absl::StatusOr<DestructionRecord> ClaimDestruction(int64_t id, absl::Time now) = 0;
  // In one transaction: destroying -> destroyed (destroyed = when), and every version the
  // request covers that is not destroyed yet (the version, or for version 0 all of the key's
  // versions) moves to "destroyed" with its wrapped_material erased, destroyed = when and
  // destruction_id = id; destroyed_versions lists them. FAILED_PRECONDITION unless destroying.
  // Returns the request and the versions as they were just before (their hsm_object_ids name
  // the HSM objects the caller still has to destroy).
  virtual absl::StatusOr<std::pair<DestructionRecord, std::vector<KeyVersionRecord>>>
  FinishDestruction(int64_t id, absl::Time when) = 0;
  // Stores the destruction record and its audit log index, once: FAILED_PRECONDITION unless
  // the request is destroyed and has no record yet.
  virtual absl::StatusOr<DestructionRecord> SetDestructionRecord(int64_t id,
                                                                 absl::string_view record,
                                                                 int64_t record_index) = 0;

  // Department root key rotation. BeginRootRotation, in one transaction: FAILED_PRECONDITION
  // if the department has an unfinished rotation, or new_root_key_id equals its current
  // root_key_id; NOT_FOUND for an unknown department; otherwise records a rotation (old = the
  // department's root_key_id, versions_total = the department's versions with non-empty
  // wrapped_material whose root_key_id differs from new_root_key_id, last_progress = started
  // = when), sets the department's root_key_id to new_root_key_id, and returns the record.
  virtual absl::StatusOr<RootRotationRecord> BeginRootRotation(absl::string_view department,
                                                               absl::string_view new_root_key_id,
                                                               absl::string_view by,
                                                               absl::Time when) = 0;
  // The department's latest rotation; NOT_FOUND if it never had one.
  virtual absl::StatusOr<RootRotationRecord> LatestRootRotation(absl::string_view department) = 0;
  // Every unfinished rotation (any department), by id.
  virtual absl::StatusOr<std::vector<RootRotationRecord>> ListUnfinishedRootRotations() = 0;
  // The department's versions (of all its keys) with non-empty wrapped_material whose
  // root_key_id differs from `root_key_id`, ordered by key then version, at most `limit`.
  virtual absl::StatusOr<std::vector<KeyVersionRecord>> ListVersionsNotWrappedUnder(
      absl::string_view department, absl::string_view root_key_id, int32_t limit) = 0;
  // How many versions ListVersionsNotWrappedUnder would return without a limit.
  virtual absl::StatusOr<int64_t> CountVersionsNotWrappedUnder(absl::string_view department,
                                                               absl::string_view root_key_id) = 0;
  // Compare and swap, for each of `rewraps` in order and all in one transaction: replaces a
  // version's wrapped_material and root_key_id if its root_key_id is still
  // `expected_root_key_id` and it still has wrapped material (not destroyed meanwhile). Returns,
  // for each, whether it did. Also sets the unfinished rotation's last_progress of each
  // department with a swap to `when`. NOT_FOUND, and nothing changed, if a version does not
  // exist; INVALID_ARGUMENT for an empty new root key id or material.
  virtual absl::StatusOr<std::vector<bool>> RewrapVersions(absl::Span<const VersionRewrap> rewraps,
                                                           absl::Time when) = 0;
  // RewrapVersions of one version.
  absl::StatusOr<bool> RewrapVersion(absl::string_view department, absl::string_view key,
                                     int32_t version, absl::string_view expected_root_key_id,
                                     absl::string_view new_root_key_id,
                                     absl::string_view new_wrapped_material, absl::Time when) {
    const VersionRewrap rewrap{.department = std::string(department),
                               .key = std::string(key),
                               .version = version,
                               .expected_root_key_id = std::string(expected_root_key_id),
                               .new_root_key_id = std::string(new_root_key_id),
                               .new_wrapped_material = std::string(new_wrapped_material)};
    absl::StatusOr<std::vector<bool>> swapped = RewrapVersions({&rewrap, 1}, when);
    if (!swapped.ok()) return swapped.status();
    return swapped->front();
  }
  // Marks rotation `id` finished at `when`; FAILED_PRECONDITION if it is finished already.
  virtual absl::StatusOr<RootRotationRecord> FinishRootRotation(int64_t id, absl::Time when) = 0;

  // Principals (R7). NOT_FOUND if the department does not exist; ALREADY_EXISTS if the name
  // is taken (names are never reused: a disabled principal keeps its name).
  virtual absl::Status CreatePrincipal(const PrincipalRecord& principal) = 0;
  virtual absl::StatusOr<PrincipalRecord> GetPrincipal(absl::string_view name) = 0;
  // Sorted by name; department "" lists every department's.
  virtual absl::StatusOr<std::vector<PrincipalRecord>> ListPrincipals(
      absl::string_view department) = 0;
  // Replaces the role list (sorted and deduplicated by the store) and returns the updated record.
  // FAILED_PRECONDITION for a disabled principal.
  virtual absl::StatusOr<PrincipalRecord> SetPrincipalRoles(
      absl::string_view name, const std::vector<std::string>& roles) = 0;
  // Disables the principal and revokes its certificates (roles and grants stay; see
  // OffboardPrincipal). Disabling a disabled principal is a no-op.
  virtual absl::StatusOr<PrincipalRecord> DisablePrincipal(absl::string_view name,
                                                           absl::Time when) = 0;
  // R8 in one transaction: disables the principal, revokes its certificates, removes its roles,
  // revokes the active and pending grants it holds as grantee_principal and withdraws (revokes)
  // the pending grants it requested; revoked_by is `by`, revoke_reason "offboarded".
  virtual absl::StatusOr<OffboardResult> OffboardPrincipal(absl::string_view name,
                                                           absl::string_view by,
                                                           absl::Time when) = 0;

  // Certificates. ALREADY_EXISTS if the fingerprint is bound (to anyone, in any state: a revoked
  // certificate cannot be bound again); NOT_FOUND if the principal does not exist;
  // FAILED_PRECONDITION if it is disabled.
  virtual absl::Status AddCertificate(const CertificateRecord& certificate) = 0;
  // NOT_FOUND if the fingerprint is not bound.
  virtual absl::StatusOr<CertificateRecord> GetCertificate(absl::string_view fingerprint) = 0;
  virtual absl::StatusOr<std::vector<CertificateRecord>> ListCertificates(
      absl::string_view principal) = 0;
  // Revoking a revoked certificate is a no-op.
  virtual absl::StatusOr<CertificateRecord> RevokeCertificate(absl::string_view fingerprint,
                                                              absl::Time when) = 0;

  // Grants (R5, R6). CreateGrant assigns the id, stores the grant with uses 0, no approvals,
  // state pending, and returns it; NOT_FOUND if the key, the grantee principal or the grantee
  // department does not exist.
  virtual absl::StatusOr<GrantRecord> CreateGrant(const GrantRecord& grant) = 0;
  virtual absl::StatusOr<GrantRecord> GetGrant(int64_t id) = 0;
  // Ordered by id.
  virtual absl::StatusOr<std::vector<GrantRecord>> ListGrants(const GrantFilter& filter) = 0;
  // The grants on one key whose grantee is `principal` or (department-wide) `department`, in
  // every state: what the decision engine weighs for a key use.
  virtual absl::StatusOr<std::vector<GrantRecord>> GrantsForCaller(
      absl::string_view key_department, absl::string_view key_name, absl::string_view principal,
      absl::string_view department) = 0;
  // Adds `approver` to approved_by and, once required_approvals distinct approvers are there,
  // activates the grant (activated = when). FAILED_PRECONDITION unless the grant is pending or
  // if `approver` already approved it.
  virtual absl::StatusOr<GrantRecord> ApproveGrant(int64_t id, absl::string_view approver,
                                                   absl::Time when) = 0;
  // FAILED_PRECONDITION if the grant is already revoked.
  virtual absl::StatusOr<GrantRecord> RevokeGrant(int64_t id, absl::string_view by,
                                                  absl::string_view reason, absl::Time when) = 0;
  // Counts one use of a grant with a use limit, atomically across replicas: FAILED_PRECONDITION
  // (and nothing counted) if it is not active, expired at `when`, or has max_uses > 0 and
  // uses >= max_uses. Works for any grant; the service calls it only for grants with a use
  // limit, so unlimited grants cost no write per call. Returns the updated record.
  virtual absl::StatusOr<GrantRecord> ConsumeGrantUse(int64_t id, absl::Time when) = 0;

  // Audit log (R9, R10). Append-only: nothing ever updates or deletes an entry, node or
  // checkpoint.
  // The number of entries.
  virtual absl::StatusOr<int64_t> AuditLogSize() = 0;
  // In one transaction: the entries (their indices must be size, size+1, ... of the log as it is
  // now, else FAILED_PRECONDITION and nothing is written), the new perfect-subtree nodes, and the
  // checkpoint covering them (its size must be the new log size). A node or checkpoint that
  // exists already with a different hash is FAILED_PRECONDITION (ALREADY_EXISTS never: an equal
  // one is simply kept).
  virtual absl::Status AppendAudit(absl::Span<const AuditEntryRecord> entries,
                                   absl::Span<const AuditNodeRecord> nodes,
                                   const AuditCheckpointRecord& checkpoint) = 0;
  // NOT_FOUND beyond the log.
  virtual absl::StatusOr<AuditEntryRecord> GetAuditEntry(int64_t index) = 0;
  // Entries [begin, end) in index order (end clamped to the size).
  virtual absl::StatusOr<std::vector<AuditEntryRecord>> ListAuditEntries(int64_t begin,
                                                                         int64_t end) = 0;
  virtual absl::StatusOr<std::vector<AuditEntryRecord>> QueryAudit(const AuditFilter& filter) = 0;
  // NOT_FOUND if that subtree is not complete yet.
  virtual absl::StatusOr<std::string> GetAuditNode(int32_t level, int64_t index) = 0;
  // The newest checkpoint (largest size); NOT_FOUND for an empty log with none.
  virtual absl::StatusOr<AuditCheckpointRecord> LatestAuditCheckpoint() = 0;
  // The checkpoint of exactly that size; NOT_FOUND if none was made at that size.
  virtual absl::StatusOr<AuditCheckpointRecord> GetAuditCheckpoint(int64_t size) = 0;
  // Every checkpoint in size order (for `audit verify`).
  virtual absl::StatusOr<std::vector<AuditCheckpointRecord>> ListAuditCheckpoints() = 0;
};

}  // namespace yinjian::store

#endif  // YINJIAN_SERVICE_STORE_STORE_H_
