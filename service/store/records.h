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
  std::string data_level = "general";   // "general", "important" or "core"
  std::string sharing_class = "none";   // "none", "conditional" or "unconditional"
  std::vector<std::string> allowed_operations;
  std::vector<std::string> shared_operations;
  std::vector<std::string> allowed_purposes;

  friend bool operator==(const KeyRecord&, const KeyRecord&) = default;
};

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
  std::vector<GrantRecord> grants_revoked;      // active and pending grants it held, now revoked
  std::vector<GrantRecord> requests_withdrawn;  // pending grants it requested for others, now revoked
};

}  // namespace yinjian::store

#endif  // YINJIAN_SERVICE_STORE_RECORDS_H_
