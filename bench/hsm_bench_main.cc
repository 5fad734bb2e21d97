// hsm_bench: raw operation rates of Yinjian's PKCS#11 layer and of OpenSSL, as a markdown table
// (or JSON lines with --json). Without --token-label it measures a throw-away SoftHSM token.
//
//   build/bin/hsm_bench --seconds 1 --threads 1,2 [--only 'sign|GCM'] [--json]
#include <openssl/crypto.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "bench/rate_report.h"
#include "bench/raw_rates.h"
#include "bench/scratch_token.h"
#include "common/status_macros.h"
#include "hsm/module.h"
#include "hsm/pin.h"
#include "hsm/token.h"

namespace yinjian::bench {
namespace {

constexpr char kDefaultModule[] = "/usr/lib/softhsm/libsofthsm2.so";
constexpr char kScratchLabel[] = "yinjian-bench";

struct Flags {
  std::string module;
  std::string token_label;
  std::string pin_file;
  double seconds = 1.0;
  int repetitions = 3;
  std::vector<int> threads = {1, 2};
  std::vector<std::string> backends = {"pkcs11-token", "pkcs11-session", "openssl"};
  size_t payload_bytes = 1024;
  std::string only;
  bool json = false;
};

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return (value != nullptr && value[0] != '\0') ? std::string(value) : fallback;
}

void PrintProgress(const RateResult& result) {
  std::string rate = result.measured() ? absl::StrCat(FormatOpsPerSec(result.ops_per_sec), " ops/s")
                                       : absl::StrCat("skipped (", result.skipped, ")");
  std::fprintf(stderr, "hsm_bench: %s | %s | %d thread(s): %s\n", result.operation.c_str(),
               result.backend.c_str(), result.threads, rate.c_str());
}

std::string Header(const Flags& flags, const hsm::Token& token) {
  const hsm::TokenDescription& description = token.description();
  return absl::StrCat(
      "ops/s, median of ", flags.repetitions, " runs of ", flags.seconds, " s; payload ",
      PayloadText(flags.payload_bytes), "; signatures over a ", kSignedMessageBytes,
      "-byte message\n", "token '", description.label, "' (", description.manufacturer, " ",
      description.model, ") via ", flags.module, "; ", OpenSSL_version(OPENSSL_VERSION), "; ",
      std::thread::hardware_concurrency(), " CPUs\n\n");
}

absl::Status Run(Flags flags) {
  if (std::none_of(AllRawOperations().begin(), AllRawOperations().end(),
                   [&](RawOperation operation) {
                     return MatchesOperationFilter(
                         RawOperationName(operation, flags.payload_bytes), flags.only);
                   })) {
    return absl::InvalidArgumentError(absl::StrCat("--only '", flags.only,
                                                   "' selects no operation"));
  }
  // Declared first so that it is destroyed last, after the token and module let go of it.
  std::unique_ptr<ScratchToken> scratch;
  if (flags.token_label.empty()) {
    std::fprintf(stderr, "hsm_bench: no --token-label: creating a throw-away SoftHSM token\n");
    ASSIGN_OR_RETURN(scratch, ScratchToken::Create(flags.module, kScratchLabel));
    flags.token_label = scratch->label();
    flags.pin_file = scratch->pin_file();
  } else if (flags.pin_file.empty()) {
    return absl::InvalidArgumentError("--token-label needs --pin-file (or YINJIAN_PIN_FILE)");
  }
  ASSIGN_OR_RETURN(std::shared_ptr<hsm::Pkcs11Module> module,
                   hsm::Pkcs11Module::Load({.path = flags.module}));
  ASSIGN_OR_RETURN(hsm::SecureBytes pin, hsm::ReadPin({.file = flags.pin_file}));
  ASSIGN_OR_RETURN(std::unique_ptr<hsm::Token> token,
                   hsm::Token::Open(module, {.label = flags.token_label, .pin = std::move(pin)}));

  std::vector<Backend> backends;
  for (const std::string& name : flags.backends) {
    std::optional<Backend> backend = BackendFromName(name);
    if (!backend.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat("unknown backend '", name, "'"));
    }
    backends.push_back(*backend);
  }
  RawRateOptions options{
      .token = token.get(),
      .only = flags.only,
      .backends = std::move(backends),
      .thread_counts = flags.threads,
      .duration = absl::Seconds(flags.seconds),
      .repetitions = flags.repetitions,
      .payload_bytes = flags.payload_bytes,
      .on_result = PrintProgress,
  };
  ASSIGN_OR_RETURN(std::vector<RateResult> results, MeasureRawRates(options));
  const std::string report = flags.json ? FormatRateJsonLines(results)
                                        : Header(flags, *token) + FormatRateTable(results);
  std::fwrite(report.data(), 1, report.size(), stdout);
  std::fflush(stdout);
  return absl::OkStatus();
}

}  // namespace
}  // namespace yinjian::bench

int main(int argc, char** argv) {
  using yinjian::bench::EnvOr;
  yinjian::bench::Flags flags;
  flags.module = EnvOr("YINJIAN_PKCS11_MODULE", yinjian::bench::kDefaultModule);
  flags.token_label = EnvOr("YINJIAN_TOKEN_LABEL", "");
  flags.pin_file = EnvOr("YINJIAN_PIN_FILE", "");

  CLI::App app{"Raw operation rates of Yinjian's PKCS#11 layer and of OpenSSL."};
  app.add_option("--module", flags.module,
                 "PKCS#11 module (default $YINJIAN_PKCS11_MODULE or " +
                     std::string(yinjian::bench::kDefaultModule) + ")");
  app.add_option("--token-label", flags.token_label,
                 "token to measure (default $YINJIAN_TOKEN_LABEL; if none, a throw-away SoftHSM "
                 "token is created)");
  app.add_option("--pin-file", flags.pin_file, "user PIN file (default $YINJIAN_PIN_FILE)");
  app.add_option("--seconds", flags.seconds, "duration of one measurement")
      ->check(CLI::PositiveNumber);
  app.add_option("--repetitions", flags.repetitions, "measurements per cell; the median counts")
      ->check(CLI::Range(1, 100));
  app.add_option("--threads", flags.threads, "thread counts, comma-separated (default 1,2)")
      ->delimiter(',')
      ->check(CLI::Range(1, 256));
  app.add_option("--backends", flags.backends,
                 "comma-separated subset of pkcs11-token,pkcs11-session,openssl")
      ->delimiter(',');
  app.add_option("--payload", flags.payload_bytes, "payload bytes (default 1024)")
      ->check(CLI::Range(1, 1 << 20));
  app.add_option("--only", flags.only,
                 "operations whose name contains one of these '|'-separated substrings");
  app.add_flag("--json", flags.json, "print JSON lines instead of a table");
  CLI11_PARSE(app, argc, argv);

  absl::Status status = yinjian::bench::Run(std::move(flags));
  if (!status.ok()) {
    std::fprintf(stderr, "hsm_bench: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  return 0;
}
