#include "cli/access_names.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace yinjian::cli {

const std::vector<std::string>& RoleNames() {
  static const auto* const kNames = new std::vector<std::string>{
      "application", "key-officer", "security-admin", "auditor", "destruction-supervisor"};
  return *kNames;
}

const std::vector<std::string>& OperationNames() {
  static const auto* const kNames =
      new std::vector<std::string>{"encrypt", "decrypt", "generate-data-key", "sign",
                                   "verify",  "mac",     "verify-mac",        "get-public-key"};
  return *kNames;
}

const std::vector<std::string>& DataLevelNames() {
  static const auto* const kNames = new std::vector<std::string>{"general", "important", "core"};
  return *kNames;
}

const std::vector<std::string>& SharingClassNames() {
  static const auto* const kNames =
      new std::vector<std::string>{"none", "conditional", "unconditional"};
  return *kNames;
}

const std::vector<std::string>& GrantStateNames() {
  static const auto* const kNames = new std::vector<std::string>{"pending", "active", "revoked"};
  return *kNames;
}

absl::Status CheckName(absl::string_view what, absl::string_view value,
                       const std::vector<std::string>& valid) {
  if (std::find(valid.begin(), valid.end(), value) != valid.end()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("unknown ", what, " \"", value, "\"; valid: ", absl::StrJoin(valid, ", ")));
}

absl::StatusOr<std::vector<std::string>> CheckNames(absl::string_view what,
                                                    const std::vector<std::string>& values,
                                                    const std::vector<std::string>& valid) {
  std::vector<std::string> checked;
  for (const std::string& value : values) {
    if (absl::Status known = CheckName(what, value, valid); !known.ok()) return known;
    if (std::find(checked.begin(), checked.end(), value) == checked.end()) {
      checked.push_back(value);
    }
  }
  return checked;
}

absl::StatusOr<std::string> NormalizeFingerprint(absl::string_view text) {
  std::string hex;
  for (const char c : absl::StripAsciiWhitespace(text)) {
    if (c == ':') continue;
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) {
      hex.clear();
      break;
    }
    hex.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
  }
  if (hex.size() != 64) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", text, "\" is not a SHA-256 fingerprint (64 hex digits, colons allowed)"));
  }
  return hex;
}

}  // namespace yinjian::cli
