#include "service/core/key_resolver.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "hsm/ck_rv.h"
#include "service/format/names.h"
#include "service/keys/root_key.h"

namespace yinjian::core {
namespace {

// R11: data under a destroyed version is gone for good; say so, and when.
std::string DestroyedMessage(absl::string_view name, const store::KeyVersionRecord& record) {
  std::string message = absl::StrCat("version ", record.version, " of ", name, " was destroyed");
  if (record.destroyed != absl::InfinitePast()) {
    absl::StrAppend(&message, " at ",
                    absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", record.destroyed, absl::UTCTimeZone()));
  }
  if (record.destruction_id != 0) {
    absl::StrAppend(&message, " (destruction request ", record.destruction_id, ")");
  }
  absl::StrAppend(&message, "; what it protected can no longer be decrypted or verified");
  return message;
}

const char* FamilyNeed(keys::KeyFamily family) {
  switch (family) {
    case keys::KeyFamily::kEncryption: return "an encryption key (aes256-gcm, sm4)";
    case keys::KeyFamily::kMac: return "a MAC key (hmac-sha256, hmac-sha384, hmac-sm3)";
    case keys::KeyFamily::kSignature: return "a signing key";
  }
  return "another kind of key";
}


}  // namespace

absl::StatusOr<ResolvedVersion> KeyResolver::Resolve(absl::string_view reference,
                                                     keys::KeyFamily family,
                                                     absl::string_view operation) {
  ASSIGN_OR_RETURN(format::KeyReference ref, format::ParseKeyReference(reference));
  int32_t version = 0;
  if (ref.version.has_value()) {
    version = *ref.version;
  } else {
    ASSIGN_OR_RETURN(KeyMetadata metadata, Metadata(ref.department, ref.key));
    version = metadata.key.primary_version;
  }
  return ResolveVersion(ref.department, ref.key, version, family, operation);
}

absl::StatusOr<KeyResolver::KeyMetadata> KeyResolver::Metadata(absl::string_view department,
                                                               absl::string_view key) {
  const absl::Time now = absl::Now();
  auto id = std::make_pair(std::string(department), std::string(key));
  {
    absl::MutexLock lock(&metadata_mu_);
    auto it = keys_.find(id);
    if (it != keys_.end() && now - it->second.loaded < options_.metadata_ttl) return it->second;
  }
  ASSIGN_OR_RETURN(store::KeyRecord record, store_.GetKey(department, key));
  ASSIGN_OR_RETURN(store::DepartmentRecord dept, store_.GetDepartment(department));
  KeyMetadata metadata{std::move(record), std::move(dept), now};
  absl::MutexLock lock(&metadata_mu_);
  if (keys_.size() > 100000) keys_.clear();  // bound memory; entries are cheap to reload
  keys_[id] = metadata;
  return metadata;
}

absl::StatusOr<store::KeyVersionRecord> KeyResolver::VersionRecord(absl::string_view department,
                                                                   absl::string_view key,
                                                                   int32_t version) {
  const absl::Time now = absl::Now();
  VersionKey id{std::string(department), std::string(key), version};
  {
    absl::MutexLock lock(&metadata_mu_);
    auto it = versions_.find(id);
    if (it != versions_.end() && now - it->second.loaded < options_.metadata_ttl) {
      return it->second.record;
    }
  }
  ASSIGN_OR_RETURN(store::KeyVersionRecord record, store_.GetKeyVersion(department, key, version));
  absl::MutexLock lock(&metadata_mu_);
  if (versions_.size() > 100000) versions_.clear();
  versions_[id] = VersionMetadata{record, now};
  return record;
}

absl::StatusOr<store::KeyRecord> KeyResolver::KeyRecordOf(absl::string_view department,
                                                          absl::string_view key) {
  ASSIGN_OR_RETURN(KeyMetadata metadata, Metadata(department, key));
  return std::move(metadata.key);
}

void KeyResolver::Invalidate(absl::string_view department, absl::string_view key) {
  absl::MutexLock lock(&metadata_mu_);
  keys_.erase(std::make_pair(std::string(department), std::string(key)));
  auto it = versions_.lower_bound(VersionKey{std::string(department), std::string(key), 0});
  while (it != versions_.end() && it->first.department == department && it->first.key == key) {
    it = versions_.erase(it);
  }
}

hsm::KeyRef& KeyResolver::RootKey(hsm::Token& token, const std::string& root_key_id) {
  absl::MutexLock lock(&metadata_mu_);
  std::unique_ptr<hsm::KeyRef>& root = roots_[{&token, root_key_id}];
  if (root == nullptr) {
    root = std::make_unique<hsm::KeyRef>(token, CKO_SECRET_KEY, hsm::ToBytes(root_key_id));
  }
  return *root;
}

absl::StatusOr<ResolvedVersion> KeyResolver::ResolveVersion(absl::string_view department,
                                                            absl::string_view key_name,
                                                            int32_t version,
                                                            keys::KeyFamily family,
                                                            absl::string_view operation) {
  ASSIGN_OR_RETURN(KeyMetadata metadata, Metadata(department, key_name));
  const store::KeyRecord& key = metadata.key;
  const std::string name = absl::StrCat(department, "/", key_name);
  ASSIGN_OR_RETURN(keys::KeyKind kind, keys::KindFromName(key.kind));
  if (keys::Info(kind).family != family) {
    return absl::FailedPreconditionError(absl::StrCat(name, " is a ", key.kind, " key; ",
                                                      operation, " needs ", FamilyNeed(family)));
  }
  ASSIGN_OR_RETURN(store::KeyVersionRecord record, VersionRecord(department, key_name, version));
  if (record.state == store::kVersionDestroyed) {
    // Another replica may have destroyed it: drop any session object this process still holds.
    cache_.Erase({std::string(department), std::string(key_name), version});
    return absl::FailedPreconditionError(DestroyedMessage(name, record));
  }
  if (record.state != store::kVersionEnabled) {
    return absl::FailedPreconditionError(
        absl::StrCat("version ", version, " of ", name, " is disabled"));
  }
  // Old versions keep decrypting and verifying unless the key officer raised the floor.
  if (version < key.min_decrypt_version && (operation == "Decrypt" || operation == "Verify" ||
                                            operation == "ReEncrypt" || operation == "VerifyMac")) {
    return absl::FailedPreconditionError(absl::StrCat(
        "version ", version, " of ", name, " is below the key's minimum decrypt version ",
        key.min_decrypt_version));
  }
  ASSIGN_OR_RETURN(hsm::Token * token, tokens_.Find(metadata.department.token_label));
  ASSIGN_OR_RETURN(keys::Protection protection, keys::ProtectionFromName(key.protection_level));
  ResolvedVersion resolved{.record = std::move(record),
                           .info = {.key = name, .version = version, .kind = kind,
                                    .protection = protection},
                           .root_key_id = metadata.department.root_key_id,
                           .token = token};
  if (!resolved.record.root_key_id.empty()) resolved.root_key_id = resolved.record.root_key_id;
  return resolved;
}

absl::StatusOr<std::shared_ptr<const keys::LoadedVersion>> KeyResolver::Load(
    const ResolvedVersion& version, bool fresh) {
  const VersionKey cache_key{version.record.department, version.record.key,
                             version.record.version};
  const uint64_t epoch = version.token->relogins();
  const bool cacheable = version.info.protection == keys::Protection::kHsm;
  if (cacheable && !fresh) {
    if (auto cached = cache_.Get(cache_key, epoch)) return cached;
  }
  hsm::KeyRef& root = RootKey(*version.token, version.root_key_id);
  keys::VersionMaterial stored{.wrapped = hsm::ToBytes(version.record.wrapped_material),
                               .hsm_object_id = hsm::ToBytes(version.record.hsm_object_id)};
  ASSIGN_OR_RETURN(keys::LoadedVersion loaded,
                   keys::LoadVersion(*version.token, root, version.info.kind,
                                     version.info.protection, stored));
  auto shared = std::make_shared<const keys::LoadedVersion>(std::move(loaded));
  if (cacheable) cache_.Put(cache_key, epoch, shared);
  return shared;
}

absl::Status KeyResolver::WithLoaded(
    const ResolvedVersion& version,
    absl::FunctionRef<absl::Status(const keys::LoadedVersion&)> use) {
  ASSIGN_OR_RETURN(std::shared_ptr<const keys::LoadedVersion> loaded, Load(version, false));
  absl::Status status = use(*loaded);
  std::optional<CK_RV> rv = hsm::CkRvFromStatus(status);
  if (rv != CKR_OBJECT_HANDLE_INVALID && rv != CKR_KEY_HANDLE_INVALID) return status;
  // The session that held the unwrapped object is gone: load again and retry once.
  cache_.Erase({version.record.department, version.record.key, version.record.version});
  RETURN_IF_ERROR(version.token->EnsureLoggedIn());
  ASSIGN_OR_RETURN(loaded, Load(version, true));
  return use(*loaded);
}

}  // namespace yinjian::core
