// service_bench: the service's throughput through gRPC with mutual TLS, against the limits that
// bound it, measured in one run: the raw rate of the same work through hsm/, a gRPC echo with
// the same bytes and TLS, their composition, and the p11-kit server peer.
//
//   build/bin/service_bench --seconds 2 --concurrency 1,2,8,32 [--only 'Encrypt|ecdsa'] [--json]
#include <openssl/crypto.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/load_average.h"
#include "bench/p11kit_peer.h"
#include "bench/service_comparison.h"
#include "bench/service_fixture.h"
#include "bench/service_report.h"
#include "common/status_macros.h"

namespace yinjian::bench {
namespace {

constexpr char kDefaultModule[] = "/usr/lib/softhsm/libsofthsm2.so";

struct Flags {
  std::string module;
  std::string peer_client_module = kDefaultP11KitClientModule;
  bool no_peer = false;
  double seconds = 1.0;
  int repetitions = 3;
  std::vector<int> concurrency = {1, 2, 8, 32};
  std::vector<int> raw_threads = {1, 2};
  std::string only;
  bool json = false;
};

void Progress(const std::string& line) {
  std::fprintf(stderr, "service_bench: %s\n", line.c_str());
}

std::string Header(const Flags& flags, const std::string& load_before) {
  return absl::StrCat(
      "ops/s (BatchEncrypt: items/s), closed loop, median of ", flags.repetitions, " runs of ",
      flags.seconds, " s; concurrency ", absl::StrJoin(flags.concurrency, ","),
      "; raw threads ", absl::StrJoin(flags.raw_threads, ","), "\n",
      absl::FormatTime("%Y-%m-%d %H:%M", absl::Now(), absl::UTCTimeZone()), " UTC; ",
      std::thread::hardware_concurrency(), " CPUs; ", OpenSSL_version(OPENSSL_VERSION),
      "; SoftHSM via ", flags.module, "; load average before ", load_before, ", after ",
      LoadAverage(), "\n\n");
}

absl::Status Run(const Flags& flags) {
  const std::string load_before = LoadAverage();
  Progress("starting the service on a throw-away SoftHSM token");
  ASSIGN_OR_RETURN(std::unique_ptr<ServiceFixture> fixture, ServiceFixture::Create(flags.module));
  ComparisonOptions options{.concurrency = flags.concurrency,
                            .raw_threads = flags.raw_threads,
                            .duration = absl::Seconds(flags.seconds),
                            .repetitions = flags.repetitions,
                            .only = flags.only,
                            .progress = Progress};
  // A missing p11-kit only costs the peer column, not the run.
  std::unique_ptr<P11KitPeer> peer;
  if (flags.no_peer) {
    options.no_peer_reason = "not measured (--no-peer)";
  } else {
    Progress("starting p11-kit server on the same token");
    absl::StatusOr<std::unique_ptr<P11KitPeer>> started =
        P11KitPeer::Start({.provider_module = flags.module,
                           .client_module = flags.peer_client_module,
                           .token_label = fixture->scratch().label(),
                           .pin_file = fixture->scratch().pin_file(),
                           .socket_dir = fixture->scratch().dir()});
    if (started.ok()) {
      peer = std::move(*started);
    } else {
      options.no_peer_reason = absl::StrCat("n/a: p11-kit peer did not start: ",
                                            started.status().message());
      Progress(options.no_peer_reason);
    }
  }
  ASSIGN_OR_RETURN(std::vector<OperationComparison> results,
                   CompareService(*fixture, peer.get(), options));
  peer.reset();
  const std::string report = flags.json ? FormatComparisonJsonLines(results)
                                        : Header(flags, load_before) +
                                              FormatComparisonTables(results);
  std::fwrite(report.data(), 1, report.size(), stdout);
  std::fflush(stdout);
  return absl::OkStatus();
}

}  // namespace
}  // namespace yinjian::bench

int main(int argc, char** argv) {
  yinjian::bench::Flags flags;
  const char* module = std::getenv("YINJIAN_PKCS11_MODULE");
  flags.module = (module != nullptr && module[0] != '\0') ? module
                                                          : yinjian::bench::kDefaultModule;

  CLI::App app{"Yinjian service throughput against raw HSM, gRPC echo and p11-kit server."};
  app.add_option("--module", flags.module,
                 "PKCS#11 module of the throw-away SoftHSM token (default "
                 "$YINJIAN_PKCS11_MODULE or /usr/lib/softhsm/libsofthsm2.so)");
  app.add_option("--seconds", flags.seconds, "duration of one measurement")
      ->check(CLI::PositiveNumber);
  app.add_option("--repetitions", flags.repetitions, "measurements per cell; the median counts")
      ->check(CLI::Range(1, 100));
  app.add_option("--concurrency", flags.concurrency,
                 "calls in flight, comma-separated (default 1,2,8,32)")
      ->delimiter(',')
      ->check(CLI::Range(1, 256));
  app.add_option("--raw-threads", flags.raw_threads,
                 "thread counts of the raw measurement (default 1,2)")
      ->delimiter(',')
      ->check(CLI::Range(1, 256));
  app.add_option("--only", flags.only,
                 "operations whose name contains one of these '|'-separated substrings");
  app.add_option("--peer-client-module", flags.peer_client_module,
                 "p11-kit's client module (default " +
                     std::string(yinjian::bench::kDefaultP11KitClientModule) + ")");
  app.add_flag("--no-peer", flags.no_peer, "do not start or measure the p11-kit peer");
  app.add_flag("--json", flags.json, "print JSON lines instead of tables");
  CLI11_PARSE(app, argc, argv);

  absl::Status status = yinjian::bench::Run(flags);
  if (!status.ok()) {
    std::fprintf(stderr, "service_bench: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  return 0;
}
