// A backup key inside the HSM: AES-256 material held in SecureBytes only long enough to be
// split among custodians (or after being rebuilt from their shares), imported into each token
// that needs it as a sensitive, non-extractable session object allowed only to wrap and unwrap,
// and destroyed with this object. Key versions are re-wrapped between it and the department
// root keys inside the HSM, so no version key ever leaves it in plaintext.
#ifndef YINJIAN_SERVICE_BACKUP_BACKUP_KEY_H_
#define YINJIAN_SERVICE_BACKUP_BACKUP_KEY_H_

#include <map>
#include <memory>

#include "absl/status/statusor.h"
#include "hsm/key_ref.h"
#include "hsm/objects.h"
#include "hsm/secure_bytes.h"
#include "hsm/token.h"

namespace yinjian::backup {

class BackupKey {
 public:
  // INVALID_ARGUMENT unless `key` is 32 bytes.
  static absl::StatusOr<std::unique_ptr<BackupKey>> Create(hsm::SecureBytes key);

  // The key in `token`, imported on first use. The reference lives as long as this object.
  absl::StatusOr<hsm::KeyRef*> In(hsm::Token& token);

 private:
  explicit BackupKey(hsm::SecureBytes key, hsm::Bytes id)
      : key_(std::move(key)), id_(std::move(id)) {}

  struct Imported {
    hsm::ScopedObject object;
    std::unique_ptr<hsm::KeyRef> ref;
  };

  const hsm::SecureBytes key_;
  const hsm::Bytes id_;  // random CKA_ID of the session objects
  std::map<hsm::Token*, Imported> imported_;
};

}  // namespace yinjian::backup

#endif  // YINJIAN_SERVICE_BACKUP_BACKUP_KEY_H_
