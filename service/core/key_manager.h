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
#include "service/core/token_directory.h"
#include "policy/policy.h"
#include "service/keys/key_kind.h"
#include "service/store/store.h"

namespace yinjian::core {

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
                                           const policy::KeyPolicy& policy = {});
  // Replaces a key's policy, checked as in CreateKey.
  absl::StatusOr<KeyDescription> SetKeyPolicy(absl::string_view name,
                                              const policy::KeyPolicy& policy);
  absl::StatusOr<KeyDescription> GetKey(absl::string_view name);
  absl::StatusOr<std::vector<KeyDescription>> ListKeys(absl::string_view department);

 private:
  absl::StatusOr<KeyDescription> Describe(store::KeyRecord key);

  store::Store& store_;
  TokenDirectory& tokens_;
};

// The operations a key of `family` can perform.
std::set<policy::KeyOperation> OperationsOf(keys::KeyFamily family);

// policy::ValidateKeyPolicy, plus: every allowed or shared operation is one `kind` can perform.
absl::Status CheckPolicy(const policy::KeyPolicy& policy, keys::KeyKind kind,
                         keys::Protection protection);

// Writes the policy fields of `record` from `policy`.
void SetPolicyFields(const policy::KeyPolicy& policy, store::KeyRecord& record);

}  // namespace yinjian::core

#endif  // YINJIAN_SERVICE_CORE_KEY_MANAGER_H_
