// A throw-away SoftHSM2 token for tests: a fresh directory with its own softhsm2.conf, token
// store and PIN files, created by softhsm-setup/create-token.sh (the same script `make run`
// uses) and deleted when the object goes away.
//
//   ASSERT_OK_AND_ASSIGN(auto token, SoftHsmToken::Create("test-token"));
//   // SOFTHSM2_CONF now points at token->conf_path; load token->module_path and log in to the
//   // token labelled token->label with the PIN in token->pin_file.
#ifndef YINJIAN_TESTS_SUPPORT_SOFTHSM_TOKEN_H_
#define YINJIAN_TESTS_SUPPORT_SOFTHSM_TOKEN_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace yinjian::testing {

struct SoftHsmToken {
  std::string dir;          // a fresh directory under $TMPDIR (or /tmp); removed by ~SoftHsmToken
  std::string conf_path;    // dir/softhsm2.conf
  std::string module_path;  // $YINJIAN_PKCS11_MODULE, or /usr/lib/softhsm/libsofthsm2.so
  std::string label;        // label of the first token
  std::string pin_file;     // user PIN of the first token (dir/<label>.pin)
  std::string so_pin_file;  // security officer PIN of the first token (dir/<label>.so-pin)

  // Creates a fresh directory holding a configuration and an initialised token labelled `label`
  // with random PINs, and sets SOFTHSM2_CONF in this process's environment to conf_path (so do
  // it before the PKCS#11 module is initialised, and while no other thread reads the
  // environment). Fails with the script's stderr if create-token.sh fails, e.g. for a label
  // outside [A-Za-z0-9._-] or longer than 32 characters.
  static absl::StatusOr<std::unique_ptr<SoftHsmToken>> Create(std::string label);

  // Adds another token labelled `label` to the same directory and configuration, with PINs in
  // PinFile(label) and SoPinFile(label). A module initialised before the call sees the new token
  // only after C_Finalize and C_Initialize. Succeeds without change if the token exists.
  absl::Status AddToken(const std::string& label);

  std::string PinFile(const std::string& token_label) const;
  std::string SoPinFile(const std::string& token_label) const;

  // Removes dir and everything in it, and unsets SOFTHSM2_CONF if it still points at conf_path.
  ~SoftHsmToken();

  // Path of softhsm-setup/create-token.sh in the source tree.
  static std::string CreateTokenScript();
};

// Returns the contents of `path`; aborts the test binary with a message if it cannot be read.
std::string ReadFileOrDie(const std::string& path);

}  // namespace yinjian::testing

#endif  // YINJIAN_TESTS_SUPPORT_SOFTHSM_TOKEN_H_
