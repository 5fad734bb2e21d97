#include "service/format/names.h"

#include <cstdint>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/status_macros.h"

namespace yinjian::format {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool IsNameChar(char c) { return IsLowerAlnum(c) || c == '-' || c == '_' || c == '.'; }

// Shared rules for department and key names; `what` is "department name" or "key name".
absl::Status ValidateName(absl::string_view name, absl::string_view what, size_t max_length) {
  if (name.empty() || name.size() > max_length) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " must be 1..", max_length, " characters"));
  }
  for (char c : name) {
    if (!IsNameChar(c)) {
      return absl::InvalidArgumentError(absl::StrCat(
          what, " may contain only lowercase ASCII letters, digits, '-', '_' and '.'"));
    }
  }
  if (!IsLowerAlnum(name.front())) {
    return absl::InvalidArgumentError(absl::StrCat(what, " must start with a letter or digit"));
  }
  if (name.find("..") != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(what, " must not contain \"..\""));
  }
  return absl::OkStatus();
}

// Strict decimal: 1..10 digits, no sign, no leading zero, value within 1..INT32_MAX.
absl::StatusOr<int32_t> ParseVersion(absl::string_view text) {
  const absl::Status invalid = absl::InvalidArgumentError(
      "key version must be a decimal integer 1..2147483647 without sign or leading zeros");
  if (text.empty() || text.size() > 10 || text.front() == '0') return invalid;
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return invalid;
    value = value * 10 + (c - '0');
  }
  if (value > std::numeric_limits<int32_t>::max()) return invalid;
  return static_cast<int32_t>(value);
}

}  // namespace

absl::Status ValidateDepartmentName(absl::string_view name) {
  return ValidateName(name, "department name", kMaxDepartmentNameLength);
}

absl::Status ValidateKeyName(absl::string_view name) {
  return ValidateName(name, "key name", kMaxKeyNameLength);
}

absl::Status ValidateKeyVersion(int64_t version) {
  if (version < 1 || version > std::numeric_limits<int32_t>::max()) {
    return absl::InvalidArgumentError("key version must be 1..2147483647");
  }
  return absl::OkStatus();
}

absl::StatusOr<KeyReference> ParseKeyReference(absl::string_view text) {
  const size_t slash = text.find('/');
  if (slash == absl::string_view::npos) {
    return absl::InvalidArgumentError("key reference must be \"department/key[:version]\"");
  }
  const absl::string_view department = text.substr(0, slash);
  absl::string_view key = text.substr(slash + 1);
  absl::string_view version;
  const size_t colon = key.find(':');
  const bool has_version = colon != absl::string_view::npos;
  if (has_version) {
    version = key.substr(colon + 1);
    key = key.substr(0, colon);
  }
  // A second '/' or ':' lands in `key` or `version` and fails their character rules.
  RETURN_IF_ERROR(ValidateDepartmentName(department));
  RETURN_IF_ERROR(ValidateKeyName(key));
  KeyReference reference{.department = std::string(department), .key = std::string(key)};
  if (has_version) {
    ASSIGN_OR_RETURN(reference.version, ParseVersion(version));
  }
  return reference;
}

std::string ToString(const KeyReference& reference) {
  std::string out = absl::StrCat(reference.department, "/", reference.key);
  if (reference.version.has_value()) absl::StrAppend(&out, ":", *reference.version);
  return out;
}

}  // namespace yinjian::format
