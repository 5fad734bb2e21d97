#include "service/core/key_manager.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "hsm/objects.h"
#include "hsm/public_key.h"
#include "service/format/names.h"
#include "service/keys/root_key.h"
#include "service/keys/version_material.h"

namespace yinjian::core {

void DestroyResidentObjects(hsm::Token& token, const hsm::Bytes& object_id) {
  (void)DestroyTokenObjects(token, object_id);
}

absl::Status DestroyTokenObjects(hsm::Token& token, const hsm::Bytes& object_id) {
  if (object_id.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::vector<CK_OBJECT_HANDLE> objects,
                   hsm::FindObjects(token, {.id = object_id, .token_object = true}));
  for (CK_OBJECT_HANDLE object : objects) RETURN_IF_ERROR(hsm::DestroyObject(token, object));
  return absl::OkStatus();
}

absl::StatusOr<store::DepartmentRecord> KeyManager::CreateDepartment(
    absl::string_view name, absl::string_view display_name, absl::string_view token_label) {
  RETURN_IF_ERROR(format::ValidateDepartmentName(name));
  if (store_.GetDepartment(name).ok()) {
    return absl::AlreadyExistsError(absl::StrCat("department ", name, " already exists"));
  }
  ASSIGN_OR_RETURN(hsm::Token * token, tokens_.Find(token_label));
  ASSIGN_OR_RETURN(std::string root_id, keys::CreateRootKey(*token, name, 1));
  store::DepartmentRecord record{.name = std::string(name),
                                 .display_name = std::string(display_name),
                                 .token_label = std::string(token_label),
                                 .root_key_id = root_id,
                                 .created = absl::Now()};
  absl::Status stored = store_.CreateDepartment(record);
  if (!stored.ok()) {
    // Another replica may have won the race; do not leave an unused root key behind.
    absl::StatusOr<std::vector<CK_OBJECT_HANDLE>> root =
        hsm::FindObjects(*token, {.object_class = CKO_SECRET_KEY, .id = hsm::ToBytes(root_id)});
    if (root.ok()) {
      for (CK_OBJECT_HANDLE object : *root) (void)hsm::DestroyObject(*token, object);
    }
    return stored;
  }
  return record;
}

absl::StatusOr<std::vector<store::DepartmentRecord>> KeyManager::ListDepartments() {
  return store_.ListDepartments();
}

std::set<policy::KeyOperation> OperationsOf(keys::KeyFamily family) {
  using policy::KeyOperation;
  switch (family) {
    case keys::KeyFamily::kEncryption:
      return {KeyOperation::kEncrypt, KeyOperation::kDecrypt, KeyOperation::kGenerateDataKey};
    case keys::KeyFamily::kMac:
      return {KeyOperation::kMac, KeyOperation::kVerifyMac};
    case keys::KeyFamily::kSignature:
      return {KeyOperation::kSign, KeyOperation::kVerify, KeyOperation::kGetPublicKey};
  }
  return {};
}

absl::Status CheckPolicy(const policy::KeyPolicy& policy, keys::KeyKind kind,
                         keys::Protection protection) {
  RETURN_IF_ERROR(policy::ValidateKeyPolicy(policy, protection == keys::Protection::kSoftware));
  const std::set<policy::KeyOperation> possible = OperationsOf(keys::Info(kind).family);
  for (const auto* operations : {&policy.allowed_operations, &policy.shared_operations}) {
    for (policy::KeyOperation operation : *operations) {
      if (!possible.contains(operation)) {
        return absl::InvalidArgumentError(absl::StrCat("a ", keys::Info(kind).name, " key cannot ",
                                                       policy::KeyOperationName(operation)));
      }
    }
  }
  return absl::OkStatus();
}

void SetPolicyFields(const policy::KeyPolicy& policy, store::KeyRecord& record) {
  auto names = [](const std::set<policy::KeyOperation>& operations) {
    std::vector<std::string> out;
    for (policy::KeyOperation operation : operations) {
      out.emplace_back(policy::KeyOperationName(operation));
    }
    return out;
  };
  record.data_level = std::string(policy::DataLevelName(policy.level));
  record.sharing_class = std::string(policy::SharingClassName(policy.sharing));
  record.allowed_operations = names(policy.allowed_operations);
  record.shared_operations = names(policy.shared_operations);
  record.allowed_purposes = policy.allowed_purposes;
}

absl::StatusOr<store::KeyVersionRecord> KeyManager::NewVersion(
    hsm::Token& token, const store::DepartmentRecord& department, keys::KeyKind kind,
    keys::Protection protection, absl::Time now, const ImportedMaterial* imported) {
  hsm::KeyRef root = keys::RootKeyRef(token, department.root_key_id);
  keys::VersionMaterial material;
  if (imported != nullptr) {
    ASSIGN_OR_RETURN(material, keys::ImportVersionMaterial(token, root, department.name, kind,
                                                           hsm::AsSpan(imported->wrapped),
                                                           hsm::AsSpan(imported->public_key_der)));
  } else {
    ASSIGN_OR_RETURN(material, keys::GenerateVersionMaterial(token, root, kind, protection));
  }
  return store::KeyVersionRecord{.state = store::kVersionEnabled,
                                 .wrapped_material = hsm::ToString(material.wrapped),
                                 .hsm_object_id = hsm::ToString(material.hsm_object_id),
                                 .public_key_spki = hsm::ToString(material.public_key_spki),
                                 .root_key_id = department.root_key_id,
                                 .created = now};
}

absl::StatusOr<KeyDescription> KeyManager::CreateKey(absl::string_view name, keys::KeyKind kind,
                                                     std::optional<keys::Protection> protection,
                                                     absl::string_view description,
                                                     const policy::KeyPolicy& policy,
                                                     absl::Duration rotation_period) {
  return CreateKeyFrom(name, kind, protection, description, policy, rotation_period, nullptr);
}

absl::StatusOr<KeyDescription> KeyManager::ImportKey(absl::string_view name, keys::KeyKind kind,
                                                     absl::string_view description,
                                                     const policy::KeyPolicy& policy,
                                                     const ImportedMaterial& material) {
  return CreateKeyFrom(name, kind, keys::Protection::kHsm, description, policy,
                       absl::ZeroDuration(), &material);
}

absl::StatusOr<std::string> KeyManager::ImportPublicKeyPem(absl::string_view department) {
  ASSIGN_OR_RETURN(store::DepartmentRecord record, store_.GetDepartment(department));
  ASSIGN_OR_RETURN(hsm::Token * token, tokens_.Find(record.token_label));
  ASSIGN_OR_RETURN(hsm::Bytes spki, keys::ImportPublicKey(*token, department));
  return hsm::SpkiDerToPem(spki);
}

absl::StatusOr<KeyDescription> KeyManager::CreateKeyFrom(absl::string_view name, keys::KeyKind kind,
                                                         std::optional<keys::Protection> protection,
                                                         absl::string_view description,
                                                         const policy::KeyPolicy& policy,
                                                         absl::Duration rotation_period,
                                                         const ImportedMaterial* imported) {
  ASSIGN_OR_RETURN(format::KeyReference ref, format::ParseKeyReference(name));
  if (ref.version.has_value()) {
    return absl::InvalidArgumentError("a new key's name cannot carry a version");
  }
  ASSIGN_OR_RETURN(store::DepartmentRecord department, store_.GetDepartment(ref.department));
  if (store_.GetKey(ref.department, ref.key).ok()) {
    return absl::AlreadyExistsError(absl::StrCat("key ", name, " already exists"));
  }
  ASSIGN_OR_RETURN(hsm::Token * token, tokens_.Find(department.token_label));
  ASSIGN_OR_RETURN(keys::Protection chosen,
                   keys::ChooseProtection(kind, protection, token->mechanisms()));
  RETURN_IF_ERROR(CheckPolicy(policy, kind, chosen));
  const absl::Time now = absl::Now();
  ASSIGN_OR_RETURN(store::KeyVersionRecord version,
                   NewVersion(*token, department, kind, chosen, now, imported));
  store::KeyRecord key{.department = ref.department,
                       .name = ref.key,
                       .kind = keys::Info(kind).name,
                       .protection_level = keys::ProtectionName(chosen),
                       .description = std::string(description),
                       .created = now,
                       .origin = imported != nullptr ? store::kKeyImported : store::kKeyGenerated};
  SetPolicyFields(policy, key);
  if (rotation_period > absl::ZeroDuration()) {
    key.rotation_period = rotation_period;
    key.next_rotation = now + rotation_period;
  }
  absl::StatusOr<store::KeyRecord> stored = store_.CreateKey(key, version);
  if (!stored.ok()) {
    DestroyResidentObjects(*token, hsm::ToBytes(version.hsm_object_id));
    return stored.status();
  }
  return Describe(std::move(*stored));
}

absl::StatusOr<KeyDescription> KeyManager::SetKeyPolicy(absl::string_view name,
                                                        const policy::KeyPolicy& policy) {
  ASSIGN_OR_RETURN(format::KeyReference ref, format::ParseKeyReference(name));
  if (ref.version.has_value())
    return absl::InvalidArgumentError("a policy belongs to a key, not a version");
  ASSIGN_OR_RETURN(store::KeyRecord key, store_.GetKey(ref.department, ref.key));
  ASSIGN_OR_RETURN(keys::KeyKind kind, keys::KindFromName(key.kind));
  ASSIGN_OR_RETURN(keys::Protection protection, keys::ProtectionFromName(key.protection_level));
  RETURN_IF_ERROR(CheckPolicy(policy, kind, protection));
  SetPolicyFields(policy, key);
  ASSIGN_OR_RETURN(store::KeyRecord updated, store_.UpdateKeyPolicy(ref.department, ref.key, key));
  return Describe(std::move(updated));
}

absl::StatusOr<KeyDescription> KeyManager::GetKey(absl::string_view name) {
  ASSIGN_OR_RETURN(format::KeyReference ref, format::ParseKeyReference(name));
  ASSIGN_OR_RETURN(store::KeyRecord key, store_.GetKey(ref.department, ref.key));
  return Describe(std::move(key));
}

absl::StatusOr<std::vector<KeyDescription>> KeyManager::ListKeys(absl::string_view department) {
  ASSIGN_OR_RETURN(std::vector<store::KeyRecord> keys, store_.ListKeys(department));
  std::vector<KeyDescription> out;
  for (store::KeyRecord& key : keys) {
    ASSIGN_OR_RETURN(KeyDescription description, Describe(std::move(key)));
    out.push_back(std::move(description));
  }
  return out;
}

absl::StatusOr<KeyDescription> KeyManager::Describe(store::KeyRecord key) {
  ASSIGN_OR_RETURN(std::vector<store::KeyVersionRecord> versions,
                   store_.ListKeyVersions(key.department, key.name));
  return KeyDescription{std::move(key), std::move(versions)};
}

}  // namespace yinjian::core
