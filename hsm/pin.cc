#include "hsm/pin.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"

namespace yinjian::hsm {
namespace {

constexpr size_t kMaxPinBytes = 256;

void TrimTrailingNewline(SecureBytes& pin) {
  if (!pin.empty() && pin.back() == '\n') pin.pop_back();
  if (!pin.empty() && pin.back() == '\r') pin.pop_back();
}

absl::StatusOr<SecureBytes> ReadPinFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    std::string message = absl::StrCat("cannot open PIN file ", path, ": ", std::strerror(err));
    if (err == ENOENT) return absl::NotFoundError(message);
    return absl::FailedPreconditionError(message);
  }
  absl::Cleanup close_fd = [fd] { close(fd); };
  struct stat st = {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat("PIN file ", path, " is not a regular file"));
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "PIN file ", path, " is accessible to group or others; chmod 600 it"));
  }
  SecureBytes pin(kMaxPinBytes + 2);
  size_t used = 0;
  while (used < pin.size()) {
    ssize_t n = read(fd, pin.data() + used, pin.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return absl::FailedPreconditionError(absl::StrCat("cannot read PIN file ", path));
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  pin.resize(used);
  TrimTrailingNewline(pin);
  if (pin.size() > kMaxPinBytes) {
    return absl::InvalidArgumentError(absl::StrCat("PIN in ", path, " is too long"));
  }
  return pin;
}

}  // namespace

absl::StatusOr<SecureBytes> ReadPin(const PinSource& source) {
  if (source.file.empty() == source.env_var.empty()) {
    return absl::InvalidArgumentError("name exactly one PIN source: a file or an env variable");
  }
  SecureBytes pin;
  std::string where;
  if (!source.file.empty()) {
    absl::StatusOr<SecureBytes> from_file = ReadPinFile(source.file);
    if (!from_file.ok()) return from_file.status();
    pin = std::move(*from_file);
    where = absl::StrCat("PIN file ", source.file);
  } else {
    const char* value = std::getenv(source.env_var.c_str());
    if (value == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("environment variable ", source.env_var, " is not set"));
    }
    pin.assign(value, value + std::strlen(value));
    TrimTrailingNewline(pin);
    where = absl::StrCat("environment variable ", source.env_var);
  }
  if (pin.empty()) return absl::InvalidArgumentError(absl::StrCat(where, " holds an empty PIN"));
  return pin;
}

}  // namespace yinjian::hsm
