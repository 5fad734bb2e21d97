// Grants (R5, R6): requested by the grantee's side or the owner, approved by the owning
// department's key officers (two distinct ones for core keys, never the requester), revoked at
// any time. Expiry and use limits are enforced where grants are used (AccessController).
#ifndef YINJIAN_SERVICE_ACCESS_GRANT_MANAGER_H_
#define YINJIAN_SERVICE_ACCESS_GRANT_MANAGER_H_

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

struct GrantSpec {
  std::string key;  // "department/key"
  std::string grantee_principal;
  std::string grantee_department;
  std::vector<std::string> operations;
  std::vector<std::string> purposes;
  absl::Time expires;
  int64_t max_uses = 0;
  std::string justification;
};

// What ListGrants may filter on; key is "department/key" or empty.
struct GrantQuery {
  std::string key;
  std::string grantee_principal;
  std::string grantee_department;
  std::string state;
};

class GrantManager {
 public:
  GrantManager(store::Store& store, AccessController& access, AccessEventSink events)
      : store_(store), access_(access), events_(std::move(events)) {}

  // INVALID_ARGUMENT for a malformed spec (policy::ValidateGrant), NOT_FOUND for an unknown key
  // or grantee, FAILED_PRECONDITION for a key that is not shared, PERMISSION_DENIED per policy.
  absl::StatusOr<store::GrantRecord> Request(const Caller& caller, const GrantSpec& spec);
  // FAILED_PRECONDITION unless pending; PERMISSION_DENIED for self-approval or a second approval
  // by the same officer.
  absl::StatusOr<store::GrantRecord> Approve(const Caller& caller, int64_t id);
  absl::StatusOr<store::GrantRecord> Revoke(const Caller& caller, int64_t id,
                                            absl::string_view reason);
  // NOT_FOUND also for a grant the caller may not see.
  absl::StatusOr<store::GrantRecord> Get(const Caller& caller, int64_t id);
  // Only the grants the caller may see: all for security administrators and auditors; those of
  // its department's keys or naming its department for key officers; its own for applications.
  absl::StatusOr<std::vector<store::GrantRecord>> List(const Caller& caller,
                                                       const GrantQuery& query);

  absl::Time Now() const { return access_.Now(); }

 private:
  absl::StatusOr<store::GrantRecord> Load(const Caller& caller, int64_t id);
  void Record(const Caller& caller, absl::string_view action, int64_t id, absl::string_view detail);

  store::Store& store_;
  AccessController& access_;
  const AccessEventSink events_;
};

// Whether `caller` may see `grant` (see List).
bool MaySee(const Caller& caller, const store::GrantRecord& grant);

}  // namespace yinjian::access

#endif  // YINJIAN_SERVICE_ACCESS_GRANT_MANAGER_H_
