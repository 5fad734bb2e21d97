// A real server for tests: a fresh SoftHSM token, `init`'s development set-up (CA, TLS, SQLite,
// the bootstrap administrator), and principals added through AccessService with their own
// client certificates, each reached over its own mutual-TLS channel.
#ifndef YINJIAN_TESTS_SERVICE_SERVER_TEST_SERVER_H_
#define YINJIAN_TESTS_SERVICE_SERVER_TEST_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "service/pki/certificate_authority.h"
#include "service/server/config.h"
#include "service/server/dev_init.h"
#include "service/server/server.h"
#include "tests/support/softhsm_token.h"
#include "tests/support/temp_dir.h"
#include "yinjian/v1/access.grpc.pb.h"
#include "yinjian/v1/keys.grpc.pb.h"

namespace yinjian::server::testing {

inline std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::unique_ptr<grpc::ClientContext> Deadline(int seconds = 30) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  return context;
}

inline absl::Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

// A client identity: a certificate and its private key (PEM).
struct Identity {
  std::string name;
  std::string certificate_pem;
  std::string key_pem;
  std::string fingerprint;
};

class TestServer {
 public:
  // `customize` may change the config before the first start (limits, cache TTLs).
  static absl::StatusOr<std::unique_ptr<TestServer>> Start(
      const std::string& label, std::function<void(v1::ServerConfig&)> customize = nullptr) {
    std::unique_ptr<TestServer> server(new TestServer());
    ASSIGN_OR_RETURN(server->softhsm_, yinjian::testing::SoftHsmToken::Create(label));
    ASSIGN_OR_RETURN(yinjian::testing::TempDir dir, yinjian::testing::TempDir::Create());
    server->dir_ = std::make_unique<yinjian::testing::TempDir>(std::move(dir));
    ASSIGN_OR_RETURN(DevInitResult init,
                     InitDevelopment({.data_dir = server->dir_->File("data"),
                                      .module_path = server->softhsm_->module_path,
                                      .token_label = server->softhsm_->label,
                                      .pin_file = server->softhsm_->pin_file,
                                      .listen_address = "127.0.0.1:0"}));
    ASSIGN_OR_RETURN(server->config_, LoadServerConfig(init.config_path));
    if (customize) customize(server->config_);
    const std::string pki = server->PkiDir();
    server->admin_ = {.name = kAdminPrincipal,
                      .certificate_pem = Slurp(pki + "admin.pem"),
                      .key_pem = Slurp(pki + "admin.key"),
                      .fingerprint = init.admin_fingerprint_sha256};
    ASSIGN_OR_RETURN(server->ca_, pki::CertificateAuthority::Load(
                                      Slurp(pki + "ca.pem"), hsm::ToBytes(Slurp(pki + "ca.key"))));
    RETURN_IF_ERROR(server->Restart());
    return server;
  }

  ~TestServer() { server_.reset(); }

  // Stops the running server (if any) and starts a new one on the same token and store.
  absl::Status Restart() {
    server_.reset();
    ASSIGN_OR_RETURN(server_, Server::Start(config_));
    return absl::OkStatus();
  }
  void Stop() { server_.reset(); }

  Server& server() { return *server_; }
  const v1::ServerConfig& config() const { return config_; }
  std::string PkiDir() const { return dir_->File("data") + "/pki/"; }
  std::string DataDir() const { return dir_->File("data"); }
  const Identity& admin() const { return admin_; }
  const pki::CertificateAuthority& ca() const { return *ca_; }

  // A channel that presents `identity`'s certificate (none if it is null).
  std::shared_ptr<grpc::Channel> Channel(const Identity* identity) const {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = Slurp(PkiDir() + "ca.pem");
    if (identity != nullptr) {
      options.pem_cert_chain = identity->certificate_pem;
      options.pem_private_key = identity->key_pem;
    }
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(64 << 20);
    args.SetMaxSendMessageSize(64 << 20);
    // A fresh connection per channel, so each identity gets its own TLS session.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    // An IP literal: no DNS resolution (gRPC 1.51's c-ares resolver leaks under LeakSanitizer).
    return grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(server_->port()),
                                     grpc::SslCredentials(options), args);
  }
  std::shared_ptr<grpc::Channel> Channel(const Identity& identity) const {
    return Channel(&identity);
  }

  // A certificate from the development CA for `name`, not bound to anyone yet.
  absl::StatusOr<Identity> IssueCertificate(const std::string& name,
                                            const std::string& department) const {
    ASSIGN_OR_RETURN(pki::IssuedCertificate issued,
                     ca_->Issue({.common_name = name, .organizational_unit = department}));
    return Identity{
        .name = name,
        .certificate_pem = issued.certificate_pem,
        .key_pem = std::string(issued.private_key_pem.begin(), issued.private_key_pem.end()),
        .fingerprint = issued.fingerprint_sha256};
  }

  // Registers a principal (as the administrator) with a fresh certificate of its own.
  absl::StatusOr<Identity> AddPrincipal(const std::string& name, const std::string& department,
                                        const std::vector<std::string>& roles) {
    ASSIGN_OR_RETURN(Identity identity, IssueCertificate(name, department));
    v1::AddPrincipalRequest request;
    request.set_name(name);
    request.set_department(department);
    for (const std::string& role : roles) request.add_roles(role);
    request.set_certificate_pem(identity.certificate_pem);
    v1::AddPrincipalResponse response;
    RETURN_IF_ERROR(FromGrpc(v1::AccessService::NewStub(Channel(admin_))
                                 ->AddPrincipal(Deadline().get(), request, &response)));
    return identity;
  }

  // Creates a department as the administrator; an existing one is fine.
  absl::Status CreateDepartment(const std::string& name) {
    v1::CreateDepartmentRequest request;
    request.set_name(name);
    v1::Department department;
    absl::Status status = FromGrpc(v1::KeyManagementService::NewStub(Channel(admin_))
                                       ->CreateDepartment(Deadline().get(), request, &department));
    if (absl::IsAlreadyExists(status)) return absl::OkStatus();
    return status;
  }

 private:
  TestServer() = default;

  std::unique_ptr<yinjian::testing::SoftHsmToken> softhsm_;
  std::unique_ptr<yinjian::testing::TempDir> dir_;
  v1::ServerConfig config_;
  Identity admin_;
  std::unique_ptr<pki::CertificateAuthority> ca_;
  std::unique_ptr<Server> server_;
};

}  // namespace yinjian::server::testing

#endif  // YINJIAN_TESTS_SERVICE_SERVER_TEST_SERVER_H_
