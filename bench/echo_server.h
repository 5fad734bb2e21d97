// The echo baseline: an in-process gRPC server (callback API, like the service) offering
// yinjian.bench.EchoService with the service's TLS credentials, so that a call to it costs what
// the gRPC + TLS part of a service call costs.
#ifndef YINJIAN_BENCH_ECHO_SERVER_H_
#define YINJIAN_BENCH_ECHO_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <memory>

#include "absl/status/statusor.h"
#include "bench/bench_tls.h"
#include "bench/echo.grpc.pb.h"
#include "bench/grpc_load.h"

namespace yinjian::bench {

class EchoServer {
 public:
  // Starts listening on 127.0.0.1 at a free port. UNAVAILABLE if it cannot bind.
  static absl::StatusOr<std::unique_ptr<EchoServer>> Start(const BenchTls& tls);
  ~EchoServer();  // shuts down at once

  int port() const { return port_; }

 private:
  class Service final : public EchoService::CallbackService {
    grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context,
                                   const EchoRequest* request, EchoResponse* response) override;
  };

  EchoServer() = default;

  Service service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

// One caller of the echo service on `channel` that sends `sizes.request_bytes` and asks for
// `sizes.response_bytes` back; its call fails if the RPC fails or the reply has another size.
OperationFn MakeEchoCaller(const std::shared_ptr<grpc::Channel>& channel, WireSizes sizes);

}  // namespace yinjian::bench

#endif  // YINJIAN_BENCH_ECHO_SERVER_H_
