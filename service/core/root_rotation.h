// Department root key rotation (R1, key lifecycle): a new root key generation in the
// department's HSM token, and a background job that re-wraps every key version of the
// department under it and destroys the old root key once nothing depends on it.
//
// The job's state is the store itself: the versions still wrapped under another root than the
// department's current one. So the job is resumable by construction: a pass re-wraps a batch
// (each version by a compare-and-swap on its root_key_id, so replicas and restarts never undo
// each other), and a server killed mid-job continues where the store says it stopped. The old
// root is destroyed only when no version needs it and no re-wrap has happened for a grace
// period (other replicas may have read a version's old record within their cache lifetime).
#ifndef YINJIAN_SERVICE_CORE_ROOT_ROTATION_H_
#define YINJIAN_SERVICE_CORE_ROOT_ROTATION_H_

#include <cstdint>
#include <functional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/core/key_resolver.h"
#include "service/core/periodic_task.h"
#include "service/core/token_directory.h"
#include "service/store/store.h"

namespace yinjian::core {

// Where a rotation stands.
struct RootRotationStatus {
  store::RootRotationRecord rotation;
  int64_t versions_remaining = 0;  // still wrapped under another root
};

// Makes the department's next root key generation in its token and switches the department to
// it (store::Store::BeginRootRotation); the job does the rest. NOT_FOUND for an unknown
// department; FAILED_PRECONDITION while a rotation of the department is unfinished.
absl::StatusOr<RootRotationStatus> BeginRootRotation(store::Store& store, TokenDirectory& tokens,
                                                     absl::string_view department,
                                                     absl::string_view by, absl::Time now);

// The department's latest rotation; NOT_FOUND if it never had one.
absl::StatusOr<RootRotationStatus> GetRootRotation(store::Store& store,
                                                   absl::string_view department);

struct RootRewrapOptions {
  int32_t batch = 100;                              // versions re-wrapped per rotation per pass
  absl::Duration retire_grace = absl::Seconds(10);  // quiet time before the old root goes
};

class RootRewrapJob {
 public:
  using Clock = std::function<absl::Time()>;
  // Told when a rotation finished (the audit log, R13).
  using Observer = std::function<void(const RootRotationStatus&)>;

  RootRewrapJob(store::Store& store, TokenDirectory& tokens, KeyResolver& resolver,
                RootRewrapOptions options, Clock clock, Observer observer)
      : store_(store),
        tokens_(tokens),
        resolver_(resolver),
        options_(options),
        clock_(std::move(clock)),
        observer_(std::move(observer)),
        task_("root key re-wrap", [this] { return RunOnce().status(); }) {}
  ~RootRewrapJob() { Stop(); }

  // One pass over every unfinished rotation: re-wraps up to options.batch versions of each, and
  // finishes those with nothing left to re-wrap after the grace period. Returns how many
  // versions this pass re-wrapped. The first store or HSM error ends the pass.
  absl::StatusOr<int> RunOnce();

  void Start(absl::Duration interval) { task_.Start(interval); }
  void Stop() { task_.Stop(); }

 private:
  absl::StatusOr<int> Advance(const store::RootRotationRecord& rotation);

  store::Store& store_;
  TokenDirectory& tokens_;
  KeyResolver& resolver_;
  const RootRewrapOptions options_;
  const Clock clock_;
  const Observer observer_;
  PeriodicTask task_;
};

}  // namespace yinjian::core

#endif  // YINJIAN_SERVICE_CORE_ROOT_ROTATION_H_
