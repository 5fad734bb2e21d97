#include "cli/context_flags.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace yinjian::cli {

absl::StatusOr<std::map<std::string, std::string>> ParseContextFlags(
    const std::vector<std::string>& entries) {
  std::map<std::string, std::string> context;
  for (const std::string& entry : entries) {
    const size_t equals = entry.find('=');
    if (equals == std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("--context \"", entry, "\" is not of the form key=value"));
    }
    std::string key = entry.substr(0, equals);
    if (key.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("--context \"", entry, "\" has an empty key"));
    }
    if (!context.emplace(key, entry.substr(equals + 1)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("--context key \"", key, "\" is given more than once"));
    }
  }
  return context;
}

}  // namespace yinjian::cli
