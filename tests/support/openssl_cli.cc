#include "tests/support/openssl_cli.h"

#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace yinjian::testing {

absl::StatusOr<ProcessResult> RunOpensslCli(const std::vector<std::string>& args) {
  const char* override_path = std::getenv("YINJIAN_OPENSSL");
  std::vector<std::string> argv = {
      override_path != nullptr && *override_path != '\0' ? override_path : "/usr/bin/openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv);
}

absl::StatusOr<std::string> RunOpensslCliOk(const std::vector<std::string>& args) {
  absl::StatusOr<ProcessResult> result = RunOpensslCli(args);
  if (!result.ok()) return result.status();
  if (result->exit_code != 0) {
    return absl::InternalError(absl::StrCat("openssl ", absl::StrJoin(args, " "), " exited ",
                                            result->exit_code, ": ", result->err));
  }
  return result->out;
}

std::string Hex(const std::vector<uint8_t>& bytes) {
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::vector<uint8_t> Unhex(std::string_view hex) {
  if (hex.size() % 2 != 0) return {};
  for (char c : hex) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return {};
  }
  const std::string raw = absl::HexStringToBytes(absl::string_view(hex.data(), hex.size()));
  return std::vector<uint8_t>(raw.begin(), raw.end());
}

}  // namespace yinjian::testing
