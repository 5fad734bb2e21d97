// The rows the store keeps, as plain values. Blobs (CKA_IDs, wrapped material, DER) are
// std::string holding bytes. Plaintext key material never appears here: a version holds its
// material only wrapped under the department root key, which stays in the HSM (R1, R12).
#ifndef YINJIAN_SERVICE_STORE_RECORDS_H_
#define YINJIAN_SERVICE_STORE_RECORDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace yinjian::store {

// A department: the responsible subject for its data, with its own root key (R1).
struct DepartmentRecord {
  std::string name;
  std::string display_name;
  std::string token_label;  // empty: the server's default token
  std::string root_key_id;  // CKA_ID of the department root key in the HSM
  absl::Time created;

  friend bool operator==(const DepartmentRecord&, const DepartmentRecord&) = default;
};

// A named key of a department; its material lives in its versions.
struct KeyRecord {
  std::string department;
  std::string name;
  std::string kind;              // e.g. "aes256-gcm", "ecdsa-p256", "sm2"
  std::string protection_level;  // "hsm" or "software"
  int32_t primary_version = 0;   // the version used for new encryptions and signatures
  std::string description;
  absl::Time created;
  // Policy (R2, R5). Names as policy/policy.h spells them. Lists hold no empty strings and no
  // newlines; an empty list means what policy::KeyPolicy says it means.
  std::string data_level = "general";  // "general", "important" or "core"
  std::string sharing_class = "none";  // "none", "conditional" or "unconditional"
  std::vector<std::string> allowed_operations;
  std::vector<std::string> shared_operations;
  std::vector<std::string> allowed_purposes;
  // Lifecycle (schema step 4). Versions below min_decrypt_version refuse Decrypt and Verify
  // (0: none do). A rotation_period of zero means no automatic rotation; next_rotation is when
  // the scheduler rotates next (InfiniteFuture: never).
  int32_t min_decrypt_version = 0;
  absl::Duration rotation_period = absl::ZeroDuration();
  absl::Time next_rotation = absl::InfiniteFuture();
  // Schema step 7: kKeyGenerated or kKeyImported.
  std::string origin = "generated";

  friend bool operator==(const KeyRecord&, const KeyRecord&) = default;
};

// Key origins.
inline constexpr char kKeyGenerated[] = "generated";
inline constexpr char kKeyImported[] = "imported";

// Key version states. A destroyed version keeps its row (and number) but not its material.
inline constexpr char kVersionEnabled[] = "enabled";
inline constexpr char kVersionDisabled[] = "disabled";
inline constexpr char kVersionDestroyed[] = "destroyed";

// One version of a key. Numbers are 1, 2, 3 ... per key and never reused.
struct KeyVersionRecord {
  std::string department;
  std::string key;
  int32_t version = 0;
  std::string state;             // kVersionEnabled, kVersionDisabled or kVersionDestroyed
  std::string wrapped_material;  // wrapped under the department root key; empty if HSM-resident
  std::string hsm_object_id;     // CKA_ID of an HSM-resident key, else empty
  std::string public_key_spki;   // DER SubjectPublicKeyInfo; empty for symmetric keys
  std::string root_key_id;       // CKA_ID of the root key that wrapped wrapped_material
  absl::Time created;
  // Set when a destruction request shredded the version (schema step 5): when, and which
  // request (0 and InfinitePast otherwise, also for versions destroyed by SetVersionState).
  absl::Time destroyed = absl::InfinitePast();
  int64_t destruction_id = 0;

  friend bool operator==(const KeyVersionRecord&, const KeyVersionRecord&) = default;
};

// Principal states.
inline constexpr char kPrincipalEnabled[] = "enabled";
inline constexpr char kPrincipalDisabled[] = "disabled";

// A named caller (R7): one department, some roles, proven by its bound certificates.
struct PrincipalRecord {
  std::string name;
  std::string department;
  std::vector<std::string> roles;  // role names, sorted, no duplicates
  std::string state;               // kPrincipalEnabled or kPrincipalDisabled
  std::string created_by;          // the principal who added it ("" for the bootstrap admin)
  absl::Time created;
  absl::Time disabled = absl::InfinitePast();  // InfinitePast while enabled

