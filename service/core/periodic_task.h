// A background thread that runs one function every interval until stopped: the shape of the
// server's lifecycle workers (rotation scheduler, destruction executor). Each pass's error is
// reported to stderr under the task's name; the next pass runs regardless.
#ifndef YINJIAN_SERVICE_CORE_PERIODIC_TASK_H_
#define YINJIAN_SERVICE_CORE_PERIODIC_TASK_H_

#include <cstdio>
#include <functional>
#include <string>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace yinjian::core {

class PeriodicTask {
 public:
  PeriodicTask(std::string name, std::function<absl::Status()> pass)
      : name_(std::move(name)), pass_(std::move(pass)) {}
  ~PeriodicTask() { Stop(); }
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  // Runs the pass every `interval` (the first after one interval). A second Start is a no-op.
  void Start(absl::Duration interval) {
    if (thread_.joinable()) return;
    thread_ = std::thread([this, interval] {
      while (!stop_.WaitForNotificationWithTimeout(interval)) {
        absl::Status status = pass_();
        if (!status.ok()) {
          std::fprintf(stderr, "yinjian-server: %s: %s\n", name_.c_str(),
                       std::string(status.message()).c_str());
        }
      }
    });
  }

  // Waits for a running pass to end. Safe to call more than once.
  void Stop() {
    if (!thread_.joinable()) return;
    if (!stop_.HasBeenNotified()) stop_.Notify();
    thread_.join();
  }

 private:
  const std::string name_;
  const std::function<absl::Status()> pass_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace yinjian::core

#endif  // YINJIAN_SERVICE_CORE_PERIODIC_TASK_H_
