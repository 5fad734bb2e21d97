// Departments and keys: what key officers create. A department gets its root key in its HSM
// token (R1); a key gets its first version's material, generated in the HSM and stored wrapped.
#ifndef YINJIAN_SERVICE_CORE_KEY_MANAGER_H_
#define YINJIAN_SERVICE_CORE_KEY_MANAGER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "service/core/token_directory.h"
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
  // existing key; FAILED_PRECONDITION if the protection level does not suit the kind or token.
  absl::StatusOr<KeyDescription> CreateKey(absl::string_view name, keys::KeyKind kind,
                                           std::optional<keys::Protection> protection,
                                           absl::string_view description);
  absl::StatusOr<KeyDescription> GetKey(absl::string_view name);
  absl::StatusOr<std::vector<KeyDescription>> ListKeys(absl::string_view department);

 private:
  absl::StatusOr<KeyDescription> Describe(store::KeyRecord key);

  store::Store& store_;
  TokenDirectory& tokens_;
};

}  // namespace yinjian::core

#endif  // YINJIAN_SERVICE_CORE_KEY_MANAGER_H_
