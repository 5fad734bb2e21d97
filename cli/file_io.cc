#include "cli/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "service/pki/pem_files.h"

namespace yinjian::cli {
namespace {

absl::Status ErrnoError(int error, absl::string_view action, absl::string_view path) {
  const std::string message = absl::StrCat(
      "cannot ", action, " ", path == "-" ? "stdin/stdout" : path, ": ", std::strerror(error));
  switch (error) {
    case ENOENT:
      return absl::NotFoundError(message);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(message);
    default:
      return absl::InternalError(message);
  }
}

absl::Status WriteAll(int fd, absl::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError(errno, "write", path);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> OpenForWriting(const std::string& path, OutputSecrecy secrecy) {
  const mode_t mode = secrecy == OutputSecrecy::kSecret ? 0600 : 0644;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return ErrnoError(errno, "create", path);
  // O_CREAT's mode applies only to new files; an existing file keeps its mode unless we say so.
  if (secrecy == OutputSecrecy::kSecret && ::fchmod(fd, 0600) != 0) {
    const int error = errno;
    ::close(fd);
    return ErrnoError(error, "set mode 0600 on", path);
  }
  return fd;
}

}  // namespace

absl::StatusOr<std::string> ReadFile(const std::string& path, absl::string_view what) {
  auto named = [what](const absl::Status& status) {
    return absl::Status(status.code(), absl::StrCat(what, ": ", status.message()));
  };
  absl::StatusOr<InputReader> reader = InputReader::Open(path);
  if (!reader.ok()) return named(reader.status());
  std::string contents;
  while (true) {
    absl::StatusOr<std::string> chunk = reader->Read(64 * 1024);
    if (!chunk.ok()) return named(chunk.status());
    if (chunk->empty()) return contents;
    contents += *chunk;
  }
}

absl::Status WriteFile(const std::string& path, absl::string_view data, OutputSecrecy secrecy) {
  if (path == "-") return WriteAll(STDOUT_FILENO, data, path);
  ASSIGN_OR_RETURN(const int fd, OpenForWriting(path, secrecy));
  absl::Status written = WriteAll(fd, data, path);
  if (::close(fd) != 0 && written.ok()) written = ErrnoError(errno, "close", path);
  return written;
}

absl::Status ReplaceFileAtomically(const std::string& path, absl::string_view data,
                                   absl::string_view what) {
  if (path.empty() || path == "-") {
    return absl::InvalidArgumentError(absl::StrCat(what, " needs a file name (not -)"));
  }
  const absl::Status written =
      pki::WriteFileAtomically(path, data, /*mode=*/0644, pki::IfExists::kReplace);
  if (written.ok()) return written;
  return absl::Status(written.code(), absl::StrCat(what, ": ", written.message()));
}

absl::StatusOr<InputReader> InputReader::Open(const std::string& path) {
  if (path == "-") return InputReader(STDIN_FILENO, false, path);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(errno, "open", path);
  return InputReader(fd, true, path);
}

InputReader::InputReader(InputReader&& other) noexcept
    : fd_(other.fd_), owned_(other.owned_), path_(std::move(other.path_)) {
  other.owned_ = false;
}

InputReader::~InputReader() {
  if (owned_) ::close(fd_);
}

absl::StatusOr<std::string> InputReader::Read(size_t max_bytes) {
  std::string buffer(max_bytes, '\0');
  size_t filled = 0;
  while (filled < max_bytes) {
    const ssize_t n = ::read(fd_, buffer.data() + filled, max_bytes - filled);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError(errno, "read", path_);
    if (n == 0) break;
    filled += static_cast<size_t>(n);
  }
  buffer.resize(filled);
  return buffer;
}

void Wipe(std::string* secret) {
  ::explicit_bzero(secret->data(), secret->size());
  secret->clear();
}

std::string ToHex(absl::string_view bytes) { return absl::BytesToHexString(bytes); }

absl::StatusOr<std::string> FromHex(absl::string_view hex) {
  hex = absl::StripAsciiWhitespace(hex);
  if (hex.empty() || hex.size() % 2 != 0) {
    return absl::InvalidArgumentError("expected an even, non-zero number of hex digits");
  }
  for (char c : hex) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError("expected hex digits only");
    }
  }
  return absl::HexStringToBytes(hex);
}

}  // namespace yinjian::cli
