// Where the service asks the policy engine (policy/decision.h), once per request and before any
// HSM work: it gathers what the engine weighs (the caller, the key's policy, the caller's grants
// on that key, the time), asks, counts a use of a limited grant, and turns a denial into
// PERMISSION_DENIED "<REASON_CODE>: <message>" (with the reason code also as a status payload).
#ifndef YINJIAN_SERVICE_ACCESS_ACCESS_CONTROLLER_H_
#define YINJIAN_SERVICE_ACCESS_ACCESS_CONTROLLER_H_

#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "policy/decision.h"
#include "service/access/caller.h"
#include "service/core/key_resolver.h"
#include "service/store/store.h"

namespace yinjian::access {

// The status payload URL under which a denial carries its reason code.
inline constexpr char kReasonPayloadUrl[] = "type.yinjian.dev/policy.reason";

// The reason code of a denial made by AccessController, if `status` is one.
std::optional<std::string> DenialReason(const absl::Status& status);

class AccessController {
 public:
  using Clock = std::function<absl::Time()>;

  AccessController(store::Store& store, core::KeyResolver& keys, Clock clock = absl::Now)
      : store_(store), keys_(keys), clock_(std::move(clock)) {}

  // A key use (`action` one of kEncrypt .. kGetPublicKey) of `key_reference` ("department/key",
  // optionally ":version"). INVALID_ARGUMENT for a malformed reference, NOT_FOUND for an unknown
  // key, PERMISSION_DENIED when the engine denies (or a limited grant was used up meanwhile),
  // UNAVAILABLE if the store cannot be read.
  absl::Status AuthorizeKeyUse(const Caller& caller, policy::Action action,
                               absl::string_view key_reference, absl::string_view purpose);
  absl::Status AuthorizeKeyUse(const Caller& caller, policy::Action action,
                               absl::string_view department, absl::string_view key,
                               absl::string_view purpose);

  // An action without a key (kDigest, kCreateDepartment, kReadPrincipals, ...), or kCreateKey /
  // kReadKey for `target_department`.
  absl::Status Authorize(const Caller& caller, policy::Action action,
                         absl::string_view target_department = "");

  // Any request the caller assembled itself (grant and approval flows). `request.now` is set
  // here.
  absl::Status Check(policy::Request request);

  // The key's policy, for the flows that assemble their own requests.
  absl::StatusOr<policy::KeyPolicy> KeyPolicyOf(absl::string_view department,
                                                absl::string_view key);

  absl::Time Now() const { return clock_(); }

 private:
  absl::Status UseGrant(const policy::Decision& decision);

  store::Store& store_;
  core::KeyResolver& keys_;
  const Clock clock_;
};

// PERMISSION_DENIED for a denial ("<REASON_CODE>: <message>", reason as payload); OK if allowed.
absl::Status DecisionStatus(const policy::Decision& decision);

}  // namespace yinjian::access

#endif  // YINJIAN_SERVICE_ACCESS_ACCESS_CONTROLLER_H_
