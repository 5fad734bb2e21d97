// Reading inputs and writing outputs for yinjianctl: "-" means stdin / stdout, all binary-safe.
#ifndef YINJIAN_CLI_FILE_IO_H_
#define YINJIAN_CLI_FILE_IO_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace yinjian::cli {

// Reads all of `path` ("-": stdin). `what` names the file in errors ("input", "profile").
// NOT_FOUND, PERMISSION_DENIED or INTERNAL naming the file otherwise.
absl::StatusOr<std::string> ReadFile(const std::string& path, absl::string_view what);

// Whether an output file holds secrets (plaintext, random bytes) or public data.
enum class OutputSecrecy {
  kPublic,  // ciphertexts, signatures, public keys: created with mode 0644 (less the umask)
  kSecret,  // created, or an existing file re-moded, with mode 0600 before anything is written
};

// Writes `data` to `path` ("-": stdout), replacing any existing file.
absl::Status WriteFile(const std::string& path, absl::string_view data, OutputSecrecy secrecy);

// Writes public `data` (receipts, exports, the log key) to `path` with mode 0644 through a
// temporary file renamed into place, so readers see the old file or the whole new one, never a
// partial write. `what` names the flag in errors. INVALID_ARGUMENT for "-" or an empty path
// (these files are never printed); otherwise the errno status of the failing call.
absl::Status ReplaceFileAtomically(const std::string& path, absl::string_view data,
                                   absl::string_view what);

// Reads a file ("-": stdin) piece by piece, for inputs too large to hold at once.
class InputReader {
 public:
  // Opens `path`. As ReadFile for the errors.
  static absl::StatusOr<InputReader> Open(const std::string& path);

  InputReader(InputReader&& other) noexcept;
  InputReader& operator=(InputReader&&) = delete;
  InputReader(const InputReader&) = delete;
  ~InputReader();

  // Up to `max_bytes` more bytes, fewer only at the end of the input; empty at the end.
  absl::StatusOr<std::string> Read(size_t max_bytes);

 private:
  InputReader(int fd, bool owned, std::string path) : fd_(fd), owned_(owned), path_(path) {}

  int fd_;
  bool owned_;
  std::string path_;
};

// Overwrites a string's bytes (which may have held a secret) before it is freed.
void Wipe(std::string* secret);

// Lowercase hex of `bytes`.
std::string ToHex(absl::string_view bytes);

// The bytes of `hex` (either case; surrounding whitespace ignored). INVALID_ARGUMENT if it is
// not an even number of hex digits.
absl::StatusOr<std::string> FromHex(absl::string_view hex);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_FILE_IO_H_
