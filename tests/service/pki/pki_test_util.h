// Shared helpers for the PKI tests: cross-checks through the `openssl` command-line tool and
// small file-system probes. Header-only (the build compiles only *_test.cc files here).
#ifndef YINJIAN_TESTS_SERVICE_PKI_PKI_TEST_UTIL_H_
#define YINJIAN_TESTS_SERVICE_PKI_PKI_TEST_UTIL_H_

#include <sys/stat.h>
#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "tests/support/openssl_cli.h"

namespace yinjian::testing {

// `openssl x509 -noout -text` of the certificate file at `path`.
inline absl::StatusOr<std::string> CertificateText(const std::string& path) {
  return RunOpensslCliOk({"x509", "-noout", "-text", "-in", path});
}

// Runs `openssl verify -CAfile ca_path [-purpose purpose] cert_path`; exit code 0 means verified.
inline absl::StatusOr<ProcessResult> CliVerify(const std::string& ca_path,
                                               const std::string& cert_path,
                                               const std::string& purpose = "") {
  std::vector<std::string> args = {"verify", "-CAfile", ca_path};
  if (!purpose.empty()) args.insert(args.end(), {"-purpose", purpose});
  args.push_back(cert_path);
  return RunOpensslCli(args);
}

// `openssl x509 -noout -fingerprint -sha256` ("sha256 Fingerprint=AB:CD:...") normalised to
// lowercase hex without colons.
inline absl::StatusOr<std::string> CliFingerprintSha256(const std::string& cert_path) {
  absl::StatusOr<std::string> out =
      RunOpensslCliOk({"x509", "-noout", "-fingerprint", "-sha256", "-in", cert_path});
  if (!out.ok()) return out.status();
  const size_t equals = out->find('=');
  if (equals == std::string::npos) {
    return absl::InternalError(absl::StrCat("unexpected fingerprint output: ", *out));
  }
  std::string hex = absl::StrReplaceAll(out->substr(equals + 1), {{":", ""}});
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(hex));
}

// Permission bits of `path`, or -1 if it cannot be stat'ed.
inline int ModeOf(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) return -1;
  return static_cast<int>(info.st_mode & 07777);
}

// Sets the process umask for the lifetime of the object (tests run one at a time per process).
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : previous_(::umask(mask)) {}
  ScopedUmask(const ScopedUmask&) = delete;
  ScopedUmask& operator=(const ScopedUmask&) = delete;
  ~ScopedUmask() { ::umask(previous_); }

 private:
  mode_t previous_;
};

}  // namespace yinjian::testing

#endif  // YINJIAN_TESTS_SERVICE_PKI_PKI_TEST_UTIL_H_
