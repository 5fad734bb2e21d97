// A running Yinjian server: the HSM tokens, the store, the core services and the gRPC server
// (mutual TLS, health service, reflection), assembled from a validated ServerConfig.
#ifndef YINJIAN_SERVICE_SERVER_SERVER_H_
#define YINJIAN_SERVICE_SERVER_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "hsm/module.h"
#include "hsm/token.h"
#include "service/access/access_controller.h"
#include "service/access/authenticator.h"
#include "service/access/destruction_manager.h"
#include "service/access/grant_manager.h"
#include "service/access/principal_manager.h"
#include "service/api/access_service_impl.h"
#include "service/api/audit_service_impl.h"
#include "service/api/backup_service_impl.h"
#include "service/api/call_audit.h"
#include "service/api/call_identity.h"
#include "service/api/crypto_service_impl.h"
#include "service/api/key_management_impl.h"
#include "service/audit/audit_log.h"
#include "service/audit/log_key.h"
#include "service/core/destruction_executor.h"
#include "service/core/key_manager.h"
#include "service/core/key_resolver.h"
#include "service/core/rotation_scheduler.h"
#include "service/core/token_directory.h"
#include "service/store/store.h"
#include "yinjian/v1/config.pb.h"

namespace yinjian::server {

class Server {
 public:
  // Opens the tokens and the store and starts listening. FAILED_PRECONDITION / NOT_FOUND /
  // PERMISSION_DENIED from the HSM or store with a message naming what failed; UNAVAILABLE if the
  // address cannot be bound.
  static absl::StatusOr<std::unique_ptr<Server>> Start(const v1::ServerConfig& config);
  ~Server();

  // The opened tokens; the first is the default.
  const std::vector<std::unique_ptr<hsm::Token>>& tokens() const { return tokens_; }
  // The key rotation scheduler (its thread runs while the server does).
  core::RotationScheduler& scheduler() { return *scheduler_; }
  // Carries out witnessed destructions whose waiting period has passed (its thread runs while
  // the server does; tests may also call RunOnce).
  core::DestructionExecutor& destruction_executor() { return *executor_; }
  // Re-wraps departments' key versions after a root key rotation.
  core::RootRewrapJob& root_rewrap_job() { return *rewrap_; }
  // The audit log; null if disabled for benchmarks.
  audit::AuditLog* audit_log() { return audit_log_.get(); }
  // The bound port (useful with listen address port 0).
  int port() const { return port_; }
  // Stops accepting calls, lets in-flight calls finish until `grace` has passed, then cancels
  // the rest. Safe to call more than once.
  void Shutdown(absl::Duration grace);
  void Wait();

 private:
  Server() = default;
  absl::Status OpenTokens(const v1::HsmConfig& hsm);
  absl::Status Listen(const v1::ServerConfig& config);
  absl::Status StartAccess(const v1::ServerConfig& config);
  absl::Status StartAudit(const v1::ServerConfig& config);
  void StartScheduler(const v1::ServerConfig& config);

  std::shared_ptr<hsm::Pkcs11Module> module_;
  std::vector<std::unique_ptr<hsm::Token>> tokens_;  // [0] is the default token
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<core::TokenDirectory> directory_;
  std::unique_ptr<core::KeyManager> manager_;
  std::unique_ptr<core::KeyResolver> resolver_;
  std::unique_ptr<core::EncryptionService> encryption_;
  std::unique_ptr<core::SignatureService> signatures_;
  std::unique_ptr<core::MacService> macs_;
  std::unique_ptr<access::Authenticator> authenticator_;
  std::unique_ptr<access::AccessController> access_;
  std::unique_ptr<pki::CertificateAuthority> issuer_;  // null: the server issues no certificates
  std::unique_ptr<access::PrincipalManager> principals_;
  std::unique_ptr<access::GrantManager> grants_;
  std::unique_ptr<access::DestructionManager> destructions_;
  std::unique_ptr<api::CallIdentity> identity_;
  std::unique_ptr<audit::LogKey> log_key_;
  std::unique_ptr<audit::Sm2LogKey> sm2_log_key_;  // with audit.sm2_signature only
  std::unique_ptr<audit::AuditLog> audit_log_;     // null only with audit disabled (benchmarks)
  std::unique_ptr<api::CallAuditor> auditor_;
  std::unique_ptr<api::AuditServiceImpl> audit_service_;
  std::unique_ptr<api::BackupServiceImpl> backup_service_;
  std::unique_ptr<core::RotationScheduler> scheduler_;
  std::unique_ptr<core::DestructionExecutor> executor_;
  std::unique_ptr<core::RootRewrapJob> rewrap_;
  std::unique_ptr<api::CryptoServiceImpl> crypto_service_;
  std::unique_ptr<api::AccessServiceImpl> access_service_;
  std::unique_ptr<api::KeyManagementImpl> key_service_;
  std::unique_ptr<grpc::Server> grpc_server_;
  int port_ = 0;
};

}  // namespace yinjian::server

#endif  // YINJIAN_SERVICE_SERVER_SERVER_H_
