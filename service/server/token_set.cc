#include "service/server/token_set.h"

#include "common/status_macros.h"
#include "hsm/pin.h"

namespace yinjian::server {

absl::StatusOr<TokenSet> OpenTokens(const v1::HsmConfig& hsm) {
  TokenSet set;
  ASSIGN_OR_RETURN(set.module, hsm::Pkcs11Module::Load({.path = hsm.module_path()}));
  auto open = [&](const std::string& label, const std::string& pin_file,
                  const std::string& pin_env) -> absl::Status {
    ASSIGN_OR_RETURN(hsm::SecureBytes pin, hsm::ReadPin({.file = pin_file, .env_var = pin_env}));
    ASSIGN_OR_RETURN(std::unique_ptr<hsm::Token> token,
                     hsm::Token::Open(set.module, {.label = label,
                                                   .pin = std::move(pin),
                                                   .max_sessions = size_t(hsm.max_sessions())}));
    set.tokens.push_back(std::move(token));
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(open(hsm.token_label(), hsm.pin_file(), hsm.pin_env()));
  set.directory = std::make_unique<core::TokenDirectory>(set.tokens.front().get());
  for (const v1::DepartmentToken& extra : hsm.department_tokens()) {
    RETURN_IF_ERROR(open(extra.token_label(), extra.pin_file(), extra.pin_env()));
    RETURN_IF_ERROR(set.directory->Add(set.tokens.back().get()));
  }
  return set;
}

}  // namespace yinjian::server
