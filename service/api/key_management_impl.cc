#include "service/api/key_management_impl.h"

#include "common/status_macros.h"
#include "service/api/proto_convert.h"
#include "service/api/unary.h"

namespace yinjian::api {

grpc::ServerUnaryReactor* KeyManagementImpl::CreateDepartment(
    grpc::CallbackServerContext* context, const v1::CreateDepartmentRequest* request,
    v1::Department* response) {
  return RunUnary(context, "CreateDepartment", [&]() -> absl::Status {
    ASSIGN_OR_RETURN(store::DepartmentRecord department,
                     manager_.CreateDepartment(request->name(), request->display_name(),
                                               request->token_label()));
    ToProto(department, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* KeyManagementImpl::ListDepartments(
    grpc::CallbackServerContext* context, const v1::ListDepartmentsRequest*,
    v1::ListDepartmentsResponse* response) {
  return RunUnary(context, "ListDepartments", [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<store::DepartmentRecord> departments,
                     manager_.ListDepartments());
    for (const store::DepartmentRecord& d : departments) ToProto(d, response->add_departments());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* KeyManagementImpl::CreateKey(grpc::CallbackServerContext* context,
                                                       const v1::CreateKeyRequest* request,
                                                       v1::Key* response) {
  return RunUnary(context, "CreateKey", [&]() -> absl::Status {
    ASSIGN_OR_RETURN(keys::KeyKind kind, FromProto(request->kind()));
    ASSIGN_OR_RETURN(std::optional<keys::Protection> protection,
                     FromProto(request->protection_level()));
    ASSIGN_OR_RETURN(core::KeyDescription key,
                     manager_.CreateKey(request->name(), kind, protection,
                                        request->description()));
    ToProto(key, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* KeyManagementImpl::GetKey(grpc::CallbackServerContext* context,
                                                    const v1::GetKeyRequest* request,
                                                    v1::Key* response) {
  return RunUnary(context, "GetKey", [&]() -> absl::Status {
    ASSIGN_OR_RETURN(core::KeyDescription key, manager_.GetKey(request->name()));
    ToProto(key, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* KeyManagementImpl::ListKeys(grpc::CallbackServerContext* context,
                                                      const v1::ListKeysRequest* request,
                                                      v1::ListKeysResponse* response) {
  return RunUnary(context, "ListKeys", [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<core::KeyDescription> keys,
                     manager_.ListKeys(request->department()));
    for (const core::KeyDescription& key : keys) ToProto(key, response->add_keys());
    return absl::OkStatus();
  });
}

}  // namespace yinjian::api
