// The rows the store keeps, as plain values. Blobs (CKA_IDs, wrapped material, DER) are
// std::string holding bytes. Plaintext key material never appears here: a version holds its
// material only wrapped under the department root key, which stays in the HSM (R1, R12).
#ifndef YINJIAN_SERVICE_STORE_RECORDS_H_
#define YINJIAN_SERVICE_STORE_RECORDS_H_

#include <cstdint>
#include <string>

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

}  // namespace yinjian::store

#endif  // YINJIAN_SERVICE_STORE_RECORDS_H_
