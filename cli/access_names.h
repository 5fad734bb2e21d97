// The names the access API spells as strings (keys.proto KeyPolicy, access.proto): roles, key
// operations, data levels, sharing classes and grant states, checked here so a typo is a usage
// error before any connection is made.
#ifndef YINJIAN_CLI_ACCESS_NAMES_H_
#define YINJIAN_CLI_ACCESS_NAMES_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace yinjian::cli {

// "application", "key-officer", "security-admin", "auditor", "destruction-supervisor".
const std::vector<std::string>& RoleNames();
// "encrypt", "decrypt", "generate-data-key", "sign", "verify", "mac", "verify-mac",
// "get-public-key".
const std::vector<std::string>& OperationNames();
// "general", "important", "core".
const std::vector<std::string>& DataLevelNames();
// "none", "conditional", "unconditional".
const std::vector<std::string>& SharingClassNames();
// A grant's stored state, as ListGrants filters on it: "pending", "active", "revoked".
const std::vector<std::string>& GrantStateNames();

// OK if `value` is one of `valid`. INVALID_ARGUMENT otherwise: `unknown <what> "value"; valid:
// a, b, c`.
absl::Status CheckName(absl::string_view what, absl::string_view value,
                       const std::vector<std::string>& valid);

// `values` with each checked as by CheckName and repeats dropped (first occurrence kept).
absl::StatusOr<std::vector<std::string>> CheckNames(absl::string_view what,
                                                    const std::vector<std::string>& values,
                                                    const std::vector<std::string>& valid);

// A certificate's SHA-256 fingerprint as the API spells it (64 lowercase hex digits), from hex in
// either case, with or without the colons `openssl x509 -fingerprint` prints. INVALID_ARGUMENT
// for anything else.
absl::StatusOr<std::string> NormalizeFingerprint(absl::string_view text);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_ACCESS_NAMES_H_
