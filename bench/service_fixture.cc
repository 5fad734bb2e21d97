#include "bench/service_fixture.h"

#include <chrono>
#include <filesystem>
#include <set>

#include "absl/strings/str_cat.h"
#include "bench/grpc_load.h"
#include "bench/service_operations.h"
#include "common/status_macros.h"
#include "hsm/module.h"
#include "hsm/pin.h"
#include "service/server/config.h"
#include "service/server/dev_init.h"
#include "service/pki/certificate_authority.h"
#include "service/pki/dev_pki.h"
#include "service/pki/pem_files.h"
#include "yinjian/v1/access.grpc.pb.h"
#include "yinjian/v1/keys.grpc.pb.h"

namespace yinjian::bench {
namespace {

constexpr char kScratchLabel[] = "yinjian-sbench";

absl::Status Annotate(const absl::Status& status, absl::string_view doing) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(doing, ": ", status.message()));
}

// The part after "department/".
std::string KeyPart(const std::string& reference) {
  return reference.substr(reference.find('/') + 1);
}

}  // namespace

absl::StatusOr<std::unique_ptr<ServiceFixture>> ServiceFixture::Create(
    const std::string& module_path, const ConfigCustomizer& customize) {
  std::unique_ptr<ServiceFixture> fixture(new ServiceFixture());
  fixture->module_path_ = module_path;
  ASSIGN_OR_RETURN(fixture->scratch_, ScratchToken::Create(module_path, kScratchLabel));
  const ScratchToken& scratch = *fixture->scratch_;
  // Loaded first, so that init, the server and the raw login all share this instance: it
  // finalises the module when the last of them lets go, and the next fixture's load reads the
  // next token's SOFTHSM2_CONF.
  ASSIGN_OR_RETURN(fixture->module_,
                   hsm::Pkcs11Module::Load({.path = module_path, .finalize_on_close = true}));
  const std::string data_dir = (std::filesystem::path(scratch.dir()) / "service").string();

  absl::StatusOr<server::DevInitResult> init = server::InitDevelopment(
      {.data_dir = data_dir, .module_path = module_path, .token_label = scratch.label(),
       .pin_file = scratch.pin_file(), .listen_address = "127.0.0.1:0"});
  RETURN_IF_ERROR(Annotate(init.status(), "yinjian-server init"));
  absl::StatusOr<v1::ServerConfig> config = server::LoadServerConfig(init->config_path);
  RETURN_IF_ERROR(Annotate(config.status(), "loading server.conf"));
  if (customize) customize(*config);
  absl::StatusOr<std::unique_ptr<server::Server>> started = server::Server::Start(*config);
  RETURN_IF_ERROR(Annotate(started.status(), "starting the server"));
  fixture->server_ = std::move(*started);

  const std::string pki_dir = (std::filesystem::path(data_dir) / "pki").string();
  absl::StatusOr<BenchTls> tls = LoadBenchTls(pki_dir);
  RETURN_IF_ERROR(Annotate(tls.status(), "reading the development PKI"));
  // The administrator creates the department and enrols a key officer, who creates the keys,
  // and an application, whose certificate every measured call presents (R6).
  fixture->tls_ = std::move(*tls);
  RETURN_IF_ERROR(Annotate(fixture->CreateDepartment(), "creating the benchmark department"));
  ASSIGN_OR_RETURN(BenchTls officer, fixture->Enrol("bench-officer", "key-officer", pki_dir));
  ASSIGN_OR_RETURN(BenchTls application,
                   fixture->Enrol("bench-application", "application", pki_dir));
  fixture->tls_ = std::move(officer);
  RETURN_IF_ERROR(Annotate(fixture->CreateKeys(), "creating the benchmark keys"));
  fixture->tls_ = std::move(application);

  ASSIGN_OR_RETURN(hsm::SecureBytes pin, hsm::ReadPin({.file = scratch.pin_file()}));
  ASSIGN_OR_RETURN(
      fixture->raw_token_,
      hsm::Token::Open(fixture->module_, {.label = scratch.label(), .pin = std::move(pin)}));
  return fixture;
}

absl::Status ServiceFixture::CreateDepartment() {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::CreateDepartmentRequest request;
  request.set_name(kBenchDepartment);
  request.set_display_name("service benchmark");
  request.set_token_label(scratch_->label());
  v1::Department department;
  return FromGrpcStatus(v1::KeyManagementService::NewStub(NewChannel())
                            ->CreateDepartment(&context, request, &department),
                        "CreateDepartment");
}

absl::StatusOr<BenchTls> ServiceFixture::Enrol(const std::string& name, const std::string& role,
                                               const std::string& pki_dir) {
  const std::filesystem::path dir(pki_dir);
  ASSIGN_OR_RETURN(std::string ca_pem, pki::ReadPemFile((dir / pki::kCaCertificateFile).string()));
  ASSIGN_OR_RETURN(hsm::SecureBytes ca_key,
                   pki::ReadSecretPemFile((dir / pki::kCaKeyFile).string()));
  ASSIGN_OR_RETURN(std::unique_ptr<pki::CertificateAuthority> ca,
                   pki::CertificateAuthority::Load(ca_pem, ca_key));
  ASSIGN_OR_RETURN(pki::IssuedCertificate issued,
                   ca->Issue({.common_name = name, .organizational_unit = kBenchDepartment}));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::AddPrincipalRequest request;
  request.set_name(name);
  request.set_department(kBenchDepartment);
  request.add_roles(role);
  request.set_certificate_pem(issued.certificate_pem);
  v1::AddPrincipalResponse response;
  RETURN_IF_ERROR(FromGrpcStatus(
      v1::AccessService::NewStub(NewChannel())->AddPrincipal(&context, request, &response),
      "AddPrincipal " + name));
  BenchTls identity = tls_;
  identity.client_cert_pem = issued.certificate_pem;
  identity.client_key_pem.assign(issued.private_key_pem.begin(), issued.private_key_pem.end());
  return identity;
}

absl::Status ServiceFixture::CreateKeys() {
  std::unique_ptr<v1::KeyManagementService::Stub> stub =
      v1::KeyManagementService::NewStub(NewChannel());
  std::set<std::string> created;
  for (const ServiceOperationInfo& info : AllServiceOperations()) {
    if (!created.insert(info.key).second) continue;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    v1::CreateKeyRequest request;
    request.set_name(info.key);
    request.set_kind(info.kind);
    request.set_description(absl::StrCat("benchmark key ", KeyPart(info.key)));
    v1::Key key;
    RETURN_IF_ERROR(
        FromGrpcStatus(stub->CreateKey(&context, request, &key), "CreateKey " + info.key));
  }
  return absl::OkStatus();
}

ServiceFixture::~ServiceFixture() {
  raw_token_.reset();
  if (server_ != nullptr) server_->Shutdown(absl::ZeroDuration());
  server_.reset();
  module_.reset();  // C_Finalize, now that nothing else holds the module
}

}  // namespace yinjian::bench
