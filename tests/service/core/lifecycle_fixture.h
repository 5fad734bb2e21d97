// What the key lifecycle tests share: a real SoftHSM token (one per suite), a SQLite store file
// per test that can be reopened as a restarted server would, the key manager and resolver on
// it, a department of the test's own (the token outlives each test), and a settable clock.
#ifndef YINJIAN_TESTS_SERVICE_CORE_LIFECYCLE_FIXTURE_H_
#define YINJIAN_TESTS_SERVICE_CORE_LIFECYCLE_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "service/core/key_manager.h"
#include "service/core/key_resolver.h"
#include "service/store/sqlite_store.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"
#include "tests/support/token_fixture.h"

namespace yinjian::testing {

class LifecycleTest : public TokenTest {
 protected:
  // `prefix` names the test's departments: prefix1, prefix2, ...
  explicit LifecycleTest(std::string prefix) : prefix_(std::move(prefix)) {}

  void SetUp() override {
    TokenTest::SetUp();
    auto dir = TempDir::Create();
    ASSERT_TRUE(dir.ok());
    dir_ = std::make_unique<TempDir>(std::move(*dir));
    tokens_ = std::make_unique<core::TokenDirectory>(&token());
    YJ_ASSERT_OK(Reopen());
    static int departments = 0;
    dept_ = prefix_ + std::to_string(++departments);
    YJ_ASSERT_OK(manager_->CreateDepartment(dept_, "", "").status());
  }

  // (Re)opens the store, manager and resolver, as a restarted server would, after
  // DropWorkers() has let go of whatever the test built on them.
  absl::Status Reopen() {
    DropWorkers();
    resolver_.reset();
    manager_.reset();
    store_.reset();
    auto store = store::SqliteStore::Open(dir_->File("yinjian.db"));
    if (!store.ok()) return store.status();
    store_ = std::move(*store);
    manager_ = std::make_unique<core::KeyManager>(*store_, *tokens_);
    resolver_ = std::make_unique<core::KeyResolver>(*store_, *tokens_);
    MakeWorkers();
    return absl::OkStatus();
  }
  // The test's own objects on the store (schedulers, executors, jobs).
  virtual void DropWorkers() {}
  virtual void MakeWorkers() {}

  absl::Time Now() {
    absl::MutexLock lock(&clock_mu_);
    return now_;
  }
  void SetNow(absl::Time now) {
    absl::MutexLock lock(&clock_mu_);
    now_ = now;
  }
  // A clock for the workers: reads Now().
  std::function<absl::Time()> Clock() {
    return [this] { return Now(); };
  }

  // "<department>/<key>" in this test's department.
  std::string Name(const std::string& key) const { return dept_ + "/" + key; }

  const std::string prefix_;
  std::string dept_;
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<core::TokenDirectory> tokens_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<core::KeyManager> manager_;
  std::unique_ptr<core::KeyResolver> resolver_;

 private:
  absl::Mutex clock_mu_;
  absl::Time now_ = absl::Now();
};

}  // namespace yinjian::testing

#endif  // YINJIAN_TESTS_SERVICE_CORE_LIFECYCLE_FIXTURE_H_
