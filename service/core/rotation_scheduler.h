// Automatic key rotation (key lifecycle): every key with a rotation period gets a new primary
// version when its next rotation is due. The schedule lives in the store, so it survives
// restarts; a due rotation is claimed with a compare-and-swap on the key's next rotation time
// before anything is generated, so several replicas on one store never rotate a key twice for
// one period. A server that was down for several periods rotates once and schedules the next
// rotation a full period after now.
#ifndef YINJIAN_SERVICE_CORE_ROTATION_SCHEDULER_H_
#define YINJIAN_SERVICE_CORE_ROTATION_SCHEDULER_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/core/key_manager.h"
#include "service/core/key_resolver.h"
#include "service/core/periodic_task.h"
#include "service/store/store.h"

namespace yinjian::core {

struct RotationEvent {
  std::string key;      // "department/key"
  int32_t version = 0;  // the new primary version (0 if the rotation failed)
  absl::Time due;
  absl::Status result;
};

class RotationScheduler {
 public:
  using Clock = std::function<absl::Time()>;
  // Told about every rotation this scheduler carried out or attempted (the audit log, R13).
  using Observer = std::function<void(const RotationEvent&)>;

  RotationScheduler(store::Store& store, KeyManager& keys, KeyResolver& resolver, Clock clock,
                    Observer observer)
      : store_(store),
        keys_(keys),
        resolver_(resolver),
        clock_(std::move(clock)),
        observer_(std::move(observer)),
        task_("rotation scheduler", [this] { return RunOnce().status(); }) {}
  ~RotationScheduler() { Stop(); }

  // Rotates every key due now; returns how many this call rotated. Keys another replica claimed
  // first are skipped. The first store error ends the pass.
  absl::StatusOr<int> RunOnce();

  // Calls RunOnce every `interval` on a background thread until Stop (or destruction).
  void Start(absl::Duration interval) { task_.Start(interval); }
  void Stop() { task_.Stop(); }

 private:
  store::Store& store_;
  KeyManager& keys_;
  KeyResolver& resolver_;
  const Clock clock_;
  const Observer observer_;
  PeriodicTask task_;
};

}  // namespace yinjian::core

#endif  // YINJIAN_SERVICE_CORE_ROTATION_SCHEDULER_H_
