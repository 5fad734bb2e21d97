// Parses repeated `--context k=v` flags into an encryption context.
#ifndef YINJIAN_CLI_CONTEXT_FLAGS_H_
#define YINJIAN_CLI_CONTEXT_FLAGS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace yinjian::cli {

// Each entry is "key=value", split at the first '='; the value may itself contain '=' and may be
// empty. INVALID_ARGUMENT for an entry without '=', an empty key or a key given twice.
absl::StatusOr<std::map<std::string, std::string>> ParseContextFlags(
    const std::vector<std::string>& entries);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_CONTEXT_FLAGS_H_
