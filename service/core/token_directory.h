// The HSM tokens the server uses: a default token, and tokens dedicated to departments (R1).
// Departments name their token by label; an empty label means the default.
#ifndef YINJIAN_SERVICE_CORE_TOKEN_DIRECTORY_H_
#define YINJIAN_SERVICE_CORE_TOKEN_DIRECTORY_H_

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "hsm/token.h"

namespace yinjian::core {

// Does not own the tokens: they must outlive the directory.
class TokenDirectory {
 public:
  explicit TokenDirectory(hsm::Token* default_token) : default_token_(default_token) {}

  // Adds a department token. ALREADY_EXISTS if its label is taken.
  absl::Status Add(hsm::Token* token);

  // The token with this label ("" = default). FAILED_PRECONDITION if the server has no such
  // token configured.
  absl::StatusOr<hsm::Token*> Find(absl::string_view label) const;
  hsm::Token& default_token() const { return *default_token_; }

 private:
  hsm::Token* default_token_;
  std::map<std::string, hsm::Token*, std::less<>> by_label_;
};

}  // namespace yinjian::core

#endif  // YINJIAN_SERVICE_CORE_TOKEN_DIRECTORY_H_
