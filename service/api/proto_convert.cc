#include "service/api/proto_convert.h"

#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/status_macros.h"

namespace yinjian::api {

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(time));
}

void SetTime(absl::Time time, google::protobuf::Timestamp* out) {
  if (time == absl::InfinitePast() || time == absl::InfiniteFuture()) return;
  *out = ToTimestamp(time);
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& timestamp) {
  return absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
}

namespace {

struct KindPair {
  keys::KeyKind kind;
  v1::KeyKind proto;
};

constexpr KindPair kKinds[] = {
    {keys::KeyKind::kAes256Gcm, v1::KEY_KIND_AES256_GCM},
    {keys::KeyKind::kSm4, v1::KEY_KIND_SM4},
    {keys::KeyKind::kHmacSha256, v1::KEY_KIND_HMAC_SHA256},
    {keys::KeyKind::kHmacSha384, v1::KEY_KIND_HMAC_SHA384},
    {keys::KeyKind::kHmacSm3, v1::KEY_KIND_HMAC_SM3},
    {keys::KeyKind::kEcdsaP256, v1::KEY_KIND_ECDSA_P256},
    {keys::KeyKind::kEcdsaP384, v1::KEY_KIND_ECDSA_P384},
    {keys::KeyKind::kRsaPss2048, v1::KEY_KIND_RSA_PSS_2048},
    {keys::KeyKind::kRsaPss3072, v1::KEY_KIND_RSA_PSS_3072},
    {keys::KeyKind::kRsaPss4096, v1::KEY_KIND_RSA_PSS_4096},
    {keys::KeyKind::kRsaPkcs1_2048, v1::KEY_KIND_RSA_PKCS1_2048},
    {keys::KeyKind::kRsaPkcs1_3072, v1::KEY_KIND_RSA_PKCS1_3072},
    {keys::KeyKind::kRsaPkcs1_4096, v1::KEY_KIND_RSA_PKCS1_4096},
    {keys::KeyKind::kEd25519, v1::KEY_KIND_ED25519},
    {keys::KeyKind::kSm2, v1::KEY_KIND_SM2},
};

v1::KeyVersion::State StateToProto(const std::string& state) {
  if (state == store::kVersionEnabled) return v1::KeyVersion::STATE_ENABLED;
  if (state == store::kVersionDisabled) return v1::KeyVersion::STATE_DISABLED;
  if (state == store::kVersionDestroyed) return v1::KeyVersion::STATE_DESTROYED;
  return v1::KeyVersion::STATE_UNSPECIFIED;
}

}  // namespace

v1::KeyKind ToProto(keys::KeyKind kind) {
  for (const KindPair& pair : kKinds) {
    if (pair.kind == kind) return pair.proto;
  }
  return v1::KEY_KIND_UNSPECIFIED;
}

absl::StatusOr<keys::KeyKind> FromProto(v1::KeyKind kind) {
  for (const KindPair& pair : kKinds) {
    if (pair.proto == kind) return pair.kind;
  }
  return absl::InvalidArgumentError("key kind is missing or unknown");
}

v1::ProtectionLevel ToProto(keys::Protection protection) {
  return protection == keys::Protection::kHsm ? v1::PROTECTION_LEVEL_HSM
                                              : v1::PROTECTION_LEVEL_SOFTWARE;
}

absl::StatusOr<std::optional<keys::Protection>> FromProto(v1::ProtectionLevel level) {
  switch (level) {
    case v1::PROTECTION_LEVEL_UNSPECIFIED:
      return std::optional<keys::Protection>();
    case v1::PROTECTION_LEVEL_HSM:
      return std::optional(keys::Protection::kHsm);
    case v1::PROTECTION_LEVEL_SOFTWARE:
      return std::optional(keys::Protection::kSoftware);
    default:
      return absl::InvalidArgumentError("unknown protection level");
  }
}

void ToProto(const core::KeyVersionInfo& info, v1::KeyVersionInfo* out) {
  out->set_key(info.key);
  out->set_version(info.version);
  out->set_kind(ToProto(info.kind));
  out->set_protection_level(ToProto(info.protection));
}

