#include "cli/log_check.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "cli/entry_json.h"
#include "cli/status_exit.h"
#include "common/status_macros.h"
#include "service/audit/rejection.h"

namespace yinjian::cli {
namespace {

absl::Span<const uint8_t> Bytes(absl::string_view text) {
  return absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

absl::Status EntryProblem(uint64_t position, absl::string_view what) {
  return NotValid(absl::StrCat("entry ", position, ": ", what));
}

absl::Status CheckpointProblem(int64_t size, absl::string_view what) {
  return NotValid(absl::StrCat("checkpoint of size ", size, ": ", what));
}

}  // namespace

LogChecker::LogChecker(std::vector<ListedCheckpoint> checkpoints,
                       std::vector<const audit::NoteVerifier*> verifiers, std::string origin)
    : checkpoints_(std::move(checkpoints)),
      verifiers_(std::move(verifiers)),
      origin_(std::move(origin)) {}

absl::Status LogChecker::AddEntry(int64_t listed_index, absl::string_view entry) {
  RETURN_IF_ERROR(CheckDueCheckpoints());  // those of size 0, before the first entry
  const uint64_t position = range_.size();
  if (listed_index < 0 || uint64_t(listed_index) != position) {
    return EntryProblem(position,
                        absl::StrCat("the server listed entry ", listed_index, " in its place"));
  }
  absl::StatusOr<std::vector<JsonMember>> members = ParseJsonObject(entry);
  if (!members.ok()) return EntryProblem(position, members.status().message());
  const JsonMember* index_member = FindMember(*members, "index");
  if (index_member == nullptr) return EntryProblem(position, "no index field");
  const std::optional<int64_t> index = MemberInteger(*members, "index");
  if (!index.has_value() || *index < 0 || uint64_t(*index) != position) {
    return EntryProblem(position, absl::StrCat("index field says ", index_member->raw_value));
  }
  ASSIGN_OR_RETURN(const audit::Hash leaf, audit::LeafHash(Bytes(entry)));
  RETURN_IF_ERROR(range_.Append(leaf));
  summary_.entries = range_.size();
  return CheckDueCheckpoints();
}

absl::Status LogChecker::CheckDueCheckpoints() {
  while (next_checkpoint_ < checkpoints_.size()) {
    const ListedCheckpoint& listed = checkpoints_[next_checkpoint_];
    if (listed.size < 0) return CheckpointProblem(listed.size, "a negative size");
    if (uint64_t(listed.size) > range_.size()) return absl::OkStatus();
    if (uint64_t(listed.size) < range_.size()) {
      // Only a checkpoint listed after a larger one is ever passed over.
      return CheckpointProblem(listed.size, "listed out of size order");
    }
    RETURN_IF_ERROR(CheckCheckpoint(listed));
    ++next_checkpoint_;
  }
  return absl::OkStatus();
}

absl::Status LogChecker::CheckCheckpoint(const ListedCheckpoint& listed) {
  absl::StatusOr<audit::Checkpoint> opened =
      audit::OpenCheckpoint(listed.note, verifiers_, origin_);
  if (!opened.ok()) {
    const std::optional<audit::Rejection> rejection = audit::RejectionOf(opened.status());
    if (rejection == audit::Rejection::kUntrustedKey ||
        rejection == audit::Rejection::kBadSignature) {
      return CheckpointProblem(listed.size, absl::StrCat("signature: ", opened.status().message()));
    }
    if (rejection.has_value()) return CheckpointProblem(listed.size, opened.status().message());
    return opened.status();
  }
  if (opened->size != uint64_t(listed.size)) {
    return CheckpointProblem(listed.size, absl::StrCat("its note is for size ", opened->size));
  }
  ASSIGN_OR_RETURN(const audit::Hash root, range_.Root());
  if (opened->root != root)
    return CheckpointProblem(listed.size, "root does not match the entries");
  if (listed.root_hash != std::string(opened->root.begin(), opened->root.end())) {
    return CheckpointProblem(listed.size, "its root_hash field differs from its signed note");
  }
  if (!summary_.first.has_value()) summary_.first = *opened;
  summary_.latest = *std::move(opened);
  ++summary_.checkpoints;
  return absl::OkStatus();
}

absl::StatusOr<LogCheckSummary> LogChecker::Finish() {
  RETURN_IF_ERROR(CheckDueCheckpoints());
  if (next_checkpoint_ < checkpoints_.size()) {
    return CheckpointProblem(checkpoints_[next_checkpoint_].size,
                             absl::StrCat("beyond the ", range_.size(), " entries listed"));
  }
  return summary_;
}

absl::StatusOr<LogCheckSummary> CheckLog(absl::Span<const ListedEntry> entries,
                                         std::vector<ListedCheckpoint> checkpoints,
                                         absl::Span<const audit::NoteVerifier* const> verifiers,
                                         absl::string_view origin) {
  LogChecker checker(std::move(checkpoints),
                     std::vector<const audit::NoteVerifier*>(verifiers.begin(), verifiers.end()),
                     std::string(origin));
  for (const ListedEntry& entry : entries) {
    RETURN_IF_ERROR(checker.AddEntry(entry.index, entry.entry));
  }
  return checker.Finish();
}

absl::Status CheckConsistencyProof(const audit::Checkpoint& older, const audit::Checkpoint& newer,
                                   absl::Span<const audit::Hash> proof) {
  const absl::Status consistent =
      audit::VerifyConsistency(older.size, newer.size, older.root, newer.root, proof);
  if (consistent.ok() || !audit::RejectionOf(consistent).has_value()) return consistent;
  return NotValid(absl::StrCat("consistency proof from size ", older.size, " to size ", newer.size,
                               ": ", consistent.message()));
}

}  // namespace yinjian::cli
