#include "service/core/rotation_scheduler.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace yinjian::core {

absl::StatusOr<int> RotationScheduler::RunOnce() {
  const absl::Time now = clock_();
  ASSIGN_OR_RETURN(std::vector<store::KeyRecord> due, store_.ListDueRotations(now, 100));
  int rotated = 0;
  for (const store::KeyRecord& key : due) {
    if (key.rotation_period <= absl::ZeroDuration()) continue;
    // The next period starts at the due time; after an outage, a full period from now.
    absl::Time next = key.next_rotation + key.rotation_period;
    if (next <= now) next = now + key.rotation_period;
    ASSIGN_OR_RETURN(bool claimed,
                     store_.ClaimRotation(key.department, key.name, key.next_rotation, next));
    if (!claimed) continue;  // another replica is rotating it
    const std::string name = absl::StrCat(key.department, "/", key.name);
    absl::StatusOr<KeyDescription> result = keys_.RotateKey(name);
    resolver_.Invalidate(key.department, key.name);
    RotationEvent event{.key = name, .due = key.next_rotation, .result = result.status()};
    if (result.ok()) {
      event.version = result->key.primary_version;
      ++rotated;
    } else {
      // Give the rotation back, so this or another replica tries again at the next pass.
      (void)store_.ClaimRotation(key.department, key.name, next, key.next_rotation);
    }
    if (observer_) observer_(event);
  }
  return rotated;
}

}  // namespace yinjian::core
