// Checking the whole audit log as an auditor downloads it (`audit verify`): every entry in index
// order and every checkpoint the log signed. Each entry's "index" member must be its position;
// the RFC 6962 root is recomputed with a CompactRange as entries are added, and each checkpoint
// is checked when the entries reach its size: its signature by the trusted log key, its origin,
// its size and its root. Since every checkpoint's root is recomputed from the same entries,
// consecutive checkpoints are consistent by construction; CheckConsistencyProof also checks the
// server's own proof between two of them.
//
// The first problem found ends the check. It is a NotValid status whose message says exactly
// what is wrong, e.g. "entry 17: index field says 18", "checkpoint of size 40: root does not
// match the entries", "checkpoint of size 40: signature: untrusted-key: ...".
#ifndef YINJIAN_CLI_LOG_CHECK_H_
#define YINJIAN_CLI_LOG_CHECK_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "service/audit/checkpoint.h"
#include "service/audit/compact_range.h"
#include "service/audit/merkle.h"
#include "service/audit/signed_note.h"

namespace yinjian::cli {

// An entry as Query lists it.
struct ListedEntry {
  int64_t index = 0;
  std::string entry;  // the exact bytes
};

// A checkpoint as ListCheckpoints lists it.
struct ListedCheckpoint {
  int64_t size = 0;
  std::string root_hash;  // the 32 bytes stored with it
  std::string note;       // the signed note
};

struct LogCheckSummary {
  uint64_t entries = 0;
  uint64_t checkpoints = 0;
  // The first and the latest checkpoint, as opened; nullopt if there are none.
  std::optional<audit::Checkpoint> first;
  std::optional<audit::Checkpoint> latest;
};

// Checks a log entry by entry, holding only the tree's frontier. Not thread-safe.
class LogChecker {
 public:
  // `checkpoints` in the order listed (by size); `verifiers` are borrowed and must outlive the
  // checker; `origin` is the log's expected origin line.
  LogChecker(std::vector<ListedCheckpoint> checkpoints,
             std::vector<const audit::NoteVerifier*> verifiers, std::string origin);

  // Takes the next entry, which the server listed under `listed_index`, and checks every
  // checkpoint of the size now reached. The first problem as above; INTERNAL if hashing fails.
  absl::Status AddEntry(int64_t listed_index, absl::string_view entry);

  // After the last entry: a checkpoint never reached is a problem ("checkpoint of size 40:
  // beyond the 38 entries listed"). Entries after the latest checkpoint are not: they were
  // appended after the checkpoints were listed (the summary counts them).
  absl::StatusOr<LogCheckSummary> Finish();

 private:
  // Checks the checkpoints due at the current size.
  absl::Status CheckDueCheckpoints();
  absl::Status CheckCheckpoint(const ListedCheckpoint& listed);

  const std::vector<ListedCheckpoint> checkpoints_;
  const std::vector<const audit::NoteVerifier*> verifiers_;
  const std::string origin_;
  size_t next_checkpoint_ = 0;
  audit::CompactRange range_;
  LogCheckSummary summary_;
};

// The whole check on entries and checkpoints in memory: a LogChecker fed every entry.
absl::StatusOr<LogCheckSummary> CheckLog(absl::Span<const ListedEntry> entries,
                                         std::vector<ListedCheckpoint> checkpoints,
                                         absl::Span<const audit::NoteVerifier* const> verifiers,
                                         absl::string_view origin);

// Checks that `proof` (from GetConsistencyProof) shows `newer` extends `older`, two checkpoints
// already opened. NotValid "consistency proof from size A to size B: <rejection>" if not.
absl::Status CheckConsistencyProof(const audit::Checkpoint& older, const audit::Checkpoint& newer,
                                   absl::Span<const audit::Hash> proof);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_LOG_CHECK_H_
