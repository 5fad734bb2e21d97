// yinjian.v1.KeyManagementService on gRPC's callback API: translators into core::KeyManager.
#ifndef YINJIAN_SERVICE_API_KEY_MANAGEMENT_IMPL_H_
#define YINJIAN_SERVICE_API_KEY_MANAGEMENT_IMPL_H_

#include "service/core/key_manager.h"
#include "yinjian/v1/keys.grpc.pb.h"

namespace yinjian::api {

class KeyManagementImpl final : public v1::KeyManagementService::CallbackService {
 public:
  explicit KeyManagementImpl(core::KeyManager& manager) : manager_(manager) {}

  grpc::ServerUnaryReactor* CreateDepartment(grpc::CallbackServerContext*,
                                             const v1::CreateDepartmentRequest*,
                                             v1::Department*) override;
  grpc::ServerUnaryReactor* ListDepartments(grpc::CallbackServerContext*,
                                            const v1::ListDepartmentsRequest*,
                                            v1::ListDepartmentsResponse*) override;
  grpc::ServerUnaryReactor* CreateKey(grpc::CallbackServerContext*, const v1::CreateKeyRequest*,
                                      v1::Key*) override;
  grpc::ServerUnaryReactor* GetKey(grpc::CallbackServerContext*, const v1::GetKeyRequest*,
                                   v1::Key*) override;
  grpc::ServerUnaryReactor* ListKeys(grpc::CallbackServerContext*, const v1::ListKeysRequest*,
                                     v1::ListKeysResponse*) override;

 private:
  core::KeyManager& manager_;
};

}  // namespace yinjian::api

#endif  // YINJIAN_SERVICE_API_KEY_MANAGEMENT_IMPL_H_
