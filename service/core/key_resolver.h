// From a key reference ("department/key[:version]") to a usable key version: looks the key and
// version up in the store, checks that the version may be used and that the key's family fits
// the operation, and loads the material (from the version cache for HSM keys).
#ifndef YINJIAN_SERVICE_CORE_KEY_RESOLVER_H_
#define YINJIAN_SERVICE_CORE_KEY_RESOLVER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "hsm/key_ref.h"
#include "service/core/token_directory.h"
#include "service/core/version_cache.h"
#include "service/keys/key_kind.h"
#include "service/keys/version_material.h"
#include "service/store/store.h"

namespace yinjian::core {

// What every response reports about the key version that served it.
struct KeyVersionInfo {
  std::string key;  // "department/key"
  int32_t version = 0;
  keys::KeyKind kind = keys::KeyKind::kAes256Gcm;
  keys::Protection protection = keys::Protection::kHsm;
};

struct ResolvedVersion {
  store::KeyVersionRecord record;
  KeyVersionInfo info;
  std::string root_key_id;
  hsm::Token* token = nullptr;
};

struct ResolverOptions {
  size_t version_cache_capacity = 1024;  // loaded HSM versions
  // How long key, department and version records are reused without reading the store. Changes
  // made through this process are seen at once (Invalidate); changes by other replicas sharing
  // the store are seen within this bound.
  absl::Duration metadata_ttl = absl::Seconds(1);
};

class KeyResolver {
 public:
  KeyResolver(store::Store& store, TokenDirectory& tokens, ResolverOptions options = {})
      : store_(store), tokens_(tokens), options_(options),
        cache_(options.version_cache_capacity) {}

  // Forgets the cached records of a key (after this process changed it in the store).
  void Invalidate(absl::string_view department, absl::string_view key);

  // Resolves a reference (no version: the primary). INVALID_ARGUMENT for a malformed reference;
  // NOT_FOUND for an unknown department, key or version; FAILED_PRECONDITION if the key is of
  // another family than `family` (the message names the key's kind and `operation`) or the
  // version is disabled or destroyed.
  absl::StatusOr<ResolvedVersion> Resolve(absl::string_view reference, keys::KeyFamily family,
                                          absl::string_view operation);
  absl::StatusOr<ResolvedVersion> ResolveVersion(absl::string_view department,
                                                 absl::string_view key, int32_t version,
                                                 keys::KeyFamily family,
                                                 absl::string_view operation);

  // Runs `use` with the loaded version. HSM versions come from the cache; if the HSM reports the
  // cached handle stale, the version is loaded again and `use` runs once more. Software material
  // is loaded for this call only and wiped afterwards.
  absl::Status WithLoaded(const ResolvedVersion& version,
                          absl::FunctionRef<absl::Status(const keys::LoadedVersion&)> use);

  // The key's record, policy included, from the same cache as Resolve (so within metadata_ttl of
  // the store). NOT_FOUND for an unknown department or key.
  absl::StatusOr<store::KeyRecord> KeyRecordOf(absl::string_view department,
                                                absl::string_view key);

  VersionCache& cache() { return cache_; }

 private:
  struct KeyMetadata {
    store::KeyRecord key;
    store::DepartmentRecord department;
    absl::Time loaded;
  };
  struct VersionMetadata {
    store::KeyVersionRecord record;
    absl::Time loaded;
  };

  absl::StatusOr<std::shared_ptr<const keys::LoadedVersion>> Load(const ResolvedVersion& version,
                                                                  bool fresh);
  absl::StatusOr<KeyMetadata> Metadata(absl::string_view department, absl::string_view key);
  absl::StatusOr<store::KeyVersionRecord> VersionRecord(absl::string_view department,
                                                        absl::string_view key, int32_t version);
  hsm::KeyRef& RootKey(hsm::Token& token, const std::string& root_key_id);

  store::Store& store_;
  TokenDirectory& tokens_;
  const ResolverOptions options_;
  VersionCache cache_;

  absl::Mutex metadata_mu_;
  std::map<std::pair<std::string, std::string>, KeyMetadata> keys_ ABSL_GUARDED_BY(metadata_mu_);
  std::map<VersionKey, VersionMetadata> versions_ ABSL_GUARDED_BY(metadata_mu_);
  // Root keys by (token, id): a KeyRef keeps the handle, so it is found once, not per call.
  std::map<std::pair<hsm::Token*, std::string>, std::unique_ptr<hsm::KeyRef>> roots_
      ABSL_GUARDED_BY(metadata_mu_);
};

}  // namespace yinjian::core

#endif  // YINJIAN_SERVICE_CORE_KEY_RESOLVER_H_
