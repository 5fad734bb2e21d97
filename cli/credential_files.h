// The files `principal add --out-dir` and `principal add-cert --out-dir` leave behind: the new
// private key (mode 0600), its certificate, and a profile that uses them. Each is written
// atomically and never over an existing file.
#ifndef YINJIAN_CLI_CREDENTIAL_FILES_H_
#define YINJIAN_CLI_CREDENTIAL_FILES_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "hsm/secure_bytes.h"
#include "yinjian/v1/config.pb.h"

namespace yinjian::cli {

// Absolute paths.
struct CredentialPaths {
  std::string key;          // DIR/BASE.key
  std::string certificate;  // DIR/BASE.crt
  std::string profile;      // DIR/BASE.profile
};

// The paths for `base` in `dir` (made absolute against the current directory). INVALID_ARGUMENT
// if `base` cannot be a file name of its own: empty, starting with '.', or holding '/'.
absl::StatusOr<CredentialPaths> CredentialPathsFor(const std::string& dir, absl::string_view base);

// Creates `dir` with mode 0700 if it is missing (its parent must exist). FAILED_PRECONDITION if
// it exists but is not a directory; otherwise the errno status of the failing call.
absl::Status EnsureCredentialDirectory(const std::string& dir);

// OK if none of `paths` exists yet. ALREADY_EXISTS naming the first that does (nothing is ever
// overwritten); otherwise the errno status of the failing call.
absl::Status CheckCredentialPathsFree(const CredentialPaths& paths);

// The profile for the new credential: `current`'s server and CA file (made absolute), its
// plaintext setting, and `paths`' certificate and key. On a development plaintext profile,
// development_principal becomes `principal`.
v1::ClientProfile ProfileForCredential(const v1::ClientProfile& current,
                                       const CredentialPaths& paths, absl::string_view principal);

// `profile` in text format, after a comment line saying who it is for.
std::string ProfileText(const v1::ClientProfile& profile, absl::string_view principal);

// Writes the key (0600), the certificate (0644) and the profile (0644), in that order, each
// atomically and only if its path is still free. ALREADY_EXISTS naming a path taken meanwhile;
// otherwise the errno status of the failing call. Files already written are left in place.
absl::Status WriteCredentialFiles(const CredentialPaths& paths, const hsm::SecureBytes& key_pem,
                                  absl::string_view certificate_pem,
                                  const v1::ClientProfile& profile, absl::string_view principal);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_CREDENTIAL_FILES_H_
