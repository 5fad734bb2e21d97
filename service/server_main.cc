// yinjian-server: the Yinjian key and signing service.
//   yinjian-server --config FILE [--check]     run (or only check) a configured server
//   yinjian-server init --data-dir DIR ...     prepare a development set-up (see dev_init.h)
//   yinjian-server bootstrap-admin --config FILE --name N --department D --certificate PEM
//                                              register the first security administrator
// PINs come from files or environment variables named in the config, never from argv.
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "hsm/capabilities.h"
#include "service/server/config.h"
#include "service/server/bootstrap.h"
#include "service/server/dev_init.h"
#include "service/pki/pem_files.h"
#include "service/server/server.h"

namespace {

std::string EnvOr(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "yinjian-server: %s\n", std::string(status.message()).c_str());
  return 1;
}

// What the token can do, so an operator sees which key kinds it can hold (docs/hsm.md).
void PrintCapabilities(const yinjian::hsm::Token& token) {
  const yinjian::hsm::TokenDescription& d = token.description();
  std::printf("token '%s' (%s %s, serial %s): %zu mechanisms\n", d.label.c_str(),
              d.manufacturer.c_str(), d.model.c_str(), d.serial_number.c_str(),
              token.mechanisms().size());
  for (const yinjian::hsm::Capability& c : DescribeCapabilities(token.mechanisms())) {
    std::printf("  %-18s %s\n", c.name.c_str(), c.supported ? "yes" : "no (token lacks it)");
  }
  std::printf("  %-18s %s\n", "sm2 / sm3 / sm4", "software (OpenSSL), keys wrapped by the HSM");
}

int RunInit(const yinjian::server::DevInitOptions& options) {
  absl::StatusOr<yinjian::server::DevInitResult> result =
      yinjian::server::InitDevelopment(options);
  if (!result.ok()) return Fail(result.status());
  for (const std::string& file : result->created_files) std::printf("created %s\n", file.c_str());
  std::printf("config:  %s\nprofile: %s (administrator certificate sha256 %s)\n",
              result->config_path.c_str(), result->profile_path.c_str(),
              result->admin_fingerprint_sha256.c_str());
  return 0;
}

int RunBootstrap(const std::string& config_path, yinjian::server::BootstrapOptions options,
                 const std::string& certificate_path) {
  absl::StatusOr<yinjian::v1::ServerConfig> config =
      yinjian::server::LoadServerConfig(config_path);
  if (!config.ok()) return Fail(config.status());
  absl::StatusOr<std::string> certificate = yinjian::pki::ReadPemFile(certificate_path);
  if (!certificate.ok()) return Fail(certificate.status());
  options.certificate_pem = *std::move(certificate);
  absl::StatusOr<yinjian::server::BootstrapResult> result =
      yinjian::server::BootstrapAdministrator(*config, options);
  if (!result.ok()) return Fail(result.status());
  std::printf("%sprincipal %s (security-admin) of department %s, certificate sha256 %s\n",
              result->created_department ? "created department and " : "",
              options.name.c_str(), options.department.c_str(),
              result->fingerprint_sha256.c_str());
  return 0;
}

int RunServer(const std::string& config_path, bool check_only) {
  // Block the signals before any thread exists, so that only sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  absl::StatusOr<yinjian::v1::ServerConfig> config =
      yinjian::server::LoadServerConfig(config_path);
  if (!config.ok()) return Fail(config.status());
  if (check_only) config->set_listen_address("127.0.0.1:0");
  absl::StatusOr<std::unique_ptr<yinjian::server::Server>> server =
      yinjian::server::Server::Start(*config);
  if (!server.ok()) return Fail(server.status());
  if (check_only) {
    std::printf("configuration %s is valid\n", config_path.c_str());
    for (const auto& token : (*server)->tokens()) PrintCapabilities(*token);
    return 0;
  }
  // The bound port, so that a config with port 0 (tests) still tells clients where to go.
  std::printf("ready: listening on port %d of %s (%s)\n", (*server)->port(),
              config->listen_address().c_str(),
              config->insecure_plaintext_for_development() ? "PLAINTEXT, development only"
                                                           : "mutual TLS");
  std::fflush(stdout);
  int received = 0;
  sigwait(&signals, &received);
  std::printf("received signal %d: finishing in-flight calls\n", received);
  std::fflush(stdout);
  (*server)->Shutdown(absl::Seconds(10));
  (*server)->Wait();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Debian's Abseil checks every lock for deadlock cycles; that is a debugging aid with a cost
  // on every call.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  CLI::App app{"Yinjian key and signing service"};
  app.require_subcommand(0, 1);
  std::string config_path;
  bool check_only = false;
  app.add_option("--config", config_path, "server configuration (text proto, or .json)");
  app.add_flag("--check", check_only, "open the HSM and the store, report, and exit");

  yinjian::server::DevInitOptions init;
  init.module_path = EnvOr("YINJIAN_PKCS11_MODULE", "/usr/lib/softhsm/libsofthsm2.so");
  init.token_label = EnvOr("YINJIAN_TOKEN_LABEL", "");
  init.pin_file = EnvOr("YINJIAN_PIN_FILE", "");
  CLI::App* init_command = app.add_subcommand("init", "prepare a development set-up");
  init_command->add_option("--data-dir", init.data_dir, "data folder")->required();
  init_command->add_option("--module", init.module_path, "PKCS#11 module path");
  init_command->add_option("--token-label", init.token_label, "token label");
  init_command->add_option("--pin-file", init.pin_file, "file holding the user PIN");
  init_command->add_option("--listen", init.listen_address, "address the server will use");
  yinjian::server::BootstrapOptions bootstrap;
  std::string bootstrap_certificate;
  CLI::App* bootstrap_command = app.add_subcommand(
      "bootstrap-admin", "register the first security administrator in the store");
  bootstrap_command->fallthrough();
  bootstrap_command->add_option("--name", bootstrap.name, "principal name")->required();
  bootstrap_command->add_option("--department", bootstrap.department,
                                "its department (created if missing)")
      ->required();
  bootstrap_command->add_option("--certificate", bootstrap_certificate,
                                "its client certificate (PEM)")
      ->required();
  CLI11_PARSE(app, argc, argv);

  if (init_command->parsed()) return RunInit(init);
  if (bootstrap_command->parsed()) {
    if (config_path.empty()) {
      std::fprintf(stderr, "yinjian-server: bootstrap-admin needs --config FILE\n");
      return 2;
    }
    return RunBootstrap(config_path, bootstrap, bootstrap_certificate);
  }
  if (config_path.empty()) {
    std::fprintf(stderr, "yinjian-server: --config FILE is required (or run `init`)\n");
    return 2;
  }
  return RunServer(config_path, check_only);
}
