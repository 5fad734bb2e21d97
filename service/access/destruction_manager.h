// Supervised key destruction (R11), the people's part: a key officer requests the destruction
// of a key version (or of every version of a key) with a reason; other key officers of the
// department approve (one; two for core keys, R2; never the requester); a destruction
// supervisor, who took no other part, witnesses; the waiting period then starts, and
// core::DestructionExecutor carries the destruction out when it ends. Key officers of the
// department and destruction supervisors may cancel until the executor begins.
#ifndef YINJIAN_SERVICE_ACCESS_DESTRUCTION_MANAGER_H_
#define YINJIAN_SERVICE_ACCESS_DESTRUCTION_MANAGER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/access/access_controller.h"
#include "service/access/access_events.h"
#include "service/access/caller.h"
#include "service/store/store.h"

namespace yinjian::access {

// What ListDestructions may filter on; key is "department/key" or empty.
struct DestructionQuery {
  std::string department;
  std::string key;
  std::string state;
};

class DestructionManager {
 public:
  DestructionManager(store::Store& store, AccessController& access, AccessEventSink events,
                     absl::Duration waiting_period)
      : store_(store),
        access_(access),
        events_(std::move(events)),
        waiting_period_(waiting_period) {}

  // `name` is "department/key" (every version) or "department/key:version". INVALID_ARGUMENT
  // for a malformed name or an empty reason; NOT_FOUND for an unknown key or version;
  // FAILED_PRECONDITION for the primary version, a destroyed version, or a key with an open
  // request; PERMISSION_DENIED per policy (key officers of the key's department).
  absl::StatusOr<store::DestructionRecord> Request(const Caller& caller, absl::string_view name,
                                                   absl::string_view reason);
  // FAILED_PRECONDITION unless pending; PERMISSION_DENIED for the requester, a second approval,
  // or anyone but a key officer of the key's department.
  absl::StatusOr<store::DestructionRecord> Approve(const Caller& caller, int64_t id);
  // Starts the waiting period. FAILED_PRECONDITION unless approved (too early while approvals
  // are missing); PERMISSION_DENIED for anyone but a destruction supervisor, or one who
  // requested or approved it.
  absl::StatusOr<store::DestructionRecord> Witness(const Caller& caller, int64_t id);
  // FAILED_PRECONDITION once the executor has begun (or the request is over).
  absl::StatusOr<store::DestructionRecord> Cancel(const Caller& caller, int64_t id,
                                                  absl::string_view reason);
  // NOT_FOUND also for a request the caller may not see.
  absl::StatusOr<store::DestructionRecord> Get(const Caller& caller, int64_t id);
  // The requests the caller may see; PERMISSION_DENIED for callers with none of the roles
  // that see any.
  absl::StatusOr<std::vector<store::DestructionRecord>> List(const Caller& caller,
                                                             const DestructionQuery& query);

  absl::Duration waiting_period() const { return waiting_period_; }

 private:
  absl::StatusOr<store::DestructionRecord> Load(const Caller& caller, int64_t id);
  // Load, then the policy decision on `action` for the request's key; `countersign` also tells
  // the engine who requested and approved (approval and witness, not cancellation).
  absl::StatusOr<store::DestructionRecord> LoadFor(const Caller& caller, int64_t id,
                                                   policy::Action action, bool countersign);
  void Record(const Caller& caller, absl::string_view action, int64_t id, absl::string_view detail);

  store::Store& store_;
  AccessController& access_;
  const AccessEventSink events_;
  const absl::Duration waiting_period_;
};

// Whether `caller` may see `request`: key officers of its department, destruction supervisors
// and auditors.
bool MaySee(const Caller& caller, const store::DestructionRecord& request);

}  // namespace yinjian::access

#endif  // YINJIAN_SERVICE_ACCESS_DESTRUCTION_MANAGER_H_
