// The shape every unary handler shares: refuse calls whose deadline has passed or that were
// cancelled before any HSM work, identify the caller, run the core function, record the call in
// the audit log, and finish with a converted status.
#ifndef YINJIAN_SERVICE_API_UNARY_H_
#define YINJIAN_SERVICE_API_UNARY_H_

#include <grpcpp/grpcpp.h>

#include <chrono>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "service/access/decision_trace.h"
#include "service/api/call_audit.h"
#include "service/api/call_identity.h"
#include "service/api/status_convert.h"

namespace yinjian::api {

// Identifies the caller (UNAUTHENTICATED otherwise), runs `fn` with it while collecting the policy decisions it makes, and records the call in the
// audit log before anything is returned (call_audit.h).
template <typename Fn>
grpc::ServerUnaryReactor* RunAsCaller(grpc::CallbackServerContext* context,
                                      absl::string_view method, const CallIdentity& identity,
                                      const CallAuditor& auditor,
                                      const google::protobuf::Message* request,
                                      google::protobuf::Message* response, Fn&& fn) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (context->IsCancelled()) {
    reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "call was cancelled"));
    return reactor;
  }
  if (context->deadline() <= std::chrono::system_clock::now()) {
    reactor->Finish(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "deadline has passed"));
    return reactor;
  }
  access::DecisionTrace trace;
  absl::StatusOr<access::Caller> caller = identity.Identify(*context);
  absl::Status status;
  {
    access::ScopedDecisionTrace scope(&trace);
    status = caller.ok() ? fn(*caller) : caller.status();
  }
  // The result leaves only once the call is in the audit log; the handler thread does not wait
  // for that (the log's committer finishes the call).
  auditor.Record(*context,
                 {.method = method,
                  .caller = &caller,
                  .trace = &trace,
                  .request = request,
                  .response = response,
                  .status = std::move(status)},
                 [reactor, method](absl::Status recorded) {
                   reactor->Finish(ToGrpcStatus(recorded, method));
                 });
  return reactor;
}

}  // namespace yinjian::api

#endif  // YINJIAN_SERVICE_API_UNARY_H_
