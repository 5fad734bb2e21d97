#include "service/core/destruction_executor.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "service/core/key_manager.h"

namespace yinjian::core {

absl::Status DestructionExecutor::DestroyHsmObjects(
    hsm::Token& token, const std::vector<store::KeyVersionRecord>& versions) {
  for (const store::KeyVersionRecord& version : versions) {
    absl::Status status = DestroyTokenObjects(token, hsm::ToBytes(version.hsm_object_id));
    if (!status.ok()) {
      return absl::Status(status.code(), absl::StrCat("cannot destroy the HSM objects of version ",
                                                      version.version, " of ", version.department,
                                                      "/", version.key, ": ", status.message()));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> DestructionExecutor::Destroy(const store::DestructionRecord& claimed) {
  ASSIGN_OR_RETURN(store::DepartmentRecord department, store_.GetDepartment(claimed.department));
  ASSIGN_OR_RETURN(hsm::Token * token, tokens_.Find(department.token_label));
  // HSM-resident objects go first, while the store still names them; then the store forgets the
  // wrapped material in one transaction.
  ASSIGN_OR_RETURN(std::vector<store::KeyVersionRecord> versions,
                   store_.ListKeyVersions(claimed.department, claimed.key));
  std::vector<store::KeyVersionRecord> covered;
  for (store::KeyVersionRecord& version : versions) {
    if (version.state == store::kVersionDestroyed) continue;
    if (claimed.version != 0 && version.version != claimed.version) continue;
    covered.push_back(std::move(version));
  }
  RETURN_IF_ERROR(DestroyHsmObjects(*token, covered));
  absl::StatusOr<std::pair<store::DestructionRecord, std::vector<store::KeyVersionRecord>>>
      finished = store_.FinishDestruction(claimed.id, clock_());
  if (finished.status().code() == absl::StatusCode::kFailedPrecondition) return false;
  RETURN_IF_ERROR(finished.status());
  // A version made after the listing above (a rotation racing a whole-key destruction).
  RETURN_IF_ERROR(DestroyHsmObjects(*token, finished->second));
  if (claimed.version == 0) {
    // A destroyed key is not rotated again by the scheduler.
    RETURN_IF_ERROR(store_
                        .SetRotationSchedule(claimed.department, claimed.key,
                                             absl::ZeroDuration(), absl::InfiniteFuture())
                        .status());
  }
  resolver_.Invalidate(claimed.department, claimed.key);
  for (const store::KeyVersionRecord& version : finished->second) {
    resolver_.cache().Erase({version.department, version.key, version.version});
  }
  RETURN_IF_ERROR(Record(finished->first, finished->second));
  return true;
}

absl::Status DestructionExecutor::Record(const store::DestructionRecord& request,
                                         const std::vector<store::KeyVersionRecord>& versions) {
  if (!recorder_) return absl::OkStatus();
  ASSIGN_OR_RETURN(store::KeyRecord key, store_.GetKey(request.department, request.key));
  ASSIGN_OR_RETURN(WrittenRecord written, recorder_(request, key, versions));
  return store_.SetDestructionRecord(request.id, written.record, written.index).status();
}

absl::StatusOr<int> DestructionExecutor::RunOnce() {
  const absl::Time now = clock_();
  ASSIGN_OR_RETURN(std::vector<store::DestructionRecord> due, store_.ListDueDestructions(now, 100));
  int destroyed = 0;
  for (const store::DestructionRecord& request : due) {
    absl::StatusOr<store::DestructionRecord> claimed = store_.ClaimDestruction(request.id, now);
    // Cancelled or finished by another replica since the listing.
    if (claimed.status().code() == absl::StatusCode::kFailedPrecondition) continue;
    RETURN_IF_ERROR(claimed.status());
    ASSIGN_OR_RETURN(bool done, Destroy(*claimed));
    if (done) ++destroyed;
  }
  // Destroyed requests whose record an earlier pass could not write.
  ASSIGN_OR_RETURN(std::vector<store::DestructionRecord> finished,
                   store_.ListDestructions({.state = store::kDestructionDestroyed}));
  for (const store::DestructionRecord& request : finished) {
    if (request.record_index >= 0) continue;
    ASSIGN_OR_RETURN(std::vector<store::KeyVersionRecord> versions,
                     store_.ListKeyVersions(request.department, request.key));
    std::erase_if(versions, [&](const store::KeyVersionRecord& version) {
      return version.destruction_id != request.id;
    });
    RETURN_IF_ERROR(Record(request, versions));
  }
  return destroyed;
}

}  // namespace yinjian::core
