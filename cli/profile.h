// The client's connection settings: a yinjian.v1.ClientProfile read from a text-format file
// (--profile FILE or $YINJIAN_PROFILE), with command-line flags taking precedence.
#ifndef YINJIAN_CLI_PROFILE_H_
#define YINJIAN_CLI_PROFILE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "yinjian/v1/config.pb.h"

namespace yinjian::cli {

// Connection flags as given on the command line; an empty string means "not given".
struct ConnectionFlags {
  std::string server;
  std::string ca_file;
  std::string certificate_file;
  std::string key_file;
};

// Parses `text` as a ClientProfile in protobuf text format. Relative file names in it are taken
// relative to `base_dir` (the profile's directory) unless that is empty. INVALID_ARGUMENT naming
// `origin`, the line and the column for a syntax error or an unknown field.
absl::StatusOr<v1::ClientProfile> ParseProfileText(absl::string_view text, absl::string_view origin,
                                                   absl::string_view base_dir);

// Reads and parses the profile file at `path`. NOT_FOUND / PERMISSION_DENIED naming the file if
// it cannot be read; otherwise as ParseProfileText with the file's directory as base_dir.
absl::StatusOr<v1::ClientProfile> LoadProfile(const std::string& path);

// `profile` with every non-empty flag replacing the corresponding field.
v1::ClientProfile ApplyConnectionFlags(v1::ClientProfile profile, const ConnectionFlags& flags);

// LoadProfile(profile_path) (or an empty profile if the path is empty) with `flags` applied.
// INVALID_ARGUMENT if no server address results.
absl::StatusOr<v1::ClientProfile> ResolveProfile(const std::string& profile_path,
                                                 const ConnectionFlags& flags);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_PROFILE_H_
