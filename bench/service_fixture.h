// A complete Yinjian service for benchmarking, in this process: a throw-away SoftHSM token, a
// development set-up made by `init` (PKI, SQLite store, config), the server listening on
// 127.0.0.1 at a free port with mutual TLS, and the department and keys the measured operations
// use (bench/service_operations.h). A second, independent login to the same token serves the
// raw-rate baseline. Fixtures may follow one another in a process (not overlap): each loads the
// PKCS#11 module afresh, so SoftHSM reads the new token's configuration.
#ifndef YINJIAN_BENCH_SERVICE_FIXTURE_H_
#define YINJIAN_BENCH_SERVICE_FIXTURE_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "bench/bench_tls.h"
#include "bench/scratch_token.h"
#include "hsm/module.h"
#include "hsm/token.h"
#include "service/server/server.h"
#include "yinjian/v1/config.pb.h"

namespace yinjian::bench {

// Changes the server configuration `init` wrote before the server starts with it, e.g. to set
// audit.disabled_for_benchmarks_only.
using ConfigCustomizer = std::function<void(v1::ServerConfig&)>;

class ServiceFixture {
 public:
  // Creates the token with softhsm-setup/create-token.sh (pointing SOFTHSM2_CONF at it: call
  // while no other fixture or user of a SoftHSM module is alive), runs InitDevelopment in the
  // token's folder, applies `customize` (if set) to the configuration it wrote, starts the server
  // and creates the keys through KeyManagementService. Fails with the first step's error,
  // prefixed with what was being done.
  static absl::StatusOr<std::unique_ptr<ServiceFixture>> Create(
      const std::string& module_path, const ConfigCustomizer& customize = nullptr);

  ServiceFixture(const ServiceFixture&) = delete;
  ServiceFixture& operator=(const ServiceFixture&) = delete;
  ~ServiceFixture();  // stops the server, finalises the module, removes the token and folder

  const BenchTls& tls() const { return tls_; }
  int port() const { return server_->port(); }
  // The running server, e.g. for its audit log's statistics.
  server::Server& server() { return *server_; }
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

  // Declaration order is destruction order in reverse: the scratch token goes last, just after
  // the module is finalised (once the server and the raw login let go of it too).
  std::unique_ptr<ScratchToken> scratch_;
  std::shared_ptr<hsm::Pkcs11Module> module_;
  std::string module_path_;
  BenchTls tls_;
  std::unique_ptr<server::Server> server_;
  std::unique_ptr<hsm::Token> raw_token_;
};

}  // namespace yinjian::bench

#endif  // YINJIAN_BENCH_SERVICE_FIXTURE_H_
