#include "service/core/root_rotation.h"

#include <algorithm>
#include <map>
#include <memory>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "service/core/key_manager.h"
#include "service/keys/root_key.h"
#include "service/keys/version_material.h"

namespace yinjian::core {
namespace {

// The generation in "yinjian-root/<department>/<generation>"; 1 if the id has none.
int GenerationOf(absl::string_view root_key_id) {
  const size_t slash = root_key_id.rfind('/');
  int generation = 1;
  if (slash == absl::string_view::npos ||
      !absl::SimpleAtoi(root_key_id.substr(slash + 1), &generation)) {
    return 1;
  }
  return generation;
}

}  // namespace

absl::StatusOr<RootRotationStatus> GetRootRotation(store::Store& store,
                                                   absl::string_view department) {
  RootRotationStatus status;
  ASSIGN_OR_RETURN(status.rotation, store.LatestRootRotation(department));
  ASSIGN_OR_RETURN(status.versions_remaining,
                   store.CountVersionsNotWrappedUnder(department, status.rotation.new_root_key_id));
  return status;
}

absl::StatusOr<RootRotationStatus> BeginRootRotation(store::Store& store, TokenDirectory& tokens,
                                                     absl::string_view department,
                                                     absl::string_view by, absl::Time now) {
  ASSIGN_OR_RETURN(store::DepartmentRecord record, store.GetDepartment(department));
  absl::StatusOr<store::RootRotationRecord> latest = store.LatestRootRotation(department);
  if (latest.ok() && latest->finished == absl::InfinitePast()) {
    return absl::FailedPreconditionError(absl::StrCat("department ", department,
                                                      " is still re-wrapping under ",
                                                      latest->new_root_key_id, "; see its status"));
  }
  ASSIGN_OR_RETURN(hsm::Token * token, tokens.Find(record.token_label));
  // A generation left in the token by an attempt that never reached the store is skipped.
  std::string new_root;
  for (int generation = GenerationOf(record.root_key_id) + 1;; ++generation) {
    absl::StatusOr<std::string> created = keys::CreateRootKey(*token, department, generation);
    if (absl::IsAlreadyExists(created.status())) continue;
    RETURN_IF_ERROR(created.status());
    new_root = *std::move(created);
    break;
  }
  absl::StatusOr<store::RootRotationRecord> begun =
      store.BeginRootRotation(department, new_root, by, now);
  if (!begun.ok()) {
    (void)DestroyTokenObjects(*token, hsm::ToBytes(new_root));
    return begun.status();
  }
  return GetRootRotation(store, department);
}

absl::StatusOr<int> RootRewrapJob::Advance(const store::RootRotationRecord& rotation) {
  ASSIGN_OR_RETURN(store::DepartmentRecord department, store_.GetDepartment(rotation.department));
  ASSIGN_OR_RETURN(hsm::Token * token, tokens_.Find(department.token_label));
  ASSIGN_OR_RETURN(std::vector<store::KeyVersionRecord> versions,
                   store_.ListVersionsNotWrappedUnder(rotation.department, rotation.new_root_key_id,
                                                      options_.batch));
  hsm::KeyRef to = keys::RootKeyRef(*token, rotation.new_root_key_id);
  // One reference per old root for the whole batch: finding a token object is a C_FindObjects
  // round (SoftHSM rescans its token files), far dearer than the re-wrap itself.
  std::map<std::string, std::unique_ptr<hsm::KeyRef>> roots;
  // The HSM work first, then one store transaction for the batch: a durable commit per version
  // was most of a rotation's time on disk (docs/performance.md, "Root key re-wrap").
  std::vector<store::VersionRewrap> rewraps;
  rewraps.reserve(versions.size());
  for (const store::KeyVersionRecord& version : versions) {
    ASSIGN_OR_RETURN(store::KeyRecord key, store_.GetKey(version.department, version.key));
    ASSIGN_OR_RETURN(keys::KeyKind kind, keys::KindFromName(key.kind));
    ASSIGN_OR_RETURN(keys::Protection protection, keys::ProtectionFromName(key.protection_level));
    std::unique_ptr<hsm::KeyRef>& from = roots[version.root_key_id];
    if (from == nullptr) {
      from =
          std::make_unique<hsm::KeyRef>(*token, CKO_SECRET_KEY, hsm::ToBytes(version.root_key_id));
    }
    absl::StatusOr<hsm::Bytes> material = keys::RewrapVersionMaterial(
        *token, *from, to, kind, protection, {.wrapped = hsm::ToBytes(version.wrapped_material)});
    if (!material.ok()) {
      return absl::Status(
          material.status().code(),
          absl::StrCat("cannot re-wrap version ", version.version, " of ", version.department, "/",
                       version.key, ": ", material.status().message()));
    }
    rewraps.push_back({.department = version.department,
                       .key = version.key,
                       .version = version.version,
                       .expected_root_key_id = version.root_key_id,
                       .new_root_key_id = rotation.new_root_key_id,
                       .new_wrapped_material = hsm::ToString(*material)});
  }
  if (!versions.empty()) {
    ASSIGN_OR_RETURN(std::vector<bool> swapped, store_.RewrapVersions(rewraps, clock_()));
    for (const store::VersionRewrap& rewrap : rewraps) {
      resolver_.Invalidate(rewrap.department, rewrap.key);
    }
    return static_cast<int>(std::count(swapped.begin(), swapped.end(), true));
  }

  // Nothing left under an old root: retire it once the last re-wrap is old enough that no
  // replica still holds a record naming it.
  const absl::Time now = clock_();
  if (now - rotation.last_progress < options_.retire_grace) return 0;
  ASSIGN_OR_RETURN(int64_t remaining, store_.CountVersionsNotWrappedUnder(
                                          rotation.department, rotation.new_root_key_id));
  if (remaining > 0) return 0;  // a version created under the old root just now
  RETURN_IF_ERROR(DestroyTokenObjects(*token, hsm::ToBytes(rotation.old_root_key_id)));
  ASSIGN_OR_RETURN(store::RootRotationRecord finished, store_.FinishRootRotation(rotation.id, now));
  if (observer_) observer_({.rotation = finished, .versions_remaining = 0});
  return 0;
}

absl::StatusOr<int> RootRewrapJob::RunOnce() {
  ASSIGN_OR_RETURN(std::vector<store::RootRotationRecord> rotations,
                   store_.ListUnfinishedRootRotations());
  int rewrapped = 0;
  for (const store::RootRotationRecord& rotation : rotations) {
    ASSIGN_OR_RETURN(int count, Advance(rotation));
    rewrapped += count;
  }
  return rewrapped;
}

}  // namespace yinjian::core
