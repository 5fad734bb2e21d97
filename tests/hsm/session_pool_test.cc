// Pool accounting with a fake backend (pure logic); the pool against SoftHSM is covered by
// token_test and concurrency_test.
#include "hsm/session_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "tests/support/status_test_macros.h"

namespace yinjian::hsm {
namespace {

class FakeBackend : public SessionBackend {
 public:
  absl::StatusOr<CK_SESSION_HANDLE> OpenSession() override {
    if (fail_next_open_.exchange(false)) return absl::UnavailableError("device gone");
    absl::MutexLock lock(&mu_);
    CK_SESSION_HANDLE handle = next_++;
    open_.insert(handle);
    return handle;
  }
  void CloseSession(CK_SESSION_HANDLE session) override {
    absl::MutexLock lock(&mu_);
    EXPECT_EQ(open_.erase(session), 1u) << "closed a session that was not open";
  }
  size_t open_count() {
    absl::MutexLock lock(&mu_);
    return open_.size();
  }
  std::atomic<bool> fail_next_open_{false};

 private:
  absl::Mutex mu_;
  CK_SESSION_HANDLE next_ ABSL_GUARDED_BY(mu_) = 100;
  std::set<CK_SESSION_HANDLE> open_ ABSL_GUARDED_BY(mu_);
};

TEST(SessionPoolTest, ReusesReturnedSessions) {
  FakeBackend backend;
  SessionPool pool(&backend, 4, absl::Seconds(1));
  CK_SESSION_HANDLE first;
  {
    YJ_ASSERT_OK_AND_ASSIGN(SessionLease lease, pool.Acquire());
    first = lease.handle();
    EXPECT_EQ(pool.stats().leased, 1u);
  }
  YJ_ASSERT_OK_AND_ASSIGN(SessionLease again, pool.Acquire());
  EXPECT_EQ(again.handle(), first);
  EXPECT_EQ(pool.stats().opened, 1u);
  EXPECT_EQ(backend.open_count(), 1u);
}

TEST(SessionPoolTest, NeverExceedsBoundAndTimesOut) {
  FakeBackend backend;
  SessionPool pool(&backend, 2, absl::Milliseconds(20));
  YJ_ASSERT_OK_AND_ASSIGN(SessionLease a, pool.Acquire());
  YJ_ASSERT_OK_AND_ASSIGN(SessionLease b, pool.Acquire());
  EXPECT_NE(a.handle(), b.handle());
  absl::StatusOr<SessionLease> c = pool.Acquire();
  EXPECT_EQ(c.status().code(), absl::StatusCode::kResourceExhausted);
  SessionPoolStats stats = pool.stats();
  EXPECT_EQ(stats.leased, 2u);
  EXPECT_EQ(stats.timeouts, 1u);
  EXPECT_EQ(stats.waits, 1u);
  EXPECT_EQ(backend.open_count(), 2u);
}

TEST(SessionPoolTest, WaiterGetsTheReturnedSession) {
  FakeBackend backend;
  SessionPool pool(&backend, 1, absl::Seconds(30));
  YJ_ASSERT_OK_AND_ASSIGN(SessionLease held, pool.Acquire());
  const CK_SESSION_HANDLE handle = held.handle();
  absl::Notification got;
  CK_SESSION_HANDLE waited_for = 0;
  std::thread waiter([&] {
    absl::StatusOr<SessionLease> lease = pool.Acquire();
    ASSERT_TRUE(lease.ok()) << lease.status();
    waited_for = lease->handle();
    got.Notify();
  });
  // The waiter cannot get a session until this one is returned.
  EXPECT_FALSE(got.WaitForNotificationWithTimeout(absl::Milliseconds(50)));
  held.Release();
  waiter.join();
  EXPECT_EQ(waited_for, handle);
  EXPECT_EQ(pool.stats().opened, 1u);
}

TEST(SessionPoolTest, BrokenSessionsAreClosedNotReused) {
  FakeBackend backend;
  SessionPool pool(&backend, 2, absl::Seconds(1));
  CK_SESSION_HANDLE broken_handle;
  {
    YJ_ASSERT_OK_AND_ASSIGN(SessionLease lease, pool.Acquire());
    broken_handle = lease.handle();
    lease.MarkBroken();
  }
  EXPECT_EQ(backend.open_count(), 0u);
  YJ_ASSERT_OK_AND_ASSIGN(SessionLease fresh, pool.Acquire());
  EXPECT_NE(fresh.handle(), broken_handle);
  SessionPoolStats stats = pool.stats();
  EXPECT_EQ(stats.broken, 1u);
  EXPECT_EQ(stats.opened, 2u);
  EXPECT_EQ(stats.closed, 1u);
}

TEST(SessionPoolTest, FailedOpenGivesTheSlotBack) {
  FakeBackend backend;
  SessionPool pool(&backend, 1, absl::Milliseconds(20));
  backend.fail_next_open_ = true;
  EXPECT_EQ(pool.Acquire().status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(pool.stats().leased, 0u);
  YJ_EXPECT_OK(pool.Acquire());  // the slot was not lost
}

TEST(SessionPoolTest, DiscardIdleClosesOnlyIdleSessions) {
  FakeBackend backend;
  SessionPool pool(&backend, 3, absl::Seconds(1));
  {
    YJ_ASSERT_OK_AND_ASSIGN(SessionLease a, pool.Acquire());
    YJ_ASSERT_OK_AND_ASSIGN(SessionLease b, pool.Acquire());
  }
  YJ_ASSERT_OK_AND_ASSIGN(SessionLease held, pool.Acquire());
  pool.DiscardIdle();
  EXPECT_EQ(backend.open_count(), 1u);  // the leased one survives
  EXPECT_EQ(pool.stats().idle, 0u);
}

TEST(SessionPoolTest, MovedLeaseReturnsOnce) {
  FakeBackend backend;
  SessionPool pool(&backend, 1, absl::Seconds(1));
  {
    YJ_ASSERT_OK_AND_ASSIGN(SessionLease a, pool.Acquire());
    SessionLease b = std::move(a);
    SessionLease c = std::move(b);
    EXPECT_EQ(pool.stats().leased, 1u);
  }
  EXPECT_EQ(pool.stats().leased, 0u);
  EXPECT_EQ(pool.stats().idle, 1u);
}

TEST(SessionPoolTest, ConcurrentLeasesAreExclusiveAndAccounted) {
  FakeBackend backend;
  constexpr size_t kMax = 3;
  SessionPool pool(&backend, kMax, absl::Seconds(30));
  absl::Mutex mu;
  std::set<CK_SESSION_HANDLE> in_use;
  std::atomic<int> violations{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        absl::StatusOr<SessionLease> lease = pool.Acquire();
        if (!lease.ok()) {
          ++violations;
          continue;
        }
        {
          absl::MutexLock lock(&mu);
          if (!in_use.insert(lease->handle()).second) ++violations;  // shared session
          if (in_use.size() > kMax) ++violations;
        }
        absl::MutexLock lock(&mu);
        in_use.erase(lease->handle());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(violations.load(), 0);
  SessionPoolStats stats = pool.stats();
  EXPECT_EQ(stats.leased, 0u);
  EXPECT_LE(stats.opened, kMax);
  EXPECT_EQ(stats.idle, stats.opened);
  EXPECT_EQ(backend.open_count(), stats.opened);
}

}  // namespace
}  // namespace yinjian::hsm
