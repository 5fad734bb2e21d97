// A bounded pool of PKCS#11 sessions for one token. A session is used by one operation at a time:
// callers lease it (RAII) and the lease's destructor gives it back. When the pool is exhausted,
// Acquire waits until a session is returned or the deadline passes (RESOURCE_EXHAUSTED).
//
// Healthy sessions are never closed while the pool lives: session objects (e.g. keys from
// C_UnwrapKey) die with the session that created them.
#ifndef YINJIAN_HSM_SESSION_POOL_H_
#define YINJIAN_HSM_SESSION_POOL_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "hsm/pkcs11.h"

namespace yinjian::hsm {

// Opens and closes sessions; the Token implements it against the module. Both calls may be made
// from any thread, concurrently.
class SessionBackend {
 public:
  virtual ~SessionBackend() = default;
  virtual absl::StatusOr<CK_SESSION_HANDLE> OpenSession() = 0;
  virtual void CloseSession(CK_SESSION_HANDLE session) = 0;
};

struct SessionPoolStats {
  size_t idle = 0;       // open and waiting in the pool
  size_t leased = 0;     // handed out (including those being opened)
  uint64_t opened = 0;   // sessions opened over the pool's life
  uint64_t closed = 0;   // sessions closed (broken, discarded, or at destruction)
  uint64_t broken = 0;   // leases returned marked broken
  uint64_t waits = 0;    // Acquire calls that had to wait
  uint64_t timeouts = 0; // Acquire calls that gave up at their deadline
};

class SessionPool;

// A leased session. Movable, not copyable; returns the session to the pool when destroyed.
class SessionLease {
 public:
  SessionLease(SessionLease&& other) noexcept;
  SessionLease& operator=(SessionLease&& other) noexcept;
  SessionLease(const SessionLease&) = delete;
  SessionLease& operator=(const SessionLease&) = delete;
  ~SessionLease();

  CK_SESSION_HANDLE handle() const { return handle_; }
  // The session failed in a way that makes it unusable: close it instead of pooling it.
  void MarkBroken() { broken_ = true; }
  // Returns the session to the pool now (the lease becomes empty).
  void Release();

 private:
  friend class SessionPool;
  SessionLease(SessionPool* pool, CK_SESSION_HANDLE handle) : pool_(pool), handle_(handle) {}

  SessionPool* pool_;
  CK_SESSION_HANDLE handle_;
  bool broken_ = false;
};

class SessionPool {
 public:
  // `backend` must outlive the pool. `max_sessions` >= 1.
  SessionPool(SessionBackend* backend, size_t max_sessions, absl::Duration wait_timeout);
  SessionPool(const SessionPool&) = delete;
  SessionPool& operator=(const SessionPool&) = delete;
  // Closes idle sessions. Every lease must have been returned before.
  ~SessionPool();

  // Leases an idle session, opens a new one if below the bound, or waits up to the pool's
  // timeout. RESOURCE_EXHAUSTED on timeout; the backend's error if opening fails.
  absl::StatusOr<SessionLease> Acquire();
  absl::StatusOr<SessionLease> AcquireUntil(absl::Time deadline);

  // Closes every idle session. Used when one session proved broken: after a token reset or
  // logout, the others are broken too.
  void DiscardIdle();

  SessionPoolStats stats() const;
  size_t max_sessions() const { return max_sessions_; }

 private:
  friend class SessionLease;
  absl::StatusOr<SessionLease> AcquireImpl(std::optional<absl::Time> deadline);
  void Return(CK_SESSION_HANDLE handle, bool broken);

  SessionBackend* const backend_;
  const size_t max_sessions_;
  const absl::Duration wait_timeout_;

  mutable absl::Mutex mu_;
  std::vector<CK_SESSION_HANDLE> idle_ ABSL_GUARDED_BY(mu_);
  SessionPoolStats stats_ ABSL_GUARDED_BY(mu_);
};

}  // namespace yinjian::hsm

#endif  // YINJIAN_HSM_SESSION_POOL_H_
