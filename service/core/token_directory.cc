#include "service/core/token_directory.h"

#include "absl/strings/str_cat.h"

namespace yinjian::core {

absl::Status TokenDirectory::Add(hsm::Token* token) {
  const std::string label = token->label();
  if (label == default_token_->label() || by_label_.contains(label)) {
    return absl::AlreadyExistsError(absl::StrCat("token '", label, "' is configured twice"));
  }
  by_label_.emplace(label, token);
  return absl::OkStatus();
}

absl::StatusOr<hsm::Token*> TokenDirectory::Find(absl::string_view label) const {
  if (label.empty() || label == default_token_->label()) return default_token_;
  auto it = by_label_.find(label);
  if (it == by_label_.end()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the server has no HSM token labelled '", label, "' configured"));
  }
  return it->second;
}

}  // namespace yinjian::core
