// KeyManager's lifecycle operations: rotation, primary and enabled versions, the minimum decrypt
// version and the rotation schedule (R13: each is an audited call).
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "service/core/key_manager.h"
#include "absl/time/clock.h"

namespace yinjian::core {

absl::StatusOr<format::KeyReference> KeyManager::KeyName(absl::string_view name) {
  ASSIGN_OR_RETURN(format::KeyReference ref, format::ParseKeyReference(name));
  if (ref.version.has_value()) {
    return absl::InvalidArgumentError("name the key without a version, and the version apart");
  }
  return ref;
}

absl::StatusOr<KeyDescription> KeyManager::RotateKey(absl::string_view name) {
  ASSIGN_OR_RETURN(format::KeyReference ref, KeyName(name));
  ASSIGN_OR_RETURN(store::KeyRecord key, store_.GetKey(ref.department, ref.key));
  ASSIGN_OR_RETURN(store::DepartmentRecord department, store_.GetDepartment(ref.department));
  ASSIGN_OR_RETURN(keys::KeyKind kind, keys::KindFromName(key.kind));
  ASSIGN_OR_RETURN(keys::Protection protection, keys::ProtectionFromName(key.protection_level));
  ASSIGN_OR_RETURN(hsm::Token * token, tokens_.Find(department.token_label));
  ASSIGN_OR_RETURN(store::KeyVersionRecord version,
                   NewVersion(*token, department, kind, protection, absl::Now()));
  absl::Status added =
      store_.AddKeyVersion(ref.department, ref.key, version, /*make_primary=*/true).status();
  if (!added.ok()) {
    DestroyResidentObjects(*token, hsm::ToBytes(version.hsm_object_id));
    return added;
  }
  return GetKey(name);
}

absl::StatusOr<KeyDescription> KeyManager::SetPrimaryVersion(absl::string_view name,
                                                             int32_t version) {
  ASSIGN_OR_RETURN(format::KeyReference ref, KeyName(name));
  ASSIGN_OR_RETURN(store::KeyRecord key,
                   store_.SetPrimaryVersion(ref.department, ref.key, version));
  return Describe(std::move(key));
}

absl::StatusOr<KeyDescription> KeyManager::SetVersionEnabled(absl::string_view name,
                                                             int32_t version, bool enabled) {
  ASSIGN_OR_RETURN(format::KeyReference ref, KeyName(name));
  RETURN_IF_ERROR(store_
                      .SetVersionState(ref.department, ref.key, version,
                                       enabled ? store::kVersionEnabled : store::kVersionDisabled)
                      .status());
  return GetKey(name);
}

absl::StatusOr<KeyDescription> KeyManager::SetMinDecryptVersion(absl::string_view name,
                                                                int32_t version) {
  ASSIGN_OR_RETURN(format::KeyReference ref, KeyName(name));
  ASSIGN_OR_RETURN(store::KeyRecord key,
                   store_.SetMinDecryptVersion(ref.department, ref.key, version));
  return Describe(std::move(key));
}

absl::StatusOr<KeyDescription> KeyManager::SetRotationPeriod(absl::string_view name,
                                                             absl::Duration period,
                                                             absl::Time now) {
  ASSIGN_OR_RETURN(format::KeyReference ref, KeyName(name));
  ASSIGN_OR_RETURN(store::KeyRecord key,
                   store_.SetRotationSchedule(
                       ref.department, ref.key, period,
                       period > absl::ZeroDuration() ? now + period : absl::InfiniteFuture()));
  return Describe(std::move(key));
}

}  // namespace yinjian::core