void ToProto(const core::KeyDescription& key, v1::Key* out) {
  out->set_name(key.key.department + "/" + key.key.name);
  absl::StatusOr<keys::KeyKind> kind = keys::KindFromName(key.key.kind);
  out->set_kind(kind.ok() ? ToProto(*kind) : v1::KEY_KIND_UNSPECIFIED);
  absl::StatusOr<keys::Protection> protection = keys::ProtectionFromName(key.key.protection_level);
  out->set_protection_level(protection.ok() ? ToProto(*protection)
                                            : v1::PROTECTION_LEVEL_UNSPECIFIED);
  out->set_primary_version(key.key.primary_version);
  out->set_description(key.key.description);
  *out->mutable_create_time() = ToTimestamp(key.key.created);
  out->set_min_decrypt_version(key.key.min_decrypt_version);
  if (key.key.rotation_period > absl::ZeroDuration()) {
    out->mutable_rotation_period()->set_seconds(absl::ToInt64Seconds(key.key.rotation_period));
    if (key.key.next_rotation != absl::InfiniteFuture()) {
      *out->mutable_next_rotation_time() = ToTimestamp(key.key.next_rotation);
    }
  }
  out->set_origin(key.key.origin);
  v1::KeyPolicy* policy = out->mutable_policy();
  policy->set_data_level(key.key.data_level);
  policy->set_sharing_class(key.key.sharing_class);
  for (const std::string& op : key.key.allowed_operations) policy->add_allowed_operations(op);
  for (const std::string& op : key.key.shared_operations) policy->add_shared_operations(op);
  for (const std::string& purpose : key.key.allowed_purposes) policy->add_allowed_purposes(purpose);
  for (const store::KeyVersionRecord& version : key.versions) {
    v1::KeyVersion* v = out->add_versions();
    v->set_version(version.version);
    v->set_state(StateToProto(version.state));
    *v->mutable_create_time() = ToTimestamp(version.created);
    SetTimeField(version.destroyed, v, &v1::KeyVersion::mutable_destroy_time);
    v->set_destruction_id(version.destruction_id);
  }
}

void ToProto(const core::RootRotationStatus& status, v1::RootRotation* out) {
  const store::RootRotationRecord& rotation = status.rotation;
  out->set_department(rotation.department);
  out->set_old_root_key_id(rotation.old_root_key_id);
  out->set_new_root_key_id(rotation.new_root_key_id);
  out->set_state(rotation.finished != absl::InfinitePast() ? "finished"
                 : status.versions_remaining > 0           ? "rewrapping"
                                                           : "retiring");
  out->set_versions_total(rotation.versions_total);
  out->set_versions_remaining(status.versions_remaining);
  out->set_started_by(rotation.started_by);
  SetTimeField(rotation.started, out, &v1::RootRotation::mutable_start_time);
  SetTimeField(rotation.finished, out, &v1::RootRotation::mutable_finish_time);
}

void ToProto(const store::DestructionRecord& request, v1::Destruction* out) {
  out->set_id(request.id);
  out->set_key(absl::StrCat(request.department, "/", request.key));
  out->set_version(request.version);
  out->set_reason(request.reason);
  out->set_state(request.state);
  out->set_required_approvals(request.required_approvals);
  out->set_requested_by(request.requested_by);
  SetTimeField(request.requested, out, &v1::Destruction::mutable_request_time);
  for (const std::string& approver : request.approved_by) out->add_approved_by(approver);
  SetTimeField(request.approved, out, &v1::Destruction::mutable_approve_time);
  out->set_witnessed_by(request.witnessed_by);
  SetTimeField(request.witnessed, out, &v1::Destruction::mutable_witness_time);
  SetTimeField(request.destroy_after, out, &v1::Destruction::mutable_destroy_after);
  out->set_cancelled_by(request.cancelled_by);
  out->set_cancel_reason(request.cancel_reason);
  SetTimeField(request.cancelled, out, &v1::Destruction::mutable_cancel_time);
  SetTimeField(request.destroyed, out, &v1::Destruction::mutable_destroy_time);
  for (int32_t version : request.destroyed_versions) out->add_destroyed_versions(version);
  out->set_record(request.record);
  out->set_record_index(request.record_index);
}

absl::StatusOr<policy::KeyPolicy> FromProto(const v1::KeyPolicy& in) {
  policy::KeyPolicy out;
  if (!in.data_level().empty()) {
    ASSIGN_OR_RETURN(out.level, policy::ParseDataLevel(in.data_level()));
  }
  if (!in.sharing_class().empty()) {
    ASSIGN_OR_RETURN(out.sharing, policy::ParseSharingClass(in.sharing_class()));
  }
  for (const std::string& name : in.allowed_operations()) {
    ASSIGN_OR_RETURN(policy::KeyOperation operation, policy::ParseKeyOperation(name));
    out.allowed_operations.insert(operation);
  }
  for (const std::string& name : in.shared_operations()) {
    ASSIGN_OR_RETURN(policy::KeyOperation operation, policy::ParseKeyOperation(name));
    out.shared_operations.insert(operation);
  }
  out.allowed_purposes.assign(in.allowed_purposes().begin(), in.allowed_purposes().end());
  return out;
}

void ToProto(const store::DepartmentRecord& department, v1::Department* out) {
  out->set_name(department.name);
  out->set_display_name(department.display_name);
  out->set_token_label(department.token_label);
  *out->mutable_create_time() = ToTimestamp(department.created);
}

format::EncryptionContext ToContext(const google::protobuf::Map<std::string, std::string>& map) {
  return format::EncryptionContext(map.begin(), map.end());
}

}  // namespace yinjian::api
