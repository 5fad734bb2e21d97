#include "tests/support/softhsm_token.h"

#include <stdlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "tests/support/subprocess.h"

namespace yinjian::testing {
namespace {

constexpr char kDefaultModule[] = "/usr/lib/softhsm/libsofthsm2.so";

std::string TempRoot() {
  const char* tmpdir = getenv("TMPDIR");
  return (tmpdir != nullptr && tmpdir[0] == '/') ? tmpdir : "/tmp";
}

// Runs create-token.sh for `label` in `dir`. The module path reaches the script through the
// inherited YINJIAN_PKCS11_MODULE, if set.
absl::Status RunCreateToken(const std::string& dir, const std::string& label) {
  absl::StatusOr<ProcessResult> result = RunProcess(
      {"/bin/bash", SoftHsmToken::CreateTokenScript(), "--dir", dir, "--label", label});
  if (!result.ok()) return result.status();
  if (result->exit_code != 0) {
    return absl::InternalError(absl::StrCat("create-token.sh --label ", label, " exited with ",
                                            result->exit_code, ": ", result->err));
  }
  return absl::OkStatus();
}

}  // namespace

std::string SoftHsmToken::CreateTokenScript() {
  return absl::StrCat(YINJIAN_SOURCE_DIR, "/softhsm-setup/create-token.sh");
}

absl::StatusOr<std::unique_ptr<SoftHsmToken>> SoftHsmToken::Create(std::string label) {
  std::string dir_template = TempRoot() + "/yinjian-softhsm-XXXXXX";
  if (mkdtemp(dir_template.data()) == nullptr) {
    return absl::InternalError(
        absl::StrCat("mkdtemp ", dir_template, ": ", std::strerror(errno)));
  }
  // From here the destructor removes the directory, whatever fails next.
  auto token = std::make_unique<SoftHsmToken>();
  token->dir = dir_template;
  token->conf_path = token->dir + "/softhsm2.conf";
  const char* module = getenv("YINJIAN_PKCS11_MODULE");
  token->module_path = (module != nullptr && module[0] != '\0') ? module : kDefaultModule;
  token->label = std::move(label);
  token->pin_file = token->PinFile(token->label);
  token->so_pin_file = token->SoPinFile(token->label);

  if (absl::Status status = RunCreateToken(token->dir, token->label); !status.ok()) {
    return status;
  }
  if (setenv("SOFTHSM2_CONF", token->conf_path.c_str(), /*overwrite=*/1) != 0) {
    return absl::InternalError(absl::StrCat("setenv SOFTHSM2_CONF: ", std::strerror(errno)));
  }
  return token;
}

absl::Status SoftHsmToken::AddToken(const std::string& token_label) {
  return RunCreateToken(dir, token_label);
}

std::string SoftHsmToken::PinFile(const std::string& token_label) const {
  return absl::StrCat(dir, "/", token_label, ".pin");
}

std::string SoftHsmToken::SoPinFile(const std::string& token_label) const {
  return absl::StrCat(dir, "/", token_label, ".so-pin");
}

SoftHsmToken::~SoftHsmToken() {
  const char* conf = getenv("SOFTHSM2_CONF");
  if (conf != nullptr && conf_path == conf) unsetenv("SOFTHSM2_CONF");
  if (dir.empty()) return;
  std::error_code error;
  std::filesystem::remove_all(dir, error);
  if (error) {
    std::fprintf(stderr, "SoftHsmToken: cannot remove %s: %s\n", dir.c_str(),
                 error.message().c_str());
  }
}

std::string ReadFileOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "ReadFileOrDie: cannot open %s\n", path.c_str());
    std::abort();
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

}  // namespace yinjian::testing
