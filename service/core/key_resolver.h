// From a key reference ("department/key[:version]") to a usable key version: looks the key and
// version up in the store, checks that the version may be used and that the key's family fits
// the operation, and loads the material (from the version cache for HSM keys).
#ifndef YINJIAN_SERVICE_CORE_KEY_RESOLVER_H_
#define YINJIAN_SERVICE_CORE_KEY_RESOLVER_H_

#include <cstdint>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
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

class KeyResolver {
 public:
  KeyResolver(store::Store& store, TokenDirectory& tokens, size_t cache_capacity)
      : store_(store), tokens_(tokens), cache_(cache_capacity) {}

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

  VersionCache& cache() { return cache_; }

 private:
  absl::StatusOr<std::shared_ptr<const keys::LoadedVersion>> Load(const ResolvedVersion& version,
                                                                  bool fresh);

  store::Store& store_;
  TokenDirectory& tokens_;
  VersionCache cache_;
};

}  // namespace yinjian::core

#endif  // YINJIAN_SERVICE_CORE_KEY_RESOLVER_H_
