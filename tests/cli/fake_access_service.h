// Test helpers for tests/cli (header-only; not a test itself): an in-process AccessService that
// does just enough for the CLI's access commands - it issues certificates for CSRs with a real
// pki::CertificateAuthority, answers WhoAmI from the `yinjian-principal` header or the client
// certificate, and records what it was sent - started on 127.0.0.1 with mutual TLS or, for the
// development mode, in plaintext.
#ifndef YINJIAN_TESTS_CLI_FAKE_ACCESS_SERVICE_H_
#define YINJIAN_TESTS_CLI_FAKE_ACCESS_SERVICE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "grpcpp/server_context.h"
#include "service/pki/certificate_authority.h"
#include "service/pki/certificate_info.h"
#include "yinjian/v1/access.grpc.pb.h"

namespace yinjian::testing {

class FakeAccessService final : public v1::AccessService::Service {
 public:
  explicit FakeAccessService(const pki::CertificateAuthority* ca) : ca_(ca) {}

  // The caller: the `yinjian-principal` header if sent, else the client certificate's CN.
  grpc::Status WhoAmI(grpc::ServerContext* context, const v1::WhoAmIRequest*,
                      v1::Principal* response) override {
    const std::string header = Header(context, "yinjian-principal");
    {
      absl::MutexLock lock(&mutex_);
      principal_headers_.push_back(header);
    }
    if (!header.empty()) {
      response->set_name(header);
      return grpc::Status::OK;
    }
    const auto names = context->auth_context()->FindPropertyValues("x509_common_name");
    if (names.empty()) return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "who are you?");
    response->set_name(std::string(names.front().data(), names.front().size()));
    return grpc::Status::OK;
  }

  grpc::Status AddPrincipal(grpc::ServerContext*, const v1::AddPrincipalRequest* request,
                            v1::AddPrincipalResponse* response) override {
    {
      absl::MutexLock lock(&mutex_);
      ++add_principal_calls_;
    }
    auto issued = Bind(request->name(), request->certificate_pem(), request->csr_pem());
    if (!issued.ok()) return ToGrpc(issued.status());
    v1::Principal* principal = response->mutable_principal();
    principal->set_name(request->name());
    principal->set_department(request->department());
    *principal->mutable_roles() = request->roles();
    principal->set_state("enabled");
    v1::Certificate* certificate = principal->add_certificates();
    certificate->set_fingerprint_sha256(issued->fingerprint_sha256);
    certificate->set_state("active");
    response->set_certificate_pem(issued->certificate_pem);
    return grpc::Status::OK;
  }

  grpc::Status AddCertificate(grpc::ServerContext*, const v1::AddCertificateRequest* request,
                              v1::AddCertificateResponse* response) override {
    auto issued = Bind(request->principal(), request->certificate_pem(), request->csr_pem());
    if (!issued.ok()) return ToGrpc(issued.status());
    response->mutable_certificate()->set_fingerprint_sha256(issued->fingerprint_sha256);
    response->mutable_certificate()->set_state("active");
    response->set_certificate_pem(issued->certificate_pem);
    return grpc::Status::OK;
  }

  // Records the request and echoes it back as grant 7, pending.
  grpc::Status RequestGrant(grpc::ServerContext*, const v1::RequestGrantRequest* request,
                            v1::Grant* response) override {
    {
      absl::MutexLock lock(&mutex_);
      last_grant_request_ = *request;
    }
    response->set_id(7);
    response->set_key(request->key());
    response->set_grantee_principal(request->grantee_principal());
    response->set_grantee_department(request->grantee_department());
    *response->mutable_operations() = request->operations();
    *response->mutable_purposes() = request->purposes();
    *response->mutable_expire_time() = request->expire_time();
    response->set_state("pending");
    response->set_effective_state("pending");
    return grpc::Status::OK;
  }

