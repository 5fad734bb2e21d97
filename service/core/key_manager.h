// Departments and keys: what key officers create. A department gets its root key in its HSM
// token (R1); a key gets its first version's material, generated in the HSM and stored wrapped.
#ifndef YINJIAN_SERVICE_CORE_KEY_MANAGER_H_
#define YINJIAN_SERVICE_CORE_KEY_MANAGER_H_

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "policy/policy.h"
#include "service/core/root_rotation.h"
#include "service/core/token_directory.h"
#include "service/format/names.h"
#include "service/keys/key_kind.h"
#include "service/store/store.h"

namespace yinjian::core {

// Key material uploaded by an officer (bring your own key): wrapped for the department's
// import key (keys::ImportVersionMaterial), and the public key of an asymmetric kind.
struct ImportedMaterial {
  std::string wrapped;
  std::string public_key_der;
};

struct KeyDescription {
  store::KeyRecord key;
  std::vector<store::KeyVersionRecord> versions;  // ascending
};

class KeyManager {
 public:
  KeyManager(store::Store& store, TokenDirectory& tokens) : store_(store), tokens_(tokens) {}

  // INVALID_ARGUMENT for a bad name; ALREADY_EXISTS if the department (or a root key with its
  // id) exists; FAILED_PRECONDITION for a token label the server does not have.
  absl::StatusOr<store::DepartmentRecord> CreateDepartment(absl::string_view name,
                                                           absl::string_view display_name,
                                                           absl::string_view token_label);
  absl::StatusOr<std::vector<store::DepartmentRecord>> ListDepartments();

  // `name` is "department/key". NOT_FOUND for an unknown department; ALREADY_EXISTS for an
  // existing key; FAILED_PRECONDITION if the protection level does not suit the kind or token,
  // or the policy does not suit the protection (core keys are HSM-only, R2); INVALID_ARGUMENT
  // for a policy naming operations the kind cannot do (see CheckPolicy). policy's department and
  // name are ignored.
  absl::StatusOr<KeyDescription> CreateKey(absl::string_view name, keys::KeyKind kind,
                                           std::optional<keys::Protection> protection,
                                           absl::string_view description,
                                           const policy::KeyPolicy& policy = {},
                                           absl::Duration rotation_period = absl::ZeroDuration());
  // Bring your own key (origin "imported"): as CreateKey, with version 1 from `material`.
  // FAILED_PRECONDITION for a kind that cannot be imported; INVALID_ARGUMENT for material that
  // does not unwrap or fit the kind.
  absl::StatusOr<KeyDescription> ImportKey(absl::string_view name, keys::KeyKind kind,
                                           absl::string_view description,
                                           const policy::KeyPolicy& policy,
                                           const ImportedMaterial& material);
  // A new primary version of an imported key; FAILED_PRECONDITION for a generated key.
  absl::StatusOr<KeyDescription> ImportKeyVersion(absl::string_view name,
                                                  const ImportedMaterial& material);
  // The department's import public key (PEM), created on first use.
  absl::StatusOr<std::string> ImportPublicKeyPem(absl::string_view department);

  // Replaces a key's policy, checked as in CreateKey.
  absl::StatusOr<KeyDescription> SetKeyPolicy(absl::string_view name,
                                              const policy::KeyPolicy& policy);
  absl::StatusOr<KeyDescription> GetKey(absl::string_view name);

  // Lifecycle (key_lifecycle.cc). `name` is "department/key" without a version.
  // A new version, generated like the first, made primary; older versions keep decrypting and
  // verifying. The rotation schedule is not touched (see SetRotationPeriod).
  absl::StatusOr<KeyDescription> RotateKey(absl::string_view name);
  // FAILED_PRECONDITION unless the version is enabled.
  absl::StatusOr<KeyDescription> SetPrimaryVersion(absl::string_view name, int32_t version);
  // Disabled versions refuse every operation (FAILED_PRECONDITION); the primary cannot be
  // disabled (rotate or set another primary first).
  absl::StatusOr<KeyDescription> SetVersionEnabled(absl::string_view name, int32_t version,
                                                   bool enabled);
  // Versions below `version` refuse Decrypt and Verify; 0 lifts the floor.
  absl::StatusOr<KeyDescription> SetMinDecryptVersion(absl::string_view name, int32_t version);
  // Rotate every `period` from `now` on (zero: no automatic rotation).
  absl::StatusOr<KeyDescription> SetRotationPeriod(absl::string_view name, absl::Duration period,
                                                   absl::Time now);
  absl::StatusOr<std::vector<KeyDescription>> ListKeys(absl::string_view department);

  // Department root key rotation (root_rotation.h): starts one, or reports the latest.
  absl::StatusOr<RootRotationStatus> RotateRootKey(absl::string_view department,
                                                   absl::string_view by, absl::Time now) {
    return BeginRootRotation(store_, tokens_, department, by, now);
  }
  absl::StatusOr<RootRotationStatus> RootRotation(absl::string_view department) {
    return GetRootRotation(store_, department);
  }

 private:
  absl::StatusOr<KeyDescription> Describe(store::KeyRecord key);
  // New material for a version of a `kind` key, generated in `token` and wrapped under the
  // department's root key, as the record the store keeps (state enabled, created `now`).
  // `hsm_object_id` of the record names HSM-resident objects the caller must destroy if it
  // cannot store the record.
  // With `imported`, the material is the officer's instead of newly generated.
  absl::StatusOr<store::KeyVersionRecord> NewVersion(hsm::Token& token,
                                                     const store::DepartmentRecord& department,
                                                     keys::KeyKind kind,
                                                     keys::Protection protection, absl::Time now,
                                                     const ImportedMaterial* imported = nullptr);
  absl::StatusOr<KeyDescription> CreateKeyFrom(absl::string_view name, keys::KeyKind kind,
                                               std::optional<keys::Protection> protection,
                                               absl::string_view description,
                                               const policy::KeyPolicy& policy,
                                               absl::Duration rotation_period,
                                               const ImportedMaterial* imported);
  // A new version made primary, generated or imported; the key as it is afterwards.
  absl::StatusOr<KeyDescription> AddVersion(absl::string_view name,
                                            const ImportedMaterial* imported);
  absl::StatusOr<format::KeyReference> KeyName(absl::string_view name);

  store::Store& store_;
  TokenDirectory& tokens_;
};

// Destroys the HSM objects of a resident version that could not be recorded (best effort).
void DestroyResidentObjects(hsm::Token& token, const hsm::Bytes& object_id);
// The token objects (private, public or secret key) with this CKA_ID, all destroyed; an error
// if they could not be searched or one could not be destroyed. Nothing to do for an empty id.
absl::Status DestroyTokenObjects(hsm::Token& token, const hsm::Bytes& object_id);

// The operations a key of `family` can perform.
std::set<policy::KeyOperation> OperationsOf(keys::KeyFamily family);

// policy::ValidateKeyPolicy, plus: every allowed or shared operation is one `kind` can perform.
absl::Status CheckPolicy(const policy::KeyPolicy& policy, keys::KeyKind kind,
                         keys::Protection protection);

// Writes the policy fields of `record` from `policy`.
void SetPolicyFields(const policy::KeyPolicy& policy, store::KeyRecord& record);

}  // namespace yinjian::core

#endif  // YINJIAN_SERVICE_CORE_KEY_MANAGER_H_
