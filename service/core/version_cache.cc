#include "service/core/version_cache.h"

namespace yinjian::core {

std::shared_ptr<const keys::LoadedVersion> VersionCache::Get(const VersionKey& key,
                                                             uint64_t login_epoch) {
  std::shared_ptr<const keys::LoadedVersion> stale;  // released after the lock
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  if (it->second.login_epoch != login_epoch) {
    stale = std::move(it->second.version);
    recency_.erase(it->second.recency);
    entries_.erase(it);
    return nullptr;
  }
  recency_.splice(recency_.begin(), recency_, it->second.recency);
  return it->second.version;
}

void VersionCache::Put(const VersionKey& key, uint64_t login_epoch,
                       std::shared_ptr<const keys::LoadedVersion> version) {
  std::shared_ptr<const keys::LoadedVersion> evicted;  // destroyed after the lock
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    evicted = std::move(it->second.version);
    it->second.version = std::move(version);
    it->second.login_epoch = login_epoch;
    recency_.splice(recency_.begin(), recency_, it->second.recency);
    return;
  }
  recency_.push_front(key);
  entries_.emplace(key, Entry{std::move(version), login_epoch, recency_.begin()});
  if (entries_.size() > capacity_) {
    auto oldest = entries_.find(recency_.back());
    evicted = std::move(oldest->second.version);
    entries_.erase(oldest);
    recency_.pop_back();
  }
}

void VersionCache::Erase(const VersionKey& key) {
  std::shared_ptr<const keys::LoadedVersion> dropped;
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  dropped = std::move(it->second.version);
  recency_.erase(it->second.recency);
  entries_.erase(it);
}

size_t VersionCache::size() const {
  absl::MutexLock lock(&mu_);
  return entries_.size();
}

}  // namespace yinjian::core