  // Every grant has expired, as the policy engine would say it.
  grpc::Status GetGrant(grpc::ServerContext*, const v1::GetGrantRequest* request,
                        v1::Grant*) override {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        "GRANT_EXPIRED: grant " + std::to_string(request->id()) +
                            " expired at 2026-01-01T00:00:00Z");
  }

  std::vector<std::string> principal_headers() const {
    absl::MutexLock lock(&mutex_);
    return principal_headers_;
  }
  int add_principal_calls() const {
    absl::MutexLock lock(&mutex_);
    return add_principal_calls_;
  }
  v1::RequestGrantRequest last_grant_request() const {
    absl::MutexLock lock(&mutex_);
    return last_grant_request_;
  }

 private:
  static std::string Header(grpc::ServerContext* context, const std::string& name) {
    const auto& metadata = context->client_metadata();
    const auto found = metadata.find(name);
    return found == metadata.end() ? std::string()
                                   : std::string(found->second.data(), found->second.size());
  }

  static grpc::Status ToGrpc(const absl::Status& status) {
    return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                        std::string(status.message()));
  }

  absl::StatusOr<pki::IssuedCertificate> Bind(const std::string& name,
                                              const std::string& certificate_pem,
                                              const std::string& csr_pem) const {
    if (certificate_pem.empty() == csr_pem.empty()) {
      return absl::InvalidArgumentError("give exactly one of certificate_pem and csr_pem");
    }
    if (!csr_pem.empty()) return ca_->IssueForCsr({.common_name = name}, csr_pem);
    auto info = pki::InspectCertificate(certificate_pem);
    if (!info.ok()) return info.status();
    return pki::IssuedCertificate{.certificate_pem = certificate_pem,
                                  .fingerprint_sha256 = info->fingerprint_sha256};
  }

  const pki::CertificateAuthority* const ca_;
  mutable absl::Mutex mutex_;
  std::vector<std::string> principal_headers_ ABSL_GUARDED_BY(mutex_);
  int add_principal_calls_ ABSL_GUARDED_BY(mutex_) = 0;
  v1::RequestGrantRequest last_grant_request_ ABSL_GUARDED_BY(mutex_);
};

// A CA, the fake service and a server for it on 127.0.0.1 (a free port).
struct FakeAccessServer {
  std::unique_ptr<pki::CertificateAuthority> ca;
  std::unique_ptr<FakeAccessService> service;
  std::unique_ptr<grpc::Server> server;
  std::string address;  // "127.0.0.1:<port>"
};

// With `tls`, the server presents a certificate for 127.0.0.1 from the CA and requires a client
// certificate from it; otherwise it speaks plaintext.
inline absl::StatusOr<FakeAccessServer> StartFakeAccessServer(bool tls) {
  FakeAccessServer running;
  auto ca = pki::CertificateAuthority::Create("fake access CA", absl::Hours(1));
  if (!ca.ok()) return ca.status();
  running.ca = *std::move(ca);
  running.service = std::make_unique<FakeAccessService>(running.ca.get());
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (tls) {
    auto server_certificate = running.ca->Issue(
        {.common_name = "fake server", .server = true, .ip_addresses = {"127.0.0.1"}});
    if (!server_certificate.ok()) return server_certificate.status();
    grpc::SslServerCredentialsOptions options(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    options.pem_root_certs = running.ca->certificate_pem();
    options.pem_key_cert_pairs.push_back(
        {std::string(server_certificate->private_key_pem.begin(),
                     server_certificate->private_key_pem.end()),
         server_certificate->certificate_pem});
    credentials = grpc::SslServerCredentials(options);
  }
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", credentials, &port);
  builder.RegisterService(running.service.get());
  running.server = builder.BuildAndStart();
  if (running.server == nullptr || port == 0) {
    return absl::InternalError("cannot start the fake AccessService");
  }
  running.address = "127.0.0.1:" + std::to_string(port);
  return running;
}

}  // namespace yinjian::testing

#endif  // YINJIAN_TESTS_CLI_FAKE_ACCESS_SERVICE_H_
