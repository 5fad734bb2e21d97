#include "service/keys/root_key.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "hsm/key_generation.h"
#include "hsm/objects.h"

namespace yinjian::keys {

std::string RootKeyId(absl::string_view department, int generation) {
  return absl::StrCat("yinjian-root/", department, "/", generation);
}

absl::StatusOr<std::string> CreateRootKey(hsm::Token& token, absl::string_view department,
                                          int generation) {
  std::string id = RootKeyId(department, generation);
  RETURN_IF_ERROR(CreateRootKeyWithId(token, id));
  return id;
}

absl::Status CreateRootKeyWithId(hsm::Token& token, absl::string_view root_key_id) {
  const std::string id(root_key_id);
  ASSIGN_OR_RETURN(
      std::vector<CK_OBJECT_HANDLE> existing,
      hsm::FindObjects(token, {.object_class = CKO_SECRET_KEY, .id = hsm::ToBytes(id)}));
  if (!existing.empty()) {
    return absl::AlreadyExistsError(absl::StrCat("root key ", id, " already exists"));
  }
  ASSIGN_OR_RETURN(hsm::ScopedObject key,
                   hsm::GenerateAesKey(token, 32,
                                       {.label = id,
                                        .id = hsm::ToBytes(id),
                                        .token_object = true,
                                        .extractable = false,
                                        .usage = hsm::kUsageWrap | hsm::kUsageUnwrap}));
  key.Keep();
  return absl::OkStatus();
}

hsm::KeyRef RootKeyRef(hsm::Token& token, absl::string_view root_key_id) {
  return hsm::KeyRef(token, CKO_SECRET_KEY, hsm::ToBytes(root_key_id));
}

}  // namespace yinjian::keys
