#include "service/server/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "service/audit/destruction_record.h"
#include "service/pki/pem_files.h"
#include "service/server/token_set.h"
#include "service/store/sqlite_store.h"

namespace yinjian::server {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path, absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", what, " ", path));
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(
    const v1::ServerConfig& config) {
  if (config.insecure_plaintext_for_development()) return grpc::InsecureServerCredentials();
  const v1::TlsConfig& tls = config.tls();
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  ASSIGN_OR_RETURN(options.pem_root_certs, ReadFile(tls.client_ca_file(), "client CA file"));
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  ASSIGN_OR_RETURN(pair.cert_chain, ReadFile(tls.server_certificate_file(), "certificate"));
  ASSIGN_OR_RETURN(pair.private_key, ReadFile(tls.server_key_file(), "private key"));
  options.pem_key_cert_pairs.push_back(std::move(pair));
  return grpc::SslServerCredentials(options);
}

}  // namespace

absl::Status Server::OpenTokens(const v1::HsmConfig& hsm) {
  ASSIGN_OR_RETURN(TokenSet set, server::OpenTokens(hsm));
  module_ = std::move(set.module);
  tokens_ = std::move(set.tokens);
  directory_ = std::move(set.directory);
  return absl::OkStatus();
}

absl::Status Server::Listen(const v1::ServerConfig& config) {
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials, Credentials(config));
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config.listen_address(), credentials, &port_);
  builder.SetMaxReceiveMessageSize(config.limits().max_message_bytes());
  builder.SetMaxSendMessageSize(config.limits().max_message_bytes());
  builder.RegisterService(crypto_service_.get());
  builder.RegisterService(key_service_.get());
  builder.RegisterService(access_service_.get());
  builder.RegisterService(audit_service_.get());
  builder.RegisterService(backup_service_.get());
  grpc_server_ = builder.BuildAndStart();
  if (grpc_server_ == nullptr || port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", config.listen_address()));
  }
  return absl::OkStatus();
}

absl::Status Server::StartAccess(const v1::ServerConfig& config) {
  const v1::AccessConfig& access = config.access();
  const absl::Duration ttl = access.identity_cache_ms() < 0
                                 ? absl::ZeroDuration()
                                 : absl::Milliseconds(access.identity_cache_ms());
  authenticator_ = std::make_unique<access::Authenticator>(
      *store_, access::AuthenticatorOptions{.cache_ttl = ttl});
  access_ = std::make_unique<access::AccessController>(*store_, *resolver_);
  if (!access.issuing_ca_certificate_file().empty()) {
    ASSIGN_OR_RETURN(std::string certificate,
                     ReadFile(access.issuing_ca_certificate_file(), "issuing CA certificate"));
    ASSIGN_OR_RETURN(hsm::SecureBytes key, pki::ReadSecretPemFile(access.issuing_ca_key_file()));
    ASSIGN_OR_RETURN(issuer_, pki::CertificateAuthority::Load(certificate, key));
  }
  principals_ = std::make_unique<access::PrincipalManager>(
      *store_, *access_, *authenticator_, issuer_.get(), access::LogAccessEventToStderr);
  grants_ =
      std::make_unique<access::GrantManager>(*store_, *access_, access::LogAccessEventToStderr);
  const v1::LifecycleConfig& lifecycle = config.lifecycle();
  if (lifecycle.destruction_waiting_seconds() < 86400) {
    std::fprintf(stderr,
                 "yinjian-server: WARNING: lifecycle.destruction_waiting_seconds is %lld, under "
                 "the one-day minimum (allowed for tests only)\n",
                 static_cast<long long>(lifecycle.destruction_waiting_seconds()));
  }
  destructions_ = std::make_unique<access::DestructionManager>(
      *store_, *access_, access::LogAccessEventToStderr,
      absl::Seconds(lifecycle.destruction_waiting_seconds()));
  identity_ = std::make_unique<api::CallIdentity>(*authenticator_,
                                                  config.insecure_plaintext_for_development());
  return absl::OkStatus();
}

