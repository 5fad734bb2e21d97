#include "service/api/key_management_impl.h"

#include "common/status_macros.h"
#include "service/api/proto_convert.h"
#include "service/api/unary.h"
#include "service/format/names.h"

namespace yinjian::api {

using policy::Action;

absl::StatusOr<std::string> KeyManagementImpl::DepartmentOf(absl::string_view key_name) {
  ASSIGN_OR_RETURN(format::KeyReference reference, format::ParseKeyReference(key_name));
  return reference.department;
}

grpc::ServerUnaryReactor* KeyManagementImpl::CreateDepartment(
    grpc::CallbackServerContext* context, const v1::CreateDepartmentRequest* request,
    v1::Department* response) {
  return RunAsCaller(context, "CreateDepartment", identity_, auditor_, request, response,
                     [&](const access::Caller& caller) {
                       RETURN_IF_ERROR(access_.Authorize(caller, Action::kCreateDepartment));
                       ASSIGN_OR_RETURN(
                           store::DepartmentRecord department,
                           manager_.CreateDepartment(request->name(), request->display_name(),
                                                     request->token_label()));
                       ToProto(department, response);
                       return absl::OkStatus();
                     });
}

grpc::ServerUnaryReactor* KeyManagementImpl::ListDepartments(
    grpc::CallbackServerContext* context, const v1::ListDepartmentsRequest* request,
    v1::ListDepartmentsResponse* response) {
  return RunAsCaller(context, "ListDepartments", identity_, auditor_, request, response,
                     [&](const access::Caller& caller) {
                       RETURN_IF_ERROR(access_.Authorize(caller, Action::kListDepartments));
                       ASSIGN_OR_RETURN(std::vector<store::DepartmentRecord> departments,
                                        manager_.ListDepartments());
                       for (const store::DepartmentRecord& d : departments)
                         ToProto(d, response->add_departments());
                       return absl::OkStatus();
                     });
}

grpc::ServerUnaryReactor* KeyManagementImpl::CreateKey(grpc::CallbackServerContext* context,
                                                       const v1::CreateKeyRequest* request,
                                                       v1::Key* response) {
  return RunAsCaller(context, "CreateKey", identity_, auditor_, request, response,
                     [&](const access::Caller& caller) {
                       ASSIGN_OR_RETURN(std::string department, DepartmentOf(request->name()));
                       RETURN_IF_ERROR(access_.Authorize(caller, Action::kCreateKey, department));
                       ASSIGN_OR_RETURN(keys::KeyKind kind, FromProto(request->kind()));
                       ASSIGN_OR_RETURN(std::optional<keys::Protection> protection,
                                        FromProto(request->protection_level()));
                       ASSIGN_OR_RETURN(policy::KeyPolicy policy, FromProto(request->policy()));
                       ASSIGN_OR_RETURN(core::KeyDescription key,
                                        manager_.CreateKey(request->name(), kind, protection,
                                                           request->description(), policy));
                       ToProto(key, response);
                       return absl::OkStatus();
                     });
}

grpc::ServerUnaryReactor* KeyManagementImpl::GetKey(grpc::CallbackServerContext* context,
                                                    const v1::GetKeyRequest* request,
                                                    v1::Key* response) {
  return RunAsCaller(context, "GetKey", identity_, auditor_, request, response,
                     [&](const access::Caller& caller) {
                       ASSIGN_OR_RETURN(std::string department, DepartmentOf(request->name()));
                       RETURN_IF_ERROR(access_.Authorize(caller, Action::kReadKey, department));
                       ASSIGN_OR_RETURN(core::KeyDescription key, manager_.GetKey(request->name()));
                       ToProto(key, response);
                       return absl::OkStatus();
                     });
}

grpc::ServerUnaryReactor* KeyManagementImpl::ListKeys(grpc::CallbackServerContext* context,
                                                      const v1::ListKeysRequest* request,
                                                      v1::ListKeysResponse* response) {
  return RunAsCaller(
      context, "ListKeys", identity_, auditor_, request, response,
      [&](const access::Caller& caller) {
        RETURN_IF_ERROR(access_.Authorize(caller, Action::kReadKey, request->department()));
        ASSIGN_OR_RETURN(std::vector<core::KeyDescription> keys,
                         manager_.ListKeys(request->department()));
        for (const core::KeyDescription& key : keys) ToProto(key, response->add_keys());
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* KeyManagementImpl::SetKeyPolicy(grpc::CallbackServerContext* context,
                                                          const v1::SetKeyPolicyRequest* request,
                                                          v1::Key* response) {
  return RunAsCaller(
      context, "SetKeyPolicy", identity_, auditor_, request, response,
      [&](const access::Caller& caller) {
        ASSIGN_OR_RETURN(format::KeyReference reference,
                         format::ParseKeyReference(request->name()));
        RETURN_IF_ERROR(access_.Authorize(caller, Action::kManageKey, reference.department));
        ASSIGN_OR_RETURN(policy::KeyPolicy policy, FromProto(request->policy()));
        ASSIGN_OR_RETURN(core::KeyDescription key, manager_.SetKeyPolicy(request->name(), policy));
        resolver_.Invalidate(reference.department, reference.key);
        ToProto(key, response);
        return absl::OkStatus();
      });
}

}  // namespace yinjian::api
