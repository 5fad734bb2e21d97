// KeyManagementService's supervised destruction RPCs (R11): translators into
// access::DestructionManager.
#include "common/status_macros.h"
#include "service/access/decision_trace.h"
#include "service/api/key_management_impl.h"
#include "service/api/proto_convert.h"
#include "service/api/unary.h"

namespace yinjian::api {

void KeyManagementImpl::Describe(const store::DestructionRecord& request,
                                 v1::Destruction* out) const {
  ToProto(request, out);
  if (log_ == nullptr || request.record_index < 0) return;
  // The receipt proves the record is in the log; without it the record still stands.
  absl::StatusOr<std::string> receipt = log_->Receipt(request.record_index);
  if (receipt.ok()) out->set_record_receipt(*std::move(receipt));
}

template <typename Fn>
grpc::ServerUnaryReactor* KeyManagementImpl::RunDestruction(
    grpc::CallbackServerContext* context, absl::string_view method,
    const google::protobuf::Message* request, v1::Destruction* response, Fn&& fn) {
  return RunAsCaller(context, method, identity_, auditor_, request, response,
                     [&](const access::Caller& caller) -> absl::Status {
                       ASSIGN_OR_RETURN(store::DestructionRecord destruction, fn(caller));
                       access::TraceKey(absl::StrCat(destruction.department, "/", destruction.key));
                       Describe(destruction, response);
                       return absl::OkStatus();
                     });
}

grpc::ServerUnaryReactor* KeyManagementImpl::RequestDestruction(
    grpc::CallbackServerContext* context, const v1::RequestDestructionRequest* request,
    v1::Destruction* response) {
  return RunDestruction(context, "RequestDestruction", request, response,
                        [&](const access::Caller& caller) {
                          access::TraceKey(request->name());
                          return destructions_.Request(caller, request->name(), request->reason());
                        });
}

grpc::ServerUnaryReactor* KeyManagementImpl::ApproveDestruction(
    grpc::CallbackServerContext* context, const v1::DestructionIdRequest* request,
    v1::Destruction* response) {
  return RunDestruction(
      context, "ApproveDestruction", request, response,
      [&](const access::Caller& caller) { return destructions_.Approve(caller, request->id()); });
}

grpc::ServerUnaryReactor* KeyManagementImpl::WitnessDestruction(
    grpc::CallbackServerContext* context, const v1::DestructionIdRequest* request,
    v1::Destruction* response) {
  return RunDestruction(
      context, "WitnessDestruction", request, response,
      [&](const access::Caller& caller) { return destructions_.Witness(caller, request->id()); });
}

grpc::ServerUnaryReactor* KeyManagementImpl::CancelDestruction(
    grpc::CallbackServerContext* context, const v1::CancelDestructionRequest* request,
    v1::Destruction* response) {
  return RunDestruction(context, "CancelDestruction", request, response,
                        [&](const access::Caller& caller) {
                          return destructions_.Cancel(caller, request->id(), request->reason());
                        });
}

grpc::ServerUnaryReactor* KeyManagementImpl::GetDestruction(grpc::CallbackServerContext* context,
                                                            const v1::DestructionIdRequest* request,
                                                            v1::Destruction* response) {
  return RunDestruction(
      context, "GetDestruction", request, response,
      [&](const access::Caller& caller) { return destructions_.Get(caller, request->id()); });
}

grpc::ServerUnaryReactor* KeyManagementImpl::ListDestructions(
    grpc::CallbackServerContext* context, const v1::ListDestructionsRequest* request,
    v1::ListDestructionsResponse* response) {
  return RunAsCaller(context, "ListDestructions", identity_, auditor_, request, response,
                     [&](const access::Caller& caller) -> absl::Status {
                       ASSIGN_OR_RETURN(
                           std::vector<store::DestructionRecord> requests,
                           destructions_.List(caller, {.department = request->department(),
                                                       .key = request->key(),
                                                       .state = request->state()}));
                       for (const store::DestructionRecord& destruction : requests) {
                         Describe(destruction, response->add_destructions());
                       }
                       return absl::OkStatus();
                     });
}

}  // namespace yinjian::api