  friend bool operator==(const PrincipalRecord&, const PrincipalRecord&) = default;
};

// Certificate binding states.
inline constexpr char kCertificateActive[] = "active";
inline constexpr char kCertificateRevoked[] = "revoked";

// A client certificate bound to a principal by the SHA-256 fingerprint of its DER encoding.
struct CertificateRecord {
  std::string fingerprint_sha256;  // 64 lowercase hex digits
  std::string principal;
  std::string subject;  // for people: the certificate's subject, one line
  absl::Time not_after;
  std::string state;  // kCertificateActive or kCertificateRevoked
  absl::Time added;
  absl::Time revoked = absl::InfinitePast();

  friend bool operator==(const CertificateRecord&, const CertificateRecord&) = default;
};

// Grant states.
inline constexpr char kGrantPending[] = "pending";
inline constexpr char kGrantActive[] = "active";
inline constexpr char kGrantRevoked[] = "revoked";

// A grant of a key to a principal or department of another department (R5, R6).
struct GrantRecord {
  int64_t id = 0;  // assigned by the store: 1, 2, 3 ... never reused
  std::string key_department;
  std::string key_name;
  std::string grantee_principal;   // empty: the whole grantee_department
  std::string grantee_department;  // the grantee principal's department, or the department
  std::vector<std::string> operations;
  std::vector<std::string> purposes;
  absl::Time expires;
  int64_t max_uses = 0;  // 0: unlimited
  int64_t uses = 0;
  std::string state;  // kGrantPending, kGrantActive or kGrantRevoked
  int32_t required_approvals = 1;
  std::string justification;
  std::string requested_by;
  absl::Time requested;
  std::vector<std::string> approved_by;  // in approval order
  absl::Time activated = absl::InfinitePast();
  std::string revoked_by;
  std::string revoke_reason;
  absl::Time revoked = absl::InfinitePast();

  friend bool operator==(const GrantRecord&, const GrantRecord&) = default;
};

// Which grants ListGrants returns; empty fields match everything.
struct GrantFilter {
  std::string key_department;
  std::string key_name;
  std::string grantee_principal;
  std::string grantee_department;
  std::string requested_by;
  std::string state;
};

// What OffboardPrincipal changed, for the offboarding report (R8).
struct OffboardResult {
  PrincipalRecord before;  // the principal as it was
  PrincipalRecord after;   // disabled, no roles
  std::vector<CertificateRecord> certificates_revoked;
  std::vector<GrantRecord> grants_revoked;  // active and pending grants it held, now revoked
  std::vector<GrantRecord>
      requests_withdrawn;  // pending grants it requested for others, now revoked
};

// Destruction request states (R11), in the order a request moves through them; a request may
// be cancelled in any state before destroying.
inline constexpr char kDestructionPending[] = "pending";        // waiting for approvals
inline constexpr char kDestructionApproved[] = "approved";      // waiting for the witness
inline constexpr char kDestructionScheduled[] = "scheduled";    // witnessed; waiting period runs
inline constexpr char kDestructionDestroying[] = "destroying";  // claimed by an executor
inline constexpr char kDestructionDestroyed[] = "destroyed";
inline constexpr char kDestructionCancelled[] = "cancelled";

// A request to destroy a key version, or every version of a key (R11): requested by a key
// officer, approved by required_approvals other officers of the department, witnessed by a
// destruction supervisor, then carried out once destroy_after has passed.
struct DestructionRecord {
  int64_t id = 0;  // assigned by the store: 1, 2, 3 ... never reused
  std::string department;
  std::string key;
  int32_t version = 0;  // 0: every version of the key
  std::string reason;
  std::string state;  // one of the kDestruction* states
  int32_t required_approvals = 1;
  std::string requested_by;
  absl::Time requested;
  std::vector<std::string> approved_by;        // in approval order
  absl::Time approved = absl::InfinitePast();  // when the last required approval came
  std::string witnessed_by;
  absl::Time witnessed = absl::InfinitePast();
  absl::Time destroy_after = absl::InfiniteFuture();  // witnessed + the waiting period
  std::string cancelled_by;
  std::string cancel_reason;
  absl::Time cancelled = absl::InfinitePast();
  absl::Time destroyed = absl::InfinitePast();
  std::vector<int32_t> destroyed_versions;  // the version numbers shredded, ascending
  std::string record;         // the destruction record (JSON) once written, else empty
  int64_t record_index = -1;  // the record's audit log entry, -1 until logged

