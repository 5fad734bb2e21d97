// The audit log's latest checkpoint kept outside the store (docs/receipts.md, "How the log
// resists rewriting", point 3), updated in place with one write and one fdatasync per commit.
//
// The file has two slots of kSlotSize bytes. Each holds a signed checkpoint note followed by NUL
// bytes (a note never contains NUL), or only NUL bytes while unused. A new checkpoint overwrites
// the slot that does not hold the newest one, so a write cut short by a power failure can only
// damage the older slot: the newest checkpoint the file held survives it. Replacing a whole file
// per commit (write, fsync, rename, fsync of the folder) cost about four times as much.
//
// A file of any other size is the single note that versions before 2026-11-22 wrote; it is read
// as such, and the first write replaces it with a two-slot file.
#ifndef YINJIAN_SERVICE_AUDIT_CHECKPOINT_FILE_H_
#define YINJIAN_SERVICE_AUDIT_CHECKPOINT_FILE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "service/audit/checkpoint.h"

namespace yinjian::audit {

class CheckpointFile {
 public:
  static constexpr size_t kSlotSize = 4096;
  static constexpr size_t kFileSize = 2 * kSlotSize;

  // Whether a note read from the file is a checkpoint of this log (opened), or why not.
  using OpenNote = absl::FunctionRef<absl::StatusOr<Checkpoint>(absl::string_view note)>;

  // Reads `path`. A missing file holds no checkpoint. Otherwise newest() is the accepted note
  // of the largest size; if a slot holds a note that is not accepted while the other is,
  // refused_slot() says so. FAILED_PRECONDITION with `open_note`'s reason if the file holds
  // notes but none is accepted; UNAVAILABLE if it cannot be read or opened for writing.
  static absl::StatusOr<std::unique_ptr<CheckpointFile>> Open(std::string path, OpenNote open_note);

  CheckpointFile(const CheckpointFile&) = delete;
  CheckpointFile& operator=(const CheckpointFile&) = delete;
  ~CheckpointFile();

  // The newest checkpoint read at Open, as its note and as `open_note` opened it; "" and none
  // if there was none.
  const std::string& newest() const { return newest_; }
  const std::optional<Checkpoint>& newest_checkpoint() const { return newest_checkpoint_; }
  // "" or, e.g., "slot 2 of /x/store.checkpoint is not accepted (...); its other slot is used":
  // a write cut short by a crash, or an edit. For the server to report at start.
  const std::string& refused_slot() const { return refused_slot_; }

  // Compare and swap: makes `note` the newest checkpoint, if the file is still exactly what
  // this object last read or wrote (the same file, not one renamed over it, with the same
  // bytes); otherwise FAILED_PRECONDITION ("changed by someone else") and the file is left as
  // it is. INVALID_ARGUMENT for a note of kSlotSize bytes or more, or one containing NUL.
  // UNAVAILABLE if the write or fdatasync fails; after that every later Write fails too (what
  // reached the disk is unknown) until the file is opened again, e.g. by a restart.
  absl::Status Write(absl::string_view note);

 private:
  explicit CheckpointFile(std::string path) : path_(std::move(path)) {}
  // The first write: a two-slot file replaces the missing or single-note file atomically.
  absl::Status Create(absl::string_view note);
  absl::Status CheckUnchanged();

  const std::string path_;
  int fd_ = -1;           // open while the file has two slots
  std::string content_;   // what the file holds: two slots, or the single note ("" if missing)
  int newest_slot_ = -1;  // 0 or 1 with two slots, else -1
  std::string newest_;
  std::optional<Checkpoint> newest_checkpoint_;
  std::string refused_slot_;
  bool failed_ = false;  // a write or fdatasync failed
};

}  // namespace yinjian::audit

#endif  // YINJIAN_SERVICE_AUDIT_CHECKPOINT_FILE_H_
