// Runs the `openssl` command-line tool from tests, to cross-check Yinjian's OpenSSL-library code
// against an independent caller of the same primitives.
#ifndef YINJIAN_TESTS_SUPPORT_OPENSSL_CLI_H_
#define YINJIAN_TESTS_SUPPORT_OPENSSL_CLI_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/support/subprocess.h"

namespace yinjian::testing {

// Runs `openssl args...` ($YINJIAN_OPENSSL, else /usr/bin/openssl; no shell involved) and waits
// for it. Fails only if the process cannot be started; a non-zero exit is in exit_code.
absl::StatusOr<ProcessResult> RunOpensslCli(const std::vector<std::string>& args);

// As RunOpensslCli, but INTERNAL (carrying stderr) unless the exit code is 0; returns stdout.
absl::StatusOr<std::string> RunOpensslCliOk(const std::vector<std::string>& args);

// Lowercase hex, and its inverse (an empty result for malformed hex; tests only).
std::string Hex(const std::vector<uint8_t>& bytes);
std::vector<uint8_t> Unhex(std::string_view hex);

}  // namespace yinjian::testing

#endif  // YINJIAN_TESTS_SUPPORT_OPENSSL_CLI_H_