  friend bool operator==(const DestructionRecord&, const DestructionRecord&) = default;
};

// A department root key rotation (R1, key lifecycle): the department's root_key_id moved from
// old_root_key_id to new_root_key_id at `started`; its key versions are re-wrapped under the
// new root in the background, and the old root key is destroyed once none depends on it.
struct RootRotationRecord {
  int64_t id = 0;  // assigned by the store
  std::string department;
  std::string old_root_key_id;
  std::string new_root_key_id;
  std::string started_by;
  absl::Time started;
  int64_t versions_total = 0;  // versions wrapped under another root than the new one at start
  absl::Time last_progress = absl::InfinitePast();  // the last re-wrap (or the start)
  absl::Time finished = absl::InfinitePast();       // old root destroyed; InfinitePast: running

  friend bool operator==(const RootRotationRecord&, const RootRotationRecord&) = default;
};

// One compare-and-swap of RewrapVersions: the version's material and root key id are replaced
// if it is still wrapped under expected_root_key_id.
struct VersionRewrap {
  std::string department;
  std::string key;
  int32_t version = 0;
  std::string expected_root_key_id;
  std::string new_root_key_id;
  std::string new_wrapped_material;
};

// Which requests ListDestructions returns; empty fields match everything.
struct DestructionFilter {
  std::string department;
  std::string key;
  std::string state;
};

// One entry of the audit log (R9, R10): the exact bytes that are hashed into the Merkle tree,
// plus copies of a few fields for Query (never plaintext, never key material).
struct AuditEntryRecord {
  int64_t index = 0;      // 0, 1, 2 ... with no gaps
  std::string entry;      // the canonical entry bytes (the leaf's input)
  std::string leaf_hash;  // SHA-256(0x00 || entry), 32 bytes
  absl::Time time;
  std::string principal;
  std::string department;  // the caller's
  std::string operation;   // e.g. "Encrypt", "AddPrincipal"
  std::string key;         // "department/key" or ""
  std::string decision;    // "allow" or "deny"
  std::string result;      // canonical code name, e.g. "OK", "PERMISSION_DENIED"

  friend bool operator==(const AuditEntryRecord&, const AuditEntryRecord&) = default;
};

// The hash of a perfect subtree of the audit log's Merkle tree: leaves
// [index << level, (index + 1) << level). Level 0 nodes are the leaf hashes.
struct AuditNodeRecord {
  int32_t level = 0;
  int64_t index = 0;
  std::string hash;  // 32 bytes

  friend bool operator==(const AuditNodeRecord&, const AuditNodeRecord&) = default;
};

// A signed checkpoint of the audit log (C2SP tlog-checkpoint in a signed note).
struct AuditCheckpointRecord {
  int64_t size = 0;
  std::string root_hash;  // 32 bytes
  std::string note;       // the signed note text, exactly as signed
  absl::Time created;

  friend bool operator==(const AuditCheckpointRecord&, const AuditCheckpointRecord&) = default;
};

// What AuditQuery matches; empty strings and infinite times match everything.
struct AuditFilter {
  std::string principal;
  std::string department;
  std::string key;
  std::string operation;
  std::string decision;
  absl::Time from = absl::InfinitePast();  // inclusive
  absl::Time to = absl::InfiniteFuture();  // exclusive
  int64_t after_index = -1;                // only entries with index > after_index
  int32_t limit = 1000;                    // at most this many, in index order
};

}  // namespace yinjian::store

#endif  // YINJIAN_SERVICE_STORE_RECORDS_H_
