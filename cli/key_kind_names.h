// Command-line names for the API's enums (key kinds, protection levels, digest algorithms), in
// both directions, so every command spells them the same way.
#ifndef YINJIAN_CLI_KEY_KIND_NAMES_H_
#define YINJIAN_CLI_KEY_KIND_NAMES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "yinjian/v1/common.pb.h"

namespace yinjian::cli {

// "aes256-gcm" -> KEY_KIND_AES256_GCM, and so on for all 15 kinds. INVALID_ARGUMENT naming the
// unknown kind and listing the valid ones otherwise.
absl::StatusOr<v1::KeyKind> KeyKindFromName(absl::string_view name);

// The command-line name of `kind`, or "unspecified" for a value this client does not know.
std::string KeyKindName(v1::KeyKind kind);

// Every valid kind name, in the order of the KeyKind enum.
std::vector<std::string> KeyKindNames();

// "hsm" / "software". INVALID_ARGUMENT otherwise.
absl::StatusOr<v1::ProtectionLevel> ProtectionLevelFromName(absl::string_view name);
std::string ProtectionLevelName(v1::ProtectionLevel level);

// "sha256" / "sha384" / "sha512" / "sm3". INVALID_ARGUMENT otherwise.
absl::StatusOr<v1::DigestAlgorithm> DigestAlgorithmFromName(absl::string_view name);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_KEY_KIND_NAMES_H_
