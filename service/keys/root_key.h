// Department root keys (R1): AES-256, generated inside the HSM as a token object, sensitive,
// never extractable, and allowed only to wrap and unwrap. Every key version of the department
// is stored wrapped under it. A root key is found by its CKA_ID, never by handle.
#ifndef YINJIAN_SERVICE_KEYS_ROOT_KEY_H_
#define YINJIAN_SERVICE_KEYS_ROOT_KEY_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "hsm/key_ref.h"
#include "hsm/token.h"

namespace yinjian::keys {

// The CKA_ID (and label) of a department's root key of a given generation (root keys are
// replaced by rotation): "yinjian-root/<department>/<generation>".
std::string RootKeyId(absl::string_view department, int generation);

// Creates the root key. ALREADY_EXISTS if the token holds one with that id already (a root key
// is never silently replaced).
absl::StatusOr<std::string> CreateRootKey(hsm::Token& token, absl::string_view department,
                                          int generation);
// The same for a root key id as RootKeyId made it (a restore recreates the ids of a backup).
absl::Status CreateRootKeyWithId(hsm::Token& token, absl::string_view root_key_id);

// A reference to an existing root key (found on first use; NOT_FOUND then if absent).
hsm::KeyRef RootKeyRef(hsm::Token& token, absl::string_view root_key_id);

}  // namespace yinjian::keys

#endif  // YINJIAN_SERVICE_KEYS_ROOT_KEY_H_
