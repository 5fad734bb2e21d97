#include "service/audit/checkpoint_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "service/pki/pem_files.h"

namespace yinjian::audit {
namespace {

absl::Status Unavailable(absl::string_view what, const std::string& path, int error) {
  return absl::UnavailableError(absl::StrCat(what, " ", path, ": ", std::strerror(error)));
}

// The whole file, or "" if it does not exist. (ReadPemFile also refuses anything but a regular
// file of at most 1 MiB.)
absl::StatusOr<std::string> ReadWhole(const std::string& path) {
  absl::StatusOr<std::string> content = pki::ReadPemFile(path);
  if (absl::IsNotFound(content.status())) return std::string();
  return content;
}

// A slot's note: its bytes up to the first NUL.
absl::string_view SlotNote(absl::string_view content, int slot) {
  absl::string_view bytes =
      content.substr(size_t(slot) * CheckpointFile::kSlotSize, CheckpointFile::kSlotSize);
  return bytes.substr(0, bytes.find('\0'));
}

absl::Status ChangedBySomeoneElse(const std::string& path, absl::string_view how) {
  return absl::FailedPreconditionError(
      absl::StrCat("the checkpoint file ", path, " was changed by someone else (", how, ")"));
}

absl::Status NoCheckpoint(const std::string& path, const absl::Status& why) {
  return absl::FailedPreconditionError(absl::StrCat(
      "the checkpoint file ", path, " does not hold a checkpoint of this log: ", why.message()));
}

}  // namespace

absl::StatusOr<std::unique_ptr<CheckpointFile>> CheckpointFile::Open(std::string path,
                                                                     OpenNote open_note) {
  std::unique_ptr<CheckpointFile> file(new CheckpointFile(std::move(path)));
  ASSIGN_OR_RETURN(file->content_, ReadWhole(file->path_));
  const std::string& content = file->content_;
  if (content.empty()) return file;
  if (content.size() != kFileSize) {
    // The single note of earlier versions.
    absl::StatusOr<Checkpoint> opened = open_note(content);
    if (!opened.ok()) return NoCheckpoint(file->path_, opened.status());
    file->newest_ = content;
    file->newest_checkpoint_ = *std::move(opened);
    return file;
  }
  absl::Status refused[2];
  for (int slot = 0; slot < 2; ++slot) {
    const absl::string_view note = SlotNote(content, slot);
    if (note.empty()) continue;  // never written
    absl::StatusOr<Checkpoint> opened = open_note(note);
    if (!opened.ok()) {
      refused[slot] = opened.status();
    } else if (!file->newest_checkpoint_ || opened->size > file->newest_checkpoint_->size) {
      file->newest_slot_ = slot;
      file->newest_checkpoint_ = *std::move(opened);
    }
  }
  if (file->newest_slot_ < 0) {
    for (const absl::Status& status : refused) {
      if (!status.ok()) return NoCheckpoint(file->path_, status);
    }
    return file;  // both slots unused: no checkpoint yet
  }
  file->newest_ = std::string(SlotNote(content, file->newest_slot_));
  const int other = 1 - file->newest_slot_;
  if (!refused[other].ok()) {
    file->refused_slot_ = absl::StrCat(
        "slot ", other + 1, " of the checkpoint file ", file->path_,
        " holds no checkpoint of this log (", refused[other].message(),
        "): a write cut short by a crash, or an edit; slot ", file->newest_slot_ + 1, " is used");
  }
  file->fd_ = ::open(file->path_.c_str(), O_RDWR | O_CLOEXEC);
  if (file->fd_ < 0) return Unavailable("cannot open for writing", file->path_, errno);
  return file;
}

CheckpointFile::~CheckpointFile() {
  if (fd_ >= 0) ::close(fd_);
}

absl::Status CheckpointFile::CheckUnchanged() {
  if (fd_ < 0) {
    ASSIGN_OR_RETURN(std::string now, ReadWhole(path_));
    if (now != content_) return ChangedBySomeoneElse(path_, "other bytes");
    return absl::OkStatus();
  }
  struct stat by_path {};
  struct stat by_fd {};
  if (::stat(path_.c_str(), &by_path) != 0) {
    if (errno == ENOENT) return ChangedBySomeoneElse(path_, "removed");
    return Unavailable("cannot stat", path_, errno);
  }
  if (::fstat(fd_, &by_fd) != 0) return Unavailable("cannot stat", path_, errno);
  if (by_path.st_dev != by_fd.st_dev || by_path.st_ino != by_fd.st_ino) {
    return ChangedBySomeoneElse(path_, "another file in its place");
  }
  std::string now(kFileSize + 1, '\0');  // one byte more, to see a file that grew
  size_t got = 0;
  while (got < now.size()) {
    const ssize_t n = ::pread(fd_, now.data() + got, now.size() - got, off_t(got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Unavailable("cannot read", path_, errno);
    if (n == 0) break;
    got += size_t(n);
  }
  now.resize(got);
  if (now != content_) return ChangedBySomeoneElse(path_, "other bytes");
  return absl::OkStatus();
}

absl::Status CheckpointFile::Create(absl::string_view note) {
  std::string content(kFileSize, '\0');
  content.replace(0, note.size(), note.data(), note.size());
  RETURN_IF_ERROR(pki::WriteFileAtomically(path_, content, 0644, pki::IfExists::kReplace));
  fd_ = ::open(path_.c_str(), O_RDWR | O_CLOEXEC);
  if (fd_ < 0) {
    failed_ = true;
    return Unavailable("cannot open for writing", path_, errno);
  }
  content_ = std::move(content);
  newest_slot_ = 0;
  return absl::OkStatus();
}

absl::Status CheckpointFile::Write(absl::string_view note) {
  if (note.size() >= kSlotSize || note.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a checkpoint of ", note.size(), " bytes does not fit a slot of the checkpoint file (",
        kSlotSize - 1, " bytes at most, no NUL)"));
  }
  if (failed_) {
    return absl::UnavailableError(
        absl::StrCat("an earlier write to the checkpoint file ", path_,
                     " failed; restart the server to read what the file holds"));
  }
  RETURN_IF_ERROR(CheckUnchanged());
  if (fd_ < 0) return Create(note);
  const int slot = 1 - newest_slot_;
  std::string bytes(kSlotSize, '\0');
  bytes.replace(0, note.size(), note.data(), note.size());
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::pwrite(fd_, bytes.data() + written, bytes.size() - written,
                               off_t(size_t(slot) * kSlotSize + written));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      failed_ = true;
      return Unavailable("cannot write", path_, n < 0 ? errno : EIO);
    }
    written += size_t(n);
  }
  if (::fdatasync(fd_) != 0) {
    failed_ = true;
    return Unavailable("cannot sync", path_, errno);
  }
  content_.replace(size_t(slot) * kSlotSize, kSlotSize, bytes);
  newest_slot_ = slot;
  return absl::OkStatus();
}

}  // namespace yinjian::audit
