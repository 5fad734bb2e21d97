// A complete Yinjian service for benchmarking, in this process: a throw-away SoftHSM token, a
// development set-up made by `init` (PKI, SQLite store, config), the server listening on
// 127.0.0.1 at a free port with mutual TLS, and the department and keys the measured operations
// use (bench/service_operations.h). A second, independent login to the same token serves the
// raw-rate baseline.
#ifndef YINJIAN_BENCH_SERVICE_FIXTURE_H_
#define YINJIAN_BENCH_SERVICE_FIXTURE_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "bench/bench_tls.h"
#include "bench/scratch_token.h"
#include "hsm/token.h"
#include "service/server/server.h"

namespace yinjian::bench {

class ServiceFixture {
 public:
  // Creates the token with softhsm-setup/create-token.sh (pointing SOFTHSM2_CONF at it: call
  // before any SoftHSM module is loaded), runs InitDevelopment in the token's folder, starts the
  // server and creates the keys through KeyManagementService. Fails with the first step's error,
  // prefixed with what was being done.
  static absl::StatusOr<std::unique_ptr<ServiceFixture>> Create(const std::string& module_path);

  ServiceFixture(const ServiceFixture&) = delete;
  ServiceFixture& operator=(const ServiceFixture&) = delete;
  ~ServiceFixture();  // stops the server, then removes the token and its folder

  const BenchTls& tls() const { return tls_; }
  int port() const { return server_->port(); }
  // A channel to the service, shared by all callers of a measurement.
  std::shared_ptr<grpc::Channel> NewChannel() const { return MakeBenchChannel(tls_, port()); }
  // The benchmark's own login to the service's token, for raw rates.
  hsm::Token& raw_token() { return *raw_token_; }
  const ScratchToken& scratch() const { return *scratch_; }
  const std::string& module_path() const { return module_path_; }

 private:
  ServiceFixture() = default;
  absl::Status CreateDepartment();
  absl::Status CreateKeys();
  // Registers principal `name` of the benchmark department with `role` and a certificate from
  // the development CA; returns it with its key as a BenchTls client identity.
  absl::StatusOr<BenchTls> Enrol(const std::string& name, const std::string& role,
                                 const std::string& pki_dir);

  // Declaration order is destruction order in reverse: the scratch token goes last.
  std::unique_ptr<ScratchToken> scratch_;
  std::string module_path_;
  BenchTls tls_;
  std::unique_ptr<server::Server> server_;
  std::unique_ptr<hsm::Token> raw_token_;
};

}  // namespace yinjian::bench

#endif  // YINJIAN_BENCH_SERVICE_FIXTURE_H_
