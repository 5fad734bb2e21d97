// Loaded HSM key versions (unwrapped session objects), kept for reuse. Bounded: the least
// recently used entry is dropped, and its HSM object destroyed once no operation holds it.
// Entries loaded before a token re-login are stale (session objects die with their sessions) and
// are dropped on lookup. Software-protected versions are never cached: their material lives only
// for one operation.
#ifndef YINJIAN_SERVICE_CORE_VERSION_CACHE_H_
#define YINJIAN_SERVICE_CORE_VERSION_CACHE_H_

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <tuple>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "service/keys/version_material.h"

namespace yinjian::core {

struct VersionKey {
  std::string department;
  std::string key;
  int32_t version;
  auto operator<=>(const VersionKey&) const = default;
};

class VersionCache {
 public:
  explicit VersionCache(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // The cached version if present and loaded in `login_epoch` (hsm::Token::relogins()).
  std::shared_ptr<const keys::LoadedVersion> Get(const VersionKey& key, uint64_t login_epoch);
  void Put(const VersionKey& key, uint64_t login_epoch,
           std::shared_ptr<const keys::LoadedVersion> version);
  // Drops an entry (e.g. its HSM handle proved stale).
  void Erase(const VersionKey& key);
  size_t size() const;

 private:
  struct Entry {
    std::shared_ptr<const keys::LoadedVersion> version;
    uint64_t login_epoch;
    std::list<VersionKey>::iterator recency;
  };
  const size_t capacity_;
  mutable absl::Mutex mu_;
  std::map<VersionKey, Entry> entries_ ABSL_GUARDED_BY(mu_);
  std::list<VersionKey> recency_ ABSL_GUARDED_BY(mu_);  // front: most recent
};

}  // namespace yinjian::core

#endif  // YINJIAN_SERVICE_CORE_VERSION_CACHE_H_