absl::Status Server::StartAudit(const v1::ServerConfig& config) {
  const v1::AuditConfig& audit = config.audit();
  if (audit.disabled_for_benchmarks_only()) {
    std::fprintf(stderr,
                 "yinjian-server: WARNING: audit.disabled_for_benchmarks_only is set: calls are "
                 "NOT logged and no receipts are issued; never run like this in production\n");
  } else {
    ASSIGN_OR_RETURN(log_key_, audit::LogKey::OpenOrCreate(*tokens_.front()));
    if (audit.sm2_signature()) {
      ASSIGN_OR_RETURN(sm2_log_key_, audit::Sm2LogKey::OpenOrCreate(*tokens_.front()));
    }
    ASSIGN_OR_RETURN(audit_log_, audit::AuditLog::Open(*store_, *log_key_,
                                                       {.origin = audit.origin(),
                                                        .checkpoint_file = audit.checkpoint_file(),
                                                        .witness_dir = audit.witness_dir(),
                                                        .sm2_key = sm2_log_key_.get()}));
    if (const std::string warning = audit_log_->file_warning(); !warning.empty()) {
      std::fprintf(stderr, "yinjian-server: WARNING: %s\n", warning.c_str());
    }
  }
  auditor_ = std::make_unique<api::CallAuditor>(audit_log_.get());
  access_service_ =
      std::make_unique<api::AccessServiceImpl>(*identity_, *auditor_, *principals_, *grants_);
  audit_service_ = std::make_unique<api::AuditServiceImpl>(*identity_, *auditor_, *access_, *store_,
                                                           audit_log_.get());
  // Store snapshots are staged next to the store (same file system, same protection).
  const std::filesystem::path store_dir =
      std::filesystem::path(config.store().sqlite_path()).parent_path();
  backup_service_ = std::make_unique<api::BackupServiceImpl>(api::BackupBackends{
      .identity = identity_.get(),
      .auditor = auditor_.get(),
      .access = access_.get(),
      .store = store_.get(),
      .tokens = directory_.get(),
      .staging_dir = store_dir.empty() ? std::string(".") : store_dir.string()});
  return absl::OkStatus();
}

