#include "hsm/session_pool.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace yinjian::hsm {

SessionLease::SessionLease(SessionLease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)),
      handle_(other.handle_),
      broken_(other.broken_) {}

SessionLease& SessionLease::operator=(SessionLease&& other) noexcept {
  if (this != &other) {
    Release();
    pool_ = std::exchange(other.pool_, nullptr);
    handle_ = other.handle_;
    broken_ = other.broken_;
  }
  return *this;
}

SessionLease::~SessionLease() { Release(); }

void SessionLease::Release() {
  if (pool_ == nullptr) return;
  std::exchange(pool_, nullptr)->Return(handle_, broken_);
}

SessionPool::SessionPool(SessionBackend* backend, size_t max_sessions,
                         absl::Duration wait_timeout)
    : backend_(backend),
      max_sessions_(max_sessions == 0 ? 1 : max_sessions),
      wait_timeout_(wait_timeout) {}

SessionPool::~SessionPool() { DiscardIdle(); }

absl::StatusOr<SessionLease> SessionPool::Acquire() { return AcquireImpl(std::nullopt); }

absl::StatusOr<SessionLease> SessionPool::AcquireUntil(absl::Time deadline) {
  return AcquireImpl(deadline);
}

absl::StatusOr<SessionLease> SessionPool::AcquireImpl(std::optional<absl::Time> deadline) {
  {
    absl::MutexLock lock(&mu_);
    auto available = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !idle_.empty() || stats_.leased < max_sessions_;
    };
    if (!available()) {
      ++stats_.waits;
      // The clock is read only here: the common, uncontended path never needs it.
      absl::Time until = deadline.has_value() ? *deadline : absl::Now() + wait_timeout_;
      if (!mu_.AwaitWithDeadline(absl::Condition(&available), until)) {
        ++stats_.timeouts;
        return absl::ResourceExhaustedError(absl::StrFormat(
            "all %d HSM sessions are busy; none came free in time", max_sessions_));
      }
    }
    ++stats_.leased;
    if (!idle_.empty()) {
      CK_SESSION_HANDLE handle = idle_.back();  // most recently used: warmest
      idle_.pop_back();
      return SessionLease(this, handle);
    }
  }
  // Open outside the lock: C_OpenSession can be slow on a network HSM.
  absl::StatusOr<CK_SESSION_HANDLE> opened = backend_->OpenSession();
  absl::MutexLock lock(&mu_);
  if (!opened.ok()) {
    --stats_.leased;
    return opened.status();
  }
  ++stats_.opened;
  return SessionLease(this, *opened);
}

void SessionPool::Return(CK_SESSION_HANDLE handle, bool broken) {
  {
    absl::MutexLock lock(&mu_);
    --stats_.leased;
    if (!broken) {
      idle_.push_back(handle);
      return;
    }
    ++stats_.broken;
    ++stats_.closed;
  }
  backend_->CloseSession(handle);
}

void SessionPool::DiscardIdle() {
  std::vector<CK_SESSION_HANDLE> to_close;
  {
    absl::MutexLock lock(&mu_);
    to_close.swap(idle_);
    stats_.closed += to_close.size();
  }
  for (CK_SESSION_HANDLE handle : to_close) backend_->CloseSession(handle);
}

SessionPoolStats SessionPool::stats() const {
  absl::MutexLock lock(&mu_);
  SessionPoolStats stats = stats_;
  stats.idle = idle_.size();
  return stats;
}

}  // namespace yinjian::hsm
