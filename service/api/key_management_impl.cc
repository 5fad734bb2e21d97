#include "service/api/key_management_impl.h"

#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "service/access/decision_trace.h"
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

grpc::ServerUnaryReactor* KeyManagementImpl::GetImportParameters(
    grpc::CallbackServerContext* context, const v1::GetImportParametersRequest* request,
    v1::ImportParameters* response) {
  return RunAsCaller(
      context, "GetImportParameters", identity_, auditor_, request, response,
      [&](const access::Caller& caller) -> absl::Status {
        RETURN_IF_ERROR(format::ValidateDepartmentName(request->department()));
        RETURN_IF_ERROR(access_.Authorize(caller, Action::kCreateKey, request->department()));
        ASSIGN_OR_RETURN(std::string pem, manager_.ImportPublicKeyPem(request->department()));
        response->set_department(request->department());
        response->set_public_key_pem(std::move(pem));
        response->set_oaep_hash(keys::kImportOaepHash);
        response->set_import_key_id(keys::ImportKeyId(request->department()));
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* KeyManagementImpl::ImportKey(grpc::CallbackServerContext* context,
                                                       const v1::ImportKeyRequest* request,
                                                       v1::Key* response) {
  return RunAsCaller(context, "ImportKey", identity_, auditor_, request, response,
                     [&](const access::Caller& caller) -> absl::Status {
                       ASSIGN_OR_RETURN(std::string department, DepartmentOf(request->name()));
                       access::TraceKey(request->name());
                       RETURN_IF_ERROR(access_.Authorize(caller, Action::kCreateKey, department));
                       ASSIGN_OR_RETURN(keys::KeyKind kind, FromProto(request->kind()));
                       ASSIGN_OR_RETURN(policy::KeyPolicy policy, FromProto(request->policy()));
                       ASSIGN_OR_RETURN(
                           core::KeyDescription key,
                           manager_.ImportKey(request->name(), kind, request->description(), policy,
                                              {.wrapped = request->wrapped_key_material(),
                                               .public_key_der = request->public_key_der()}));
                       ToProto(key, response);
                       return absl::OkStatus();
                     });
}

grpc::ServerUnaryReactor* KeyManagementImpl::ImportKeyVersion(
    grpc::CallbackServerContext* context, const v1::ImportKeyVersionRequest* request,
    v1::Key* response) {
  return RunLifecycle(context, "ImportKeyVersion", request, response, request->name(), [&] {
    return manager_.ImportKeyVersion(
        request->name(),
        {.wrapped = request->wrapped_key_material(), .public_key_der = request->public_key_der()});
  });
}

template <typename Fn>
grpc::ServerUnaryReactor* KeyManagementImpl::RunRootRotation(grpc::CallbackServerContext* context,
                                                             absl::string_view method,
                                                             const v1::RootRotationRequest* request,
                                                             v1::RootRotation* response, Fn&& fn) {
  return RunAsCaller(
      context, method, identity_, auditor_, request, response,
      [&](const access::Caller& caller) -> absl::Status {
        RETURN_IF_ERROR(format::ValidateDepartmentName(request->department()));
        RETURN_IF_ERROR(access_.Authorize(caller, Action::kManageKey, request->department()));
        ASSIGN_OR_RETURN(core::RootRotationStatus status, fn(caller));
        ToProto(status, response);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* KeyManagementImpl::RotateRootKey(grpc::CallbackServerContext* context,
                                                           const v1::RootRotationRequest* request,
                                                           v1::RootRotation* response) {
  return RunRootRotation(
      context, "RotateRootKey", request, response, [&](const access::Caller& caller) {
        return manager_.RotateRootKey(request->department(), caller.principal.name, absl::Now());
      });
}

grpc::ServerUnaryReactor* KeyManagementImpl::GetRootRotation(grpc::CallbackServerContext* context,
                                                             const v1::RootRotationRequest* request,
                                                             v1::RootRotation* response) {
  return RunRootRotation(context, "GetRootRotation", request, response, [&](const access::Caller&) {
    return manager_.RootRotation(request->department());
  });
}

grpc::ServerUnaryReactor* KeyManagementImpl::CreateKey(grpc::CallbackServerContext* context,
                                                       const v1::CreateKeyRequest* request,
                                                       v1::Key* response) {
  return RunAsCaller(context, "CreateKey", identity_, auditor_, request, response,
                     [&](const access::Caller& caller) {
                       ASSIGN_OR_RETURN(std::string department, DepartmentOf(request->name()));
                       access::TraceKey(request->name());
                       RETURN_IF_ERROR(access_.Authorize(caller, Action::kCreateKey, department));
                       ASSIGN_OR_RETURN(keys::KeyKind kind, FromProto(request->kind()));
                       ASSIGN_OR_RETURN(std::optional<keys::Protection> protection,
                                        FromProto(request->protection_level()));
                       ASSIGN_OR_RETURN(policy::KeyPolicy policy, FromProto(request->policy()));
                       ASSIGN_OR_RETURN(absl::Duration period,
                                        RotationPeriod(request->rotation_period()));
                       ASSIGN_OR_RETURN(core::KeyDescription key,
                                        manager_.CreateKey(request->name(), kind, protection,
                                                           request->description(), policy, period));
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
                       access::TraceKey(request->name());
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
        access::TraceKey(request->name());
        RETURN_IF_ERROR(access_.Authorize(caller, Action::kManageKey, reference.department));
        ASSIGN_OR_RETURN(policy::KeyPolicy policy, FromProto(request->policy()));
        ASSIGN_OR_RETURN(core::KeyDescription key, manager_.SetKeyPolicy(request->name(), policy));
        resolver_.Invalidate(reference.department, reference.key);
        ToProto(key, response);
        return absl::OkStatus();
      });
}

absl::StatusOr<absl::Duration> KeyManagementImpl::RotationPeriod(
    const google::protobuf::Duration& period) {
  if (period.seconds() < 0 || period.nanos() != 0) {
    return absl::InvalidArgumentError(
        "a rotation period is a whole number of seconds, not negative");
  }
  return absl::Seconds(period.seconds());
}

template <typename Fn>
grpc::ServerUnaryReactor* KeyManagementImpl::RunLifecycle(grpc::CallbackServerContext* context,
                                                          absl::string_view method,
                                                          const google::protobuf::Message* request,
                                                          v1::Key* response,
                                                          const std::string& name, Fn&& fn) {
  return RunAsCaller(
      context, method, identity_, auditor_, request, response,
      [&](const access::Caller& caller) -> absl::Status {
        ASSIGN_OR_RETURN(format::KeyReference reference, format::ParseKeyReference(name));
        access::TraceKey(name);
        RETURN_IF_ERROR(access_.Authorize(caller, Action::kManageKey, reference.department));
        ASSIGN_OR_RETURN(core::KeyDescription key, fn());
        resolver_.Invalidate(reference.department, reference.key);
        ToProto(key, response);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* KeyManagementImpl::RotateKey(grpc::CallbackServerContext* context,
                                                       const v1::RotateKeyRequest* request,
                                                       v1::Key* response) {
  return RunLifecycle(
      context, "RotateKey", request, response, request->name(),
      [&]() -> absl::StatusOr<core::KeyDescription> {
        ASSIGN_OR_RETURN(core::KeyDescription key, manager_.RotateKey(request->name()));
        // A manual rotation starts the next period now.
        if (key.key.rotation_period > absl::ZeroDuration()) {
          return manager_.SetRotationPeriod(request->name(), key.key.rotation_period, absl::Now());
        }
        return key;
      });
}

grpc::ServerUnaryReactor* KeyManagementImpl::SetPrimaryVersion(
    grpc::CallbackServerContext* context, const v1::SetPrimaryVersionRequest* request,
    v1::Key* response) {
  return RunLifecycle(context, "SetPrimaryVersion", request, response, request->name(), [&] {
    return manager_.SetPrimaryVersion(request->name(), request->version());
  });
}

grpc::ServerUnaryReactor* KeyManagementImpl::DisableVersion(grpc::CallbackServerContext* context,
                                                            const v1::KeyVersionRequest* request,
                                                            v1::Key* response) {
  return RunLifecycle(context, "DisableVersion", request, response, request->name(), [&] {
    return manager_.SetVersionEnabled(request->name(), request->version(), false);
  });
}

grpc::ServerUnaryReactor* KeyManagementImpl::EnableVersion(grpc::CallbackServerContext* context,
                                                           const v1::KeyVersionRequest* request,
                                                           v1::Key* response) {
  return RunLifecycle(context, "EnableVersion", request, response, request->name(), [&] {
    return manager_.SetVersionEnabled(request->name(), request->version(), true);
  });
}

grpc::ServerUnaryReactor* KeyManagementImpl::SetMinDecryptVersion(
    grpc::CallbackServerContext* context, const v1::SetMinDecryptVersionRequest* request,
    v1::Key* response) {
  return RunLifecycle(context, "SetMinDecryptVersion", request, response, request->name(), [&] {
    return manager_.SetMinDecryptVersion(request->name(), request->version());
  });
}

grpc::ServerUnaryReactor* KeyManagementImpl::SetRotationPeriod(
    grpc::CallbackServerContext* context, const v1::SetRotationPeriodRequest* request,
    v1::Key* response) {
  return RunLifecycle(context, "SetRotationPeriod", request, response, request->name(),
                      [&]() -> absl::StatusOr<core::KeyDescription> {
                        ASSIGN_OR_RETURN(absl::Duration period,
                                         RotationPeriod(request->rotation_period()));
                        return manager_.SetRotationPeriod(request->name(), period, absl::Now());
                      });
}

}  // namespace yinjian::api