void Server::StartScheduler(const v1::ServerConfig& config) {
  audit::AuditLog* log = audit_log_.get();
  scheduler_ = std::make_unique<core::RotationScheduler>(
      *store_, *manager_, *resolver_, [] { return absl::Now(); },
      [log](const core::RotationEvent& event) {
        // Scheduled rotations are lifecycle actions like any other (R13).
        if (log == nullptr) return;
        absl::StatusOr<audit::AppendedEntry> entry =
            log->Append({.time = absl::Now(),
                         .principal = "yinjian-scheduler",
                         .operation = "ScheduledRotation",
                         .key = event.key,
                         .key_version = event.version,
                         .purpose = "rotation period elapsed",
                         .decision = "allow",
                         .reason = "ROTATION_DUE",
                         .result = absl::StatusCodeToString(event.result.code())});
        if (!entry.ok()) {
          std::fprintf(stderr, "yinjian-server: cannot log the rotation of %s: %s\n",
                       event.key.c_str(), std::string(entry.status().message()).c_str());
        }
      });
  scheduler_->Start(absl::Seconds(config.lifecycle().rotation_check_seconds()));

  executor_ = std::make_unique<core::DestructionExecutor>(
      *store_, *directory_, *resolver_, [] { return absl::Now(); },
      [log](const store::DestructionRecord& request, const store::KeyRecord& key,
            const std::vector<store::KeyVersionRecord>& versions)
          -> absl::StatusOr<core::WrittenRecord> {
        // The record is signed by being logged (R11, R13): its digest is in the entry.
        std::string record = audit::EncodeDestructionRecord(request, key, versions);
        if (log == nullptr) return core::WrittenRecord{.record = std::move(record)};
        ASSIGN_OR_RETURN(audit::AppendedEntry entry,
                         log->Append(audit::DestructionEvent(request, record, absl::Now())));
        return core::WrittenRecord{.record = std::move(record), .index = entry.index};
      });
  executor_->Start(absl::Seconds(config.lifecycle().destruction_check_seconds()));

  const v1::LifecycleConfig& lifecycle = config.lifecycle();
  rewrap_ = std::make_unique<core::RootRewrapJob>(
      *store_, *directory_, *resolver_,
      core::RootRewrapOptions{.batch = lifecycle.root_rewrap_batch(),
                              .retire_grace = absl::Seconds(lifecycle.root_retire_grace_seconds())},
      [] { return absl::Now(); },
      [log](const core::RootRotationStatus& status) {
        // The old root key's destruction is a lifecycle event like any other (R13).
        if (log == nullptr) return;
        absl::StatusOr<audit::AppendedEntry> entry = log->Append(
            {.time = absl::Now(),
             .principal = "yinjian-root-rotation",
             .department = status.rotation.department,
             .operation = "RootKeyRetired",
             .purpose = absl::StrCat("root rotation to ", status.rotation.new_root_key_id),
             .decision = "allow",
             .reason = "REWRAP_COMPLETE",
             .result = "OK"});
        if (!entry.ok()) {
          std::fprintf(stderr, "yinjian-server: cannot log the end of root rotation %s: %s\n",
                       status.rotation.new_root_key_id.c_str(),
                       std::string(entry.status().message()).c_str());
        }
      });
  rewrap_->Start(absl::Seconds(lifecycle.root_rewrap_check_seconds()));
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const v1::ServerConfig& config) {
#ifdef NDEBUG
  // Debian builds Abseil without NDEBUG, which leaves absl::Mutex's deadlock detector on: every
  // lock then updates a lock graph (and gRPC's mutexes are absl::Mutex too). Release builds of
  // the server turn it off, as an NDEBUG build of Abseil would; Debug builds (the sanitizer
  // suite) keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
  std::unique_ptr<Server> server(new Server());
  RETURN_IF_ERROR(server->OpenTokens(config.hsm()));
  ASSIGN_OR_RETURN(server->store_, store::SqliteStore::Open(config.store().sqlite_path()));
  server->manager_ = std::make_unique<core::KeyManager>(*server->store_, *server->directory_);
  server->resolver_ = std::make_unique<core::KeyResolver>(*server->store_, *server->directory_);
  server->encryption_ = std::make_unique<core::EncryptionService>(*server->resolver_);
  server->signatures_ = std::make_unique<core::SignatureService>(*server->resolver_);
  server->macs_ = std::make_unique<core::MacService>(*server->resolver_);
  RETURN_IF_ERROR(server->StartAccess(config));
  RETURN_IF_ERROR(server->StartAudit(config));
  server->StartScheduler(config);
  const v1::Limits& limits = config.limits();
  server->crypto_service_ = std::make_unique<api::CryptoServiceImpl>(
      api::CryptoBackends{server->encryption_.get(), server->signatures_.get(), server->macs_.get(),
                          server->tokens_.front().get(), server->identity_.get(),
                          server->access_.get(), server->auditor_.get()},
      api::ServiceLimits{.max_payload_bytes = size_t(limits.max_payload_bytes()),
                         .max_batch_items = size_t(limits.max_batch_items())});
  server->key_service_ = std::make_unique<api::KeyManagementImpl>(
      *server->manager_, *server->resolver_, *server->identity_, *server->access_,
      *server->auditor_, *server->destructions_, server->audit_log_.get());
  RETURN_IF_ERROR(server->Listen(config));
  return server;
}

void Server::Shutdown(absl::Duration grace) {
  if (grpc_server_ == nullptr) return;
  grpc_server_->GetHealthCheckService()->SetServingStatus(false);
  grpc_server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(grace));
}

void Server::Wait() {
  if (grpc_server_ != nullptr) grpc_server_->Wait();
}

Server::~Server() {
  if (scheduler_ != nullptr) scheduler_->Stop();
  if (executor_ != nullptr) executor_->Stop();
  if (rewrap_ != nullptr) rewrap_->Stop();
  Shutdown(absl::ZeroDuration());
  Wait();
  grpc_server_.reset();
  resolver_.reset();  // destroys cached HSM objects while the tokens are still open
}

}  // namespace yinjian::server
