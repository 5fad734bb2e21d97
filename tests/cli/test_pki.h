// Test helpers for tests/cli (header-only; not a test itself): a throw-away CA with a server
// certificate for 127.0.0.1 and a client certificate, made with the openssl CLI, and a tiny
// mutual-TLS gRPC server that implements only CryptoService.GenerateRandom.
#ifndef YINJIAN_TESTS_CLI_TEST_PKI_H_
#define YINJIAN_TESTS_CLI_TEST_PKI_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/status_macros.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "tests/support/openssl_cli.h"
#include "tests/support/temp_dir.h"
#include "yinjian/v1/crypto.grpc.pb.h"

namespace yinjian::testing {

struct TestPki {
  std::string ca_cert;  // file paths, all PEM
  std::string ca_key;
  std::string server_cert;
  std::string server_key;
  std::string client_cert;
  std::string client_key;
};

// A P-256 certificate for `subject` signed by the CA in `pki`, with `extensions` (-addext).
inline absl::Status MakeLeaf(const TempDir& dir, const TestPki& pki, const std::string& name,
                             const std::string& subject, const std::string& extensions) {
  return RunOpensslCliOk({"req",
                          "-x509",
                          "-newkey",
                          "ec",
                          "-pkeyopt",
                          "ec_paramgen_curve:P-256",
                          "-nodes",
                          "-days",
                          "1",
                          "-subj",
                          subject,
                          "-CA",
                          pki.ca_cert,
                          "-CAkey",
                          pki.ca_key,
                          "-keyout",
                          dir.File(name + ".key"),
                          "-out",
                          dir.File(name + ".pem"),
                          "-addext",
                          "basicConstraints=critical,CA:FALSE",
                          "-addext",
                          extensions})
      .status();
}

inline absl::StatusOr<TestPki> MakeTestPki(const TempDir& dir) {
  TestPki pki{.ca_cert = dir.File("ca.pem"),
              .ca_key = dir.File("ca.key"),
              .server_cert = dir.File("server.pem"),
              .server_key = dir.File("server.key"),
              .client_cert = dir.File("client.pem"),
              .client_key = dir.File("client.key")};
  RETURN_IF_ERROR(
      RunOpensslCliOk({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                       "-nodes", "-days", "1", "-subj", "/CN=yinjianctl test CA", "-keyout",
                       pki.ca_key, "-out", pki.ca_cert})
          .status());
  RETURN_IF_ERROR(
      MakeLeaf(dir, pki, "server", "/CN=yinjian test server", "subjectAltName=IP:127.0.0.1"));
  RETURN_IF_ERROR(MakeLeaf(dir, pki, "client", "/CN=test officer", "extendedKeyUsage=clientAuth"));
  return pki;
}

// What RandomOnlyService sends as every call's audit receipt: not a real one (only how it travels
// is tested with it), but binary like one (the signature line starts with an em dash).
inline constexpr char kFakeReceipt[] =
    "c2sp.org/tlog-proof@v1\nextra e30=\nindex 7\n\nfake\n7\nAAAA\n\n\xE2\x80\x94 fake AAAA\n";
inline constexpr char kFakeReceiptIndex[] = "7";
// Requests for more bytes than this fail RESOURCE_EXHAUSTED (with a receipt all the same).
inline constexpr int kRandomOnlyMaxBytes = 4096;

// CryptoService with only GenerateRandom: length_bytes bytes of 0xAB, and in the trailing
// metadata a receipt as yinjian-server sends one: the index always, the receipt text unless the
// request asks for it deferred.
class RandomOnlyService final : public v1::CryptoService::Service {
 public:
  grpc::Status GenerateRandom(grpc::ServerContext* context,
                              const v1::GenerateRandomRequest* request,
                              v1::GenerateRandomResponse* response) override {
    context->AddTrailingMetadata("yinjian-receipt-index", kFakeReceiptIndex);
    const auto mode = context->client_metadata().find("yinjian-receipt");
    if (mode == context->client_metadata().end() || mode->second != "deferred") {
      context->AddTrailingMetadata("yinjian-receipt-bin", kFakeReceipt);
    }
    if (request->length_bytes() > kRandomOnlyMaxBytes) {
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "too many bytes");
    }
    response->set_data(std::string(static_cast<size_t>(request->length_bytes()), '\xAB'));
    return grpc::Status::OK;
  }
};

struct RunningServer {
  std::unique_ptr<RandomOnlyService> service;
  std::unique_ptr<grpc::Server> server;
  std::string address;  // "127.0.0.1:<port>"
};

// Starts the service on 127.0.0.1 (a free port) with TLS that requires and verifies a client
// certificate from the test CA.
inline absl::StatusOr<RunningServer> StartRandomOnlyServer(const TempDir& dir, const TestPki& pki) {
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  ASSIGN_OR_RETURN(const auto ca, dir.ReadFile(pki.ca_cert));
  ASSIGN_OR_RETURN(const auto key, dir.ReadFile(pki.server_key));
  ASSIGN_OR_RETURN(const auto cert, dir.ReadFile(pki.server_cert));
  options.pem_root_certs.assign(ca.begin(), ca.end());
  options.pem_key_cert_pairs.push_back(
      {std::string(key.begin(), key.end()), std::string(cert.begin(), cert.end())});

  RunningServer running{.service = std::make_unique<RandomOnlyService>()};
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::SslServerCredentials(options), &port);
  builder.RegisterService(running.service.get());
  running.server = builder.BuildAndStart();
  if (running.server == nullptr || port == 0) {
    return absl::InternalError("cannot start the test gRPC server");
  }
  running.address = "127.0.0.1:" + std::to_string(port);
  return running;
}

}  // namespace yinjian::testing

#endif  // YINJIAN_TESTS_CLI_TEST_PKI_H_
