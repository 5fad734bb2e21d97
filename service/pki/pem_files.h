// The files of a PKI directory: written atomically with an exact mode (whatever the umask), read
// back whole, private keys only into SecureBytes.
#ifndef YINJIAN_SERVICE_PKI_PEM_FILES_H_
#define YINJIAN_SERVICE_PKI_PEM_FILES_H_

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "hsm/secure_bytes.h"

namespace yinjian::pki {

inline constexpr mode_t kPrivateKeyFileMode = 0600;
inline constexpr mode_t kCertificateFileMode = 0644;
inline constexpr mode_t kPrivateDirectoryMode = 0700;

enum class IfExists {
  kReplace,  // atomically replace an existing file
  kFail,     // ALREADY_EXISTS, leaving the existing file untouched
};

// Writes `data` to a new temporary file in `path`'s directory with exactly `mode`, fsyncs it,
// then renames it over `path` (kReplace) or hard-links it to `path` (kFail; the link fails if
// `path` exists, so two writers cannot both win), and fsyncs the directory. Readers see the old
// file or the whole new one, never a partial write. ALREADY_EXISTS as above; otherwise the errno
// status of the failing call (e.g. PERMISSION_DENIED, NOT_FOUND for a missing directory). The
// temporary file is removed on every failure.
absl::Status WriteFileAtomically(const std::string& path, absl::Span<const uint8_t> data,
                                 mode_t mode, IfExists if_exists);
absl::Status WriteFileAtomically(const std::string& path, absl::string_view data, mode_t mode,
                                 IfExists if_exists);

// The contents of `path`: NOT_FOUND if it does not exist, FAILED_PRECONDITION if it is not a
// regular file or is over 1 MiB (no PEM file of ours comes close), otherwise the errno status of
// the failing call.
absl::StatusOr<std::string> ReadPemFile(const std::string& path);
// As ReadPemFile, for private keys: the bytes go straight into SecureBytes.
absl::StatusOr<hsm::SecureBytes> ReadSecretPemFile(const std::string& path);

// Whether anything (a file, directory or dangling symlink) exists at `path`. The errno status of
// lstat for anything but ENOENT.
absl::StatusOr<bool> PathExists(const std::string& path);

// Creates directory `path` with mode 0700 (whatever the umask) if it is missing; its parent must
// exist. An existing directory is left as it is. FAILED_PRECONDITION if `path` exists but is not
// a directory; otherwise the errno status of the failing call.
absl::Status EnsurePrivateDirectory(const std::string& path);

}  // namespace yinjian::pki

#endif  // YINJIAN_SERVICE_PKI_PEM_FILES_H_
