// yinjian.v1.KeyManagementService on gRPC's callback API: translators into core::KeyManager.
#ifndef YINJIAN_SERVICE_API_KEY_MANAGEMENT_IMPL_H_
#define YINJIAN_SERVICE_API_KEY_MANAGEMENT_IMPL_H_

#include "service/access/access_controller.h"
#include "service/access/destruction_manager.h"
#include "service/api/call_audit.h"
#include "service/api/call_identity.h"
#include "service/audit/audit_log.h"
#include "service/core/key_manager.h"
#include "service/core/key_resolver.h"
#include "yinjian/v1/keys.grpc.pb.h"

namespace yinjian::api {

class KeyManagementImpl final : public v1::KeyManagementService::CallbackService {
 public:
  KeyManagementImpl(core::KeyManager& manager, core::KeyResolver& resolver,
                    const CallIdentity& identity, access::AccessController& access,
                    const CallAuditor& auditor, access::DestructionManager& destructions,
                    audit::AuditLog* log)
      : manager_(manager),
        resolver_(resolver),
        identity_(identity),
        access_(access),
        auditor_(auditor),
        destructions_(destructions),
        log_(log) {}

  grpc::ServerUnaryReactor* CreateDepartment(grpc::CallbackServerContext*,
                                             const v1::CreateDepartmentRequest*,
                                             v1::Department*) override;
  grpc::ServerUnaryReactor* ListDepartments(grpc::CallbackServerContext*,
                                            const v1::ListDepartmentsRequest*,
                                            v1::ListDepartmentsResponse*) override;
  grpc::ServerUnaryReactor* GetImportParameters(grpc::CallbackServerContext*,
                                                const v1::GetImportParametersRequest*,
                                                v1::ImportParameters*) override;
  grpc::ServerUnaryReactor* ImportKey(grpc::CallbackServerContext*, const v1::ImportKeyRequest*,
                                      v1::Key*) override;
  grpc::ServerUnaryReactor* ImportKeyVersion(grpc::CallbackServerContext*,
                                             const v1::ImportKeyVersionRequest*,
                                             v1::Key*) override;
  grpc::ServerUnaryReactor* RotateRootKey(grpc::CallbackServerContext*,
                                          const v1::RootRotationRequest*,
                                          v1::RootRotation*) override;
  grpc::ServerUnaryReactor* GetRootRotation(grpc::CallbackServerContext*,
                                            const v1::RootRotationRequest*,
                                            v1::RootRotation*) override;
  grpc::ServerUnaryReactor* CreateKey(grpc::CallbackServerContext*, const v1::CreateKeyRequest*,
                                      v1::Key*) override;
  grpc::ServerUnaryReactor* GetKey(grpc::CallbackServerContext*, const v1::GetKeyRequest*,
                                   v1::Key*) override;
  grpc::ServerUnaryReactor* ListKeys(grpc::CallbackServerContext*, const v1::ListKeysRequest*,
                                     v1::ListKeysResponse*) override;
  grpc::ServerUnaryReactor* SetKeyPolicy(grpc::CallbackServerContext*,
                                         const v1::SetKeyPolicyRequest*, v1::Key*) override;
  grpc::ServerUnaryReactor* RotateKey(grpc::CallbackServerContext*, const v1::RotateKeyRequest*,
                                      v1::Key*) override;
  grpc::ServerUnaryReactor* SetPrimaryVersion(grpc::CallbackServerContext*,
                                              const v1::SetPrimaryVersionRequest*,
                                              v1::Key*) override;
  grpc::ServerUnaryReactor* DisableVersion(grpc::CallbackServerContext*,
                                           const v1::KeyVersionRequest*, v1::Key*) override;
  grpc::ServerUnaryReactor* EnableVersion(grpc::CallbackServerContext*,
                                          const v1::KeyVersionRequest*, v1::Key*) override;
  grpc::ServerUnaryReactor* SetMinDecryptVersion(grpc::CallbackServerContext*,
                                                 const v1::SetMinDecryptVersionRequest*,
                                                 v1::Key*) override;
  grpc::ServerUnaryReactor* SetRotationPeriod(grpc::CallbackServerContext*,
                                              const v1::SetRotationPeriodRequest*,
                                              v1::Key*) override;

  // Supervised destruction (destruction_rpcs.cc).
  grpc::ServerUnaryReactor* RequestDestruction(grpc::CallbackServerContext*,
                                               const v1::RequestDestructionRequest*,
                                               v1::Destruction*) override;
  grpc::ServerUnaryReactor* ApproveDestruction(grpc::CallbackServerContext*,
                                               const v1::DestructionIdRequest*,
                                               v1::Destruction*) override;
  grpc::ServerUnaryReactor* WitnessDestruction(grpc::CallbackServerContext*,
                                               const v1::DestructionIdRequest*,
                                               v1::Destruction*) override;
  grpc::ServerUnaryReactor* CancelDestruction(grpc::CallbackServerContext*,
                                              const v1::CancelDestructionRequest*,
                                              v1::Destruction*) override;
  grpc::ServerUnaryReactor* GetDestruction(grpc::CallbackServerContext*,
                                           const v1::DestructionIdRequest*,
                                           v1::Destruction*) override;
  grpc::ServerUnaryReactor* ListDestructions(grpc::CallbackServerContext*,
                                             const v1::ListDestructionsRequest*,
                                             v1::ListDestructionsResponse*) override;

 private:
  // Authorizes kManageKey on the request's department and answers with `fn`'s status.
  template <typename Fn>
  grpc::ServerUnaryReactor* RunRootRotation(grpc::CallbackServerContext* context,
                                            absl::string_view method,
                                            const v1::RootRotationRequest* request,
                                            v1::RootRotation* response, Fn&& fn);
  // Runs one destruction step `fn` (returning the request as it now is) and answers with it.
  template <typename Fn>
  grpc::ServerUnaryReactor* RunDestruction(grpc::CallbackServerContext* context,
                                           absl::string_view method,
                                           const google::protobuf::Message* request,
                                           v1::Destruction* response, Fn&& fn);
  // The request as the API shows it, with a receipt for its record once there is one.
  void Describe(const store::DestructionRecord& request, v1::Destruction* out) const;

  // Authorizes kManageKey on `name`'s department, runs `fn`, forgets the key's cached records.
  template <typename Fn>
  grpc::ServerUnaryReactor* RunLifecycle(grpc::CallbackServerContext* context,
                                         absl::string_view method,
                                         const google::protobuf::Message* request,
                                         v1::Key* response, const std::string& name, Fn&& fn);
  // A request's rotation period: whole seconds, not negative (INVALID_ARGUMENT otherwise).
  static absl::StatusOr<absl::Duration> RotationPeriod(const google::protobuf::Duration& period);
  // The department a "department/key" name belongs to (INVALID_ARGUMENT if malformed).
  static absl::StatusOr<std::string> DepartmentOf(absl::string_view key_name);

  core::KeyManager& manager_;
  core::KeyResolver& resolver_;
  const CallIdentity& identity_;
  access::AccessController& access_;
  const CallAuditor& auditor_;
  access::DestructionManager& destructions_;
  audit::AuditLog* log_;  // null with audit disabled (benchmarks only)
};

}  // namespace yinjian::api

#endif  // YINJIAN_SERVICE_API_KEY_MANAGEMENT_IMPL_H_
