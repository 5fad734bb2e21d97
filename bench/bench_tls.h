// The mutual-TLS material of a benchmark run, read once from a development PKI folder
// (service/pki/dev_pki.h), and the gRPC credentials built from it. The service, the echo
// baseline and their clients all use these, so every measured call pays for the same TLS.
#ifndef YINJIAN_BENCH_BENCH_TLS_H_
#define YINJIAN_BENCH_BENCH_TLS_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace yinjian::bench {

struct BenchTls {
  std::string ca_pem;            // verifies both sides
  std::string server_cert_pem;   // valid for 127.0.0.1
  std::string server_key_pem;
  std::string client_cert_pem;   // the administrator; service_bench swaps in its application
  std::string client_key_pem;
};

// Reads ca.pem, server.pem, server.key, admin.pem and admin.key from `pki_dir`. NOT_FOUND naming
// the file that cannot be read.
absl::StatusOr<BenchTls> LoadBenchTls(const std::string& pki_dir);

// Server side: the server certificate, and client certificates required and verified against
// the CA (as service/server/server.cc does).
std::shared_ptr<grpc::ServerCredentials> MakeServerCredentials(const BenchTls& tls);

// A channel to 127.0.0.1:`port` presenting the client certificate.
std::shared_ptr<grpc::Channel> MakeBenchChannel(const BenchTls& tls, int port);

}  // namespace yinjian::bench

#endif  // YINJIAN_BENCH_BENCH_TLS_H_
