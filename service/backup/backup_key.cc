#include "service/backup/backup_key.h"

#include <openssl/rand.h>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "hsm/attributes.h"

namespace yinjian::backup {

absl::StatusOr<std::unique_ptr<BackupKey>> BackupKey::Create(hsm::SecureBytes key) {
  if (key.size() != 32) {
    return absl::InvalidArgumentError(absl::StrCat("a backup key is 32 bytes, not ", key.size()));
  }
  hsm::Bytes id(16);
  if (RAND_bytes(id.data(), static_cast<int>(id.size())) != 1) {
    return absl::InternalError("RAND_bytes failed");
  }
  return std::unique_ptr<BackupKey>(new BackupKey(std::move(key), std::move(id)));
}

absl::StatusOr<hsm::KeyRef*> BackupKey::In(hsm::Token& token) {
  auto found = imported_.find(&token);
  if (found != imported_.end()) return found->second.ref.get();
  hsm::AttributeTemplate t = hsm::SecretKeyTemplate(CKK_AES, 0,
                                                    {.label = "yinjian-backup",
                                                     .id = id_,
                                                     .token_object = false,
                                                     .extractable = false,
                                                     .usage = hsm::kUsageWrap | hsm::kUsageUnwrap});
  t.SetBytes(CKA_VALUE, key_);
  ASSIGN_OR_RETURN(hsm::ScopedObject object, hsm::CreateObject(token, t));
  Imported& entry = imported_[&token];
  entry.object = std::move(object);
  entry.ref = std::make_unique<hsm::KeyRef>(token, CKO_SECRET_KEY, id_);
  return entry.ref.get();
}

}  // namespace yinjian::backup
