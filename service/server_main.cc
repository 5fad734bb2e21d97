// yinjian-server: opens the configured PKCS#11 token, reports its capabilities, and runs until
// SIGINT or SIGTERM. The PIN comes from a file or an environment variable, never from argv.
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "hsm/capabilities.h"
#include "hsm/module.h"
#include "hsm/pin.h"
#include "hsm/token.h"

namespace {

std::string EnvOr(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "yinjian-server: %s\n", std::string(status.message()).c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Yinjian key and signing service"};
  std::string module_path = EnvOr("YINJIAN_PKCS11_MODULE", "/usr/lib/softhsm/libsofthsm2.so");
  std::string label = EnvOr("YINJIAN_TOKEN_LABEL", "");
  std::string pin_file = EnvOr("YINJIAN_PIN_FILE", "");
  std::string pin_env;
  size_t max_sessions = 16;
  bool check_only = false;
  app.add_option("--module", module_path, "PKCS#11 module (.so) path");
  app.add_option("--token-label", label, "label of the token to use")->required(label.empty());
  app.add_option("--pin-file", pin_file, "file holding the user PIN (mode 0600)");
  app.add_option("--pin-env", pin_env, "environment variable holding the user PIN");
  app.add_option("--max-sessions", max_sessions, "PKCS#11 sessions in the pool");
  app.add_flag("--check", check_only, "open the token, report, and exit");
  CLI11_PARSE(app, argc, argv);

  // Block the signals before any thread exists so that every thread inherits the mask and only
  // sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  absl::StatusOr<yinjian::hsm::SecureBytes> pin =
      yinjian::hsm::ReadPin({.file = pin_env.empty() ? pin_file : "", .env_var = pin_env});
  if (!pin.ok()) return Fail(pin.status());
  absl::StatusOr<std::shared_ptr<yinjian::hsm::Pkcs11Module>> module =
      yinjian::hsm::Pkcs11Module::Load({.path = module_path});
  if (!module.ok()) return Fail(module.status());
  absl::StatusOr<std::unique_ptr<yinjian::hsm::Token>> token = yinjian::hsm::Token::Open(
      *module, {.label = label, .pin = std::move(*pin), .max_sessions = max_sessions});
  if (!token.ok()) return Fail(token.status());

  const yinjian::hsm::TokenDescription& d = (*token)->description();
  std::printf("token '%s' (%s %s, serial %s) in %s: %zu mechanisms\n", d.label.c_str(),
              d.manufacturer.c_str(), d.model.c_str(), d.serial_number.c_str(),
              module_path.c_str(), (*token)->mechanisms().size());
  for (const yinjian::hsm::Capability& c : DescribeCapabilities((*token)->mechanisms())) {
    std::printf("  %-18s %s\n", c.name.c_str(), c.supported ? "yes" : "no (token lacks it)");
  }
  std::printf("  %-18s %s\n", "sm2 / sm3 / sm4", "software (OpenSSL), keys wrapped by the HSM");
  if (check_only) return 0;
  std::printf("ready; the gRPC API is not served yet. Stop with Ctrl-C.\n");
  std::fflush(stdout);
  int received = 0;
  sigwait(&signals, &received);
  std::printf("received signal %d, shutting down\n", received);
  return 0;
}
