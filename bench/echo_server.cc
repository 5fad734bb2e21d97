#include "bench/echo_server.h"

#include <chrono>
#include <string>

#include "bench/raw_operation.h"
#include "common/status_macros.h"

namespace yinjian::bench {

grpc::ServerUnaryReactor* EchoServer::Service::Echo(grpc::CallbackServerContext* context,
                                                    const EchoRequest* request,
                                                    EchoResponse* response) {
  std::string* out = response->mutable_payload();
  *out = request->payload();
  out->resize(request->response_bytes() > 0 ? size_t(request->response_bytes()) : 0, 'e');
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

OperationFn MakeEchoCaller(const std::shared_ptr<grpc::Channel>& channel, WireSizes sizes) {
  struct Caller {
    std::unique_ptr<EchoService::Stub> stub;
    EchoRequest request;
    EchoResponse response;
  };
  auto caller = std::make_shared<Caller>();
  caller->stub = EchoService::NewStub(channel);
  const hsm::Bytes payload = BenchPayload(sizes.request_bytes > 0 ? sizes.request_bytes : 1);
  caller->request.set_payload(std::string(payload.begin(), payload.end()));
  caller->request.set_response_bytes(int(sizes.response_bytes));
  return [caller]() -> absl::Status {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    caller->response.Clear();
    RETURN_IF_ERROR(
        FromGrpcStatus(caller->stub->Echo(&context, caller->request, &caller->response), "Echo"));
    if (caller->response.payload().size() != size_t(caller->request.response_bytes())) {
      return absl::InternalError("Echo: reply of the wrong size");
    }
    return absl::OkStatus();
  };
}

absl::StatusOr<std::unique_ptr<EchoServer>> EchoServer::Start(const BenchTls& tls) {
  std::unique_ptr<EchoServer> echo(new EchoServer());
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", MakeServerCredentials(tls), &echo->port_);
  builder.RegisterService(&echo->service_);
  echo->server_ = builder.BuildAndStart();
  if (echo->server_ == nullptr || echo->port_ == 0) {
    return absl::UnavailableError("cannot start the echo server on 127.0.0.1");
  }
  return echo;
}

EchoServer::~EchoServer() {
  if (server_ == nullptr) return;
  server_->Shutdown(std::chrono::system_clock::now());
  server_->Wait();
}

}  // namespace yinjian::bench
