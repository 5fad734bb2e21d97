// Every call becomes one audit entry before its result leaves the service (R9, R10): the caller,
// the key, the purpose, the policy's decision, the result code and salted digests of the request
// and response. The receipt goes back in the call's trailing metadata (proto/yinjian/v1/
// audit.proto). If the entry cannot be recorded the call fails UNAVAILABLE and its response is
// cleared (fail closed).
#ifndef YINJIAN_SERVICE_API_CALL_AUDIT_H_
#define YINJIAN_SERVICE_API_CALL_AUDIT_H_

#include <google/protobuf/message.h>
#include <grpcpp/grpcpp.h>

#include <functional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "service/access/caller.h"
#include "service/access/decision_trace.h"
#include "service/audit/audit_log.h"

namespace yinjian::api {

inline constexpr char kReceiptHeader[] = "yinjian-receipt-bin";
inline constexpr char kReceiptIndexHeader[] = "yinjian-receipt-index";
inline constexpr char kReceiptSaltHeader[] = "yinjian-receipt-salt-bin";
inline constexpr char kReceiptModeHeader[] = "yinjian-receipt";  // request: "deferred"

// What one call did, as the handler saw it.
struct CallOutcome {
  absl::string_view method;
  const absl::StatusOr<access::Caller>* caller;
  const access::DecisionTrace* trace;
  const google::protobuf::Message* request;  // may be null (streams)
  google::protobuf::Message* response;       // may be null
  absl::Status status;                       // what the handler returned
};

class CallAuditor {
 public:
  // `log` null: record nothing (audit.disabled_for_benchmarks_only).
  explicit CallAuditor(audit::AuditLog* log) : log_(log) {}

  // Records the call, attaches its receipt to the context's trailing metadata and then calls
  // `finish` with outcome.status if recorded, or UNAVAILABLE if not (having cleared the
  // response). `finish` runs on the audit log's committer thread (or at once without a log);
  // the context and response must stay alive until it has run, as they do until a reactor
  // finishes.
  using Finish = std::function<void(absl::Status)>;
  void Record(grpc::ServerContextBase& context, const CallOutcome& outcome, Finish finish) const;

 private:
  audit::AuditLog* const log_;
};

// The message serialised deterministically (map entries in key order): what digests cover.
std::string DeterministicBytes(const google::protobuf::Message& message);

}  // namespace yinjian::api

#endif  // YINJIAN_SERVICE_API_CALL_AUDIT_H_
