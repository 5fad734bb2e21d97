// Conversions between the core's types and the yinjian.v1 messages.
#ifndef YINJIAN_SERVICE_API_PROTO_CONVERT_H_
#define YINJIAN_SERVICE_API_PROTO_CONVERT_H_

#include <google/protobuf/map.h>

#include <optional>

#include "absl/status/statusor.h"
#include "policy/policy.h"
#include "service/core/key_manager.h"
#include "service/core/key_resolver.h"
#include "service/format/encryption_context.h"
#include "service/keys/key_kind.h"
#include "yinjian/v1/common.pb.h"
#include "yinjian/v1/keys.pb.h"

namespace yinjian::api {

v1::KeyKind ToProto(keys::KeyKind kind);
// INVALID_ARGUMENT for KEY_KIND_UNSPECIFIED or unknown values.
absl::StatusOr<keys::KeyKind> FromProto(v1::KeyKind kind);
v1::ProtectionLevel ToProto(keys::Protection protection);
// nullopt for PROTECTION_LEVEL_UNSPECIFIED.
absl::StatusOr<std::optional<keys::Protection>> FromProto(v1::ProtectionLevel level);

void ToProto(const core::KeyVersionInfo& info, v1::KeyVersionInfo* out);
void ToProto(const core::KeyDescription& key, v1::Key* out);
void ToProto(const store::DepartmentRecord& department, v1::Department* out);
void ToProto(const core::RootRotationStatus& status, v1::RootRotation* out);
// record_receipt is left for the caller (it needs the audit log).
void ToProto(const store::DestructionRecord& request, v1::Destruction* out);
// Microsecond precision, as the store keeps times; absl's infinite times are not meant here.
google::protobuf::Timestamp ToTimestamp(absl::Time time);
absl::Time FromTimestamp(const google::protobuf::Timestamp& timestamp);
// Infinite times mean "never" (not disabled, not revoked, not yet): the field stays unset. (For
// a field whose message might be created for nothing, use SetTimeField.)
void SetTime(absl::Time time, google::protobuf::Timestamp* out);
// Sets `out`'s Timestamp field (given by its mutable_ accessor) to `time`; an infinite time
// leaves the field absent, so has_<field>() stays false.
template <typename Message>
void SetTimeField(absl::Time time, Message* out, google::protobuf::Timestamp* (Message::*field)()) {
  if (time == absl::InfinitePast() || time == absl::InfiniteFuture()) return;
  *(out->*field)() = ToTimestamp(time);
}
// Empty level / sharing class: the defaults (general, none). INVALID_ARGUMENT for unknown names.
absl::StatusOr<policy::KeyPolicy> FromProto(const v1::KeyPolicy& policy);

format::EncryptionContext ToContext(const google::protobuf::Map<std::string, std::string>& map);

}  // namespace yinjian::api

#endif  // YINJIAN_SERVICE_API_PROTO_CONVERT_H_
