// The PKCS#11 module and tokens a ServerConfig names, logged in: what the server runs on, and
// what a restore (yinjianctl backup restore) writes into.
#ifndef YINJIAN_SERVICE_SERVER_TOKEN_SET_H_
#define YINJIAN_SERVICE_SERVER_TOKEN_SET_H_

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "hsm/module.h"
#include "hsm/token.h"
#include "service/core/token_directory.h"
#include "yinjian/v1/config.pb.h"

namespace yinjian::server {

struct TokenSet {
  std::shared_ptr<hsm::Pkcs11Module> module;
  std::vector<std::unique_ptr<hsm::Token>> tokens;  // [0] is the default token
  std::unique_ptr<core::TokenDirectory> directory;  // by label, over `tokens`
};

// Loads the module and logs in to the default token and every department token. The errors of
// the module, the PIN files and the tokens.
absl::StatusOr<TokenSet> OpenTokens(const v1::HsmConfig& hsm);

}  // namespace yinjian::server

#endif  // YINJIAN_SERVICE_SERVER_TOKEN_SET_H_
