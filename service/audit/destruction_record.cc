#include "service/audit/destruction_record.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace yinjian::audit {
namespace {

std::string Time(absl::Time time) { return JsonString(FormatEntryTime(time)); }

std::string OptionalTime(absl::Time time) {
  return time == absl::InfinitePast() || time == absl::InfiniteFuture() ? "null" : Time(time);
}

}  // namespace

std::string EncodeDestructionRecord(const store::DestructionRecord& request,
                                    const store::KeyRecord& key,
                                    const std::vector<store::KeyVersionRecord>& versions) {
  std::vector<std::string> approvers;
  for (const std::string& approver : request.approved_by) approvers.push_back(JsonString(approver));
  std::vector<std::string> destroyed;
  for (const store::KeyVersionRecord& version : versions) {
    destroyed.push_back(EncodeJsonObject({
        {"created", Time(version.created)},
        {"hsm_resident", version.hsm_object_id.empty() ? "false" : "true"},
        {"version", absl::StrCat(version.version)},
    }));
  }
  return EncodeJsonObject({
      {"approve_time", OptionalTime(request.approved)},
      {"approved_by", absl::StrCat("[", absl::StrJoin(approvers, ","), "]")},
      {"destroy_after", OptionalTime(request.destroy_after)},
      {"destroy_time", OptionalTime(request.destroyed)},
      {"destroyed_versions", absl::StrCat("[", absl::StrJoin(destroyed, ","), "]")},
      {"id", absl::StrCat(request.id)},
      {"key", JsonString(absl::StrCat(request.department, "/", request.key))},
      {"kind", JsonString(key.kind)},
      {"protection", JsonString(key.protection_level)},
      {"reason", JsonString(request.reason)},
      {"request_time", Time(request.requested)},
      {"requested_by", JsonString(request.requested_by)},
      {"required_approvals", absl::StrCat(request.required_approvals)},
      {"type", JsonString("yinjian-destruction-record")},
      {"v", "1"},
      {"version", absl::StrCat(request.version)},
      {"witness_time", OptionalTime(request.witnessed)},
      {"witnessed_by", JsonString(request.witnessed_by)},
  });
}

AuditEvent DestructionEvent(const store::DestructionRecord& request, const std::string& record,
                            absl::Time time) {
  return AuditEvent{.time = time,
                    .principal = kDestructionPrincipal,
                    .department = request.department,
                    .operation = kDestructionOperation,
                    .key = absl::StrCat(request.department, "/", request.key),
                    .key_version = request.version,
                    .purpose = absl::StrCat("destruction request ", request.id),
                    .decision = "allow",
                    .reason = "DESTRUCTION_DUE",
                    .result = "OK",
                    .response_digest = SaltedDigestHex("", record)};
}

}  // namespace yinjian::audit
