// Key names: `department/key`, optionally `department/key:version`.
//
// A department is 1..64 characters and a key name 1..128 characters, drawn from lowercase ASCII
// letters, digits, '-', '_' and '.'; each starts with a letter or digit and never contains "..".
// A version is a decimal integer 1..2^31-1 written without sign or leading zeros.
//
// Names end up in ciphertext headers, store rows and logs, so the rules keep them printable,
// unambiguous ('/' and ':' are separators) and free of path tricks ("..", leading '-').
#ifndef YINJIAN_SERVICE_FORMAT_NAMES_H_
#define YINJIAN_SERVICE_FORMAT_NAMES_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace yinjian::format {

inline constexpr size_t kMaxDepartmentNameLength = 64;
inline constexpr size_t kMaxKeyNameLength = 128;

// OK if `name` is a valid department name. INVALID_ARGUMENT naming the rule broken otherwise;
// the message never repeats `name`.
absl::Status ValidateDepartmentName(absl::string_view name);

// OK if `name` is a valid key name (the part after '/'). INVALID_ARGUMENT naming the rule broken
// otherwise; the message never repeats `name`.
absl::Status ValidateKeyName(absl::string_view name);

// OK if `version` is a valid key version, 1..2^31-1. INVALID_ARGUMENT otherwise.
absl::Status ValidateKeyVersion(int64_t version);

struct KeyReference {
  std::string department;
  std::string key;
  std::optional<int32_t> version;  // absent: "the current version", resolved by the store

  friend bool operator==(const KeyReference&, const KeyReference&) = default;
};

// Parses "department/key" or "department/key:version". INVALID_ARGUMENT if there is not exactly
// one '/', a part fails the rules above, or the version is empty, signed, has leading zeros, is
// not decimal or is out of range.
absl::StatusOr<KeyReference> ParseKeyReference(absl::string_view text);

// "department/key" or "department/key:version"; the inverse of ParseKeyReference for valid
// references.
std::string ToString(const KeyReference& reference);

}  // namespace yinjian::format

#endif  // YINJIAN_SERVICE_FORMAT_NAMES_H_
