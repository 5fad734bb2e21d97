#include "service/pki/pem_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"

namespace yinjian::pki {
namespace {

constexpr off_t kMaxPemFileSize = 1 << 20;

absl::Status Errno(absl::string_view what, const std::string& path) {
  return absl::ErrnoToStatus(errno, absl::StrCat(what, " ", path));
}

// Owns a file descriptor; Close() reports the close() error, the destructor ignores it.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int Close() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

std::string DirectoryOf(const std::string& path) {
  const std::string parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

absl::Status WriteAll(int fd, absl::Span<const uint8_t> data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return Errno("writing", path);
    }
    data.remove_prefix(static_cast<size_t>(written));
  }
  return absl::OkStatus();
}

absl::Status SyncDirectory(const std::string& directory) {
  Fd fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return Errno("opening directory", directory);
  if (::fsync(fd.get()) != 0) return Errno("syncing directory", directory);
  return absl::OkStatus();
}

// Reads `path` whole into any byte container (std::string or SecureBytes).
template <typename Container>
absl::StatusOr<Container> ReadWholeFile(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return Errno("opening", path);
  struct stat info;
  if (::fstat(fd.get(), &info) != 0) return Errno("reading the status of", path);
  if (!S_ISREG(info.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(path, " is not a regular file"));
  }
  if (info.st_size > kMaxPemFileSize) {
    return absl::FailedPreconditionError(absl::StrCat(path, " is larger than 1 MiB"));
  }
  // Sized up front so a secret is never copied by reallocation; a file that grew meanwhile is
  // cut at the size fstat reported, one that shrank at its end.
  Container data(static_cast<size_t>(info.st_size), 0);
  size_t filled = 0;
  while (filled < data.size()) {
    const ssize_t got = ::read(fd.get(), data.data() + filled, data.size() - filled);
    if (got < 0) {
      if (errno == EINTR) continue;
      return Errno("reading", path);
    }
    if (got == 0) break;
    filled += static_cast<size_t>(got);
  }
  data.resize(filled);
  return data;
}

}  // namespace

absl::Status WriteFileAtomically(const std::string& path, absl::Span<const uint8_t> data,
                                 mode_t mode, IfExists if_exists) {
  const std::string directory = DirectoryOf(path);
  std::string temp_path =
      (std::filesystem::path(directory) /
       absl::StrCat(".", std::filesystem::path(path).filename().string(), ".tmp-XXXXXX"))
          .string();
  Fd fd(::mkostemp(temp_path.data(), O_CLOEXEC));  // created 0600 (less any umask bits)
  if (fd.get() < 0) return Errno("creating a temporary file for", path);
  bool temp_exists = true;
  absl::Cleanup remove_temp = [&] {
    if (temp_exists) ::unlink(temp_path.c_str());
  };
  if (::fchmod(fd.get(), mode) != 0) return Errno("setting the mode of", temp_path);
  if (absl::Status written = WriteAll(fd.get(), data, temp_path); !written.ok()) return written;
  if (::fsync(fd.get()) != 0) return Errno("syncing", temp_path);
  if (fd.Close() != 0) return Errno("closing", temp_path);

  if (if_exists == IfExists::kReplace) {
    if (::rename(temp_path.c_str(), path.c_str()) != 0) return Errno("renaming into", path);
    temp_exists = false;
  } else {
    if (::link(temp_path.c_str(), path.c_str()) != 0) {
      if (errno == EEXIST) {
        return absl::AlreadyExistsError(absl::StrCat(path, " already exists"));
      }
      return Errno("linking into", path);
    }
  }
  return SyncDirectory(directory);
}

absl::Status WriteFileAtomically(const std::string& path, absl::string_view data, mode_t mode,
                                 IfExists if_exists) {
  return WriteFileAtomically(
      path, absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size()),
      mode, if_exists);
}

absl::StatusOr<std::string> ReadPemFile(const std::string& path) {
  return ReadWholeFile<std::string>(path);
}

absl::StatusOr<hsm::SecureBytes> ReadSecretPemFile(const std::string& path) {
  return ReadWholeFile<hsm::SecureBytes>(path);
}

absl::StatusOr<bool> PathExists(const std::string& path) {
  struct stat info;
  if (::lstat(path.c_str(), &info) == 0) return true;
  if (errno == ENOENT) return false;
  return Errno("checking", path);
}

absl::Status EnsurePrivateDirectory(const std::string& path) {
  if (::mkdir(path.c_str(), kPrivateDirectoryMode) == 0) {
    // mkdir applies the umask; chmod does not, so the mode is exactly 0700.
    if (::chmod(path.c_str(), kPrivateDirectoryMode) != 0) {
      return Errno("setting the mode of", path);
    }
    return absl::OkStatus();
  }
  if (errno != EEXIST) return Errno("creating directory", path);
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) return Errno("checking", path);
  if (!S_ISDIR(info.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(path, " exists and is not a directory"));
  }
  return absl::OkStatus();
}

}  // namespace yinjian::pki
