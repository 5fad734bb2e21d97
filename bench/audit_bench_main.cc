// audit_bench: what receipts cost. Encrypt and Sign through gRPC with mutual TLS at several
// concurrencies, first against a server that logs every call in the audit log and returns a
// receipt, then against one with audit.disabled_for_benchmarks_only; throughput, p50 and p99
// latency and the mean entries per signed checkpoint (group commit). In the same run it measures
// one store commit and one log-key signature directly (the extra latency receipts may add at low
// load), and the audit log alone under the same concurrencies (docs/performance.md, "Receipts on
// versus off").
//
//   build/bin/audit_bench --seconds 2 --repetitions 3 --concurrency 1,4,16,64 [--json]
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
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/audit_commit_cost.h"
#include "bench/audit_log_load.h"
#include "bench/load_average.h"
#include "bench/receipt_load.h"
#include "bench/receipt_report.h"
#include "bench/service_fixture.h"
#include "bench/service_operations.h"
#include "common/status_macros.h"

namespace yinjian::bench {
namespace {

constexpr char kDefaultModule[] = "/usr/lib/softhsm/libsofthsm2.so";
constexpr ServiceOperation kOperations[] = {ServiceOperation::kEncrypt,
                                            ServiceOperation::kSignEcdsaP256};

struct Flags {
  std::string module;
  double seconds = 1.0;
  int repetitions = 3;
  std::vector<int> concurrency = {1, 4, 16, 64};
  bool json = false;
  bool sm2_signature = false;  // receipts on: checkpoints also signed with SM2
};

void Progress(const std::string& line) { std::fprintf(stderr, "audit_bench: %s\n", line.c_str()); }

// The load averages of the run: before it, between its two halves and after it.
struct Loads {
  std::string before, between, after;
};

std::string Header(const Flags& flags, const Loads& loads) {
  return absl::StrCat(
      "closed loop, ops/s the median of ", flags.repetitions, " runs of ", flags.seconds,
      " s, latency percentiles over all calls of those runs; concurrency ",
      absl::StrJoin(flags.concurrency, ","), "\n",
      absl::FormatTime("%Y-%m-%d %H:%M", absl::Now(), absl::UTCTimeZone()), " UTC; ",
      std::thread::hardware_concurrency(), " CPUs; ", OpenSSL_version(OPENSSL_VERSION),
      flags.sm2_signature ? "; receipts on: checkpoints signed with ECDSA and SM2" : "",
      "; SoftHSM via ", flags.module, "; load average before ", loads.before,
      ", between receipts on and off ", loads.between, ", after ", loads.after, "\n\n");
}

// Starts a service on a fresh token; with receipts on it must keep an audit log, with them off
// it must not.
absl::StatusOr<std::unique_ptr<ServiceFixture>> StartService(const Flags& flags, bool receipts) {
  Progress(absl::StrCat("starting the service with receipts ", receipts ? "on" : "off",
                        " on a throw-away SoftHSM token"));
  ConfigCustomizer customize;
  if (!receipts) {
    customize = [](v1::ServerConfig& config) {
      config.mutable_audit()->set_disabled_for_benchmarks_only(true);
    };
  } else if (flags.sm2_signature) {
    customize = [](v1::ServerConfig& config) { config.mutable_audit()->set_sm2_signature(true); };
  }
  ASSIGN_OR_RETURN(std::unique_ptr<ServiceFixture> fixture,
                   ServiceFixture::Create(flags.module, customize));
  if ((fixture->server().audit_log() != nullptr) != receipts) {
    return absl::InternalError(absl::StrCat("the server ", receipts ? "keeps no" : "keeps an",
                                            " audit log against its configuration"));
  }
  return fixture;
}

ReceiptLoadOptions ReceiptOptions(const Flags& flags) {
  return {.concurrency = flags.concurrency,
          .duration = absl::Seconds(flags.seconds),
          .repetitions = flags.repetitions};
}

void ProgressCells(absl::string_view what, const ReceiptCells& cells) {
  for (const auto& [concurrency, cell] : cells) {
    Progress(absl::StrCat(
        what, " | C=", concurrency, ": ", static_cast<int64_t>(cell.ops_per_sec), "/s, p50 ",
        absl::FormatDuration(cell.latency.p50), ", p99 ", absl::FormatDuration(cell.latency.p99),
        cell.log.commits == 0 ? ""
                              : absl::StrCat(", ", cell.log.entries, " entries in ",
                                             cell.log.commits, " checkpoints")));
  }
}

// Measures every operation on the fixture's service; stores the cells in `on` or `off`.
absl::Status MeasureSide(ServiceFixture& fixture, const Flags& flags, bool receipts,
                         std::vector<ReceiptComparison>& operations) {
  for (ReceiptComparison& op : operations) {
    ASSIGN_OR_RETURN(ReceiptCells cells,
                     MeasureReceiptCells(fixture, op.info.operation, ReceiptOptions(flags)));
    ProgressCells(absl::StrCat(op.info.name, " | receipts ", receipts ? "on" : "off"), cells);
    (receipts ? op.on : op.off) = std::move(cells);
  }
  return absl::OkStatus();
}

// The parts of one commit, and the log on its own, on the token and file system of `fixture`.
absl::Status MeasureLogDirectly(ServiceFixture& fixture, const Flags& flags,
                                ReceiptResults& results) {
  Progress(
      "measuring one store commit, one log-key signature, one checkpoint file write and one "
      "thread handoff");
  ASSIGN_OR_RETURN(
      results.commit_cost,
      MeasureAuditCommitCost(fixture.raw_token(), {.scratch_dir = fixture.scratch().dir(),
                                                   .duration = absl::Seconds(flags.seconds),
                                                   .repetitions = flags.repetitions}));
  const AuditCommitCost& cost = results.commit_cost;
  Progress(absl::StrCat("commit ", absl::FormatDuration(cost.store_commit.p50), ", signature ",
                        absl::FormatDuration(cost.signature.p50), ", checkpoint file ",
                        absl::FormatDuration(cost.checkpoint_file.p50), ", handoff ",
                        absl::FormatDuration(cost.handoff.p50)));
  ASSIGN_OR_RETURN(
      results.log_alone,
      MeasureAuditLogAlone(fixture.raw_token(), fixture.scratch().dir(), ReceiptOptions(flags)));
  ProgressCells("audit log alone", results.log_alone);
  return absl::OkStatus();
}

absl::Status Run(const Flags& flags) {
  Loads loads{.before = LoadAverage()};
  ReceiptResults results;
  for (ServiceOperation operation : kOperations) {
    results.operations.push_back({.info = InfoOf(operation)});
  }

  ASSIGN_OR_RETURN(std::unique_ptr<ServiceFixture> fixture, StartService(flags, true));
  RETURN_IF_ERROR(MeasureLogDirectly(*fixture, flags, results));
  RETURN_IF_ERROR(MeasureSide(*fixture, flags, true, results.operations));
  fixture.reset();  // before the next token is made: one SoftHSM configuration at a time

  loads.between = LoadAverage();
  ASSIGN_OR_RETURN(fixture, StartService(flags, false));
  RETURN_IF_ERROR(MeasureSide(*fixture, flags, false, results.operations));
  fixture.reset();
  loads.after = LoadAverage();

  const std::string report = flags.json ? FormatReceiptJsonLines(results)
                                        : Header(flags, loads) + FormatReceiptTables(results);
  std::fwrite(report.data(), 1, report.size(), stdout);
  std::fflush(stdout);
  return absl::OkStatus();
}

}  // namespace
}  // namespace yinjian::bench

int main(int argc, char** argv) {
  yinjian::bench::Flags flags;
  const char* module = std::getenv("YINJIAN_PKCS11_MODULE");
  flags.module = (module != nullptr && module[0] != '\0') ? module : yinjian::bench::kDefaultModule;

  CLI::App app{"Yinjian Encrypt and Sign with receipts (audit log) on against off."};
  app.add_option("--module", flags.module,
                 "PKCS#11 module of the throw-away SoftHSM tokens (default "
                 "$YINJIAN_PKCS11_MODULE or /usr/lib/softhsm/libsofthsm2.so)");
  app.add_option("--seconds", flags.seconds, "duration of one measurement")
      ->check(CLI::PositiveNumber);
  app.add_option("--repetitions", flags.repetitions,
                 "measurements per cell; the median rate counts")
      ->check(CLI::Range(1, 100));
  app.add_option("--concurrency", flags.concurrency,
                 "calls in flight, comma-separated (default 1,4,16,64)")
      ->delimiter(',')
      ->check(CLI::Range(1, 256));
  app.add_flag("--json", flags.json, "print JSON lines instead of tables");
  app.add_flag("--sm2-signature", flags.sm2_signature,
               "receipts on: checkpoints also carry the SM2 signature line (audit.sm2_signature)");
  CLI11_PARSE(app, argc, argv);

  absl::Status status = yinjian::bench::Run(flags);
  if (!status.ok()) {
    std::fprintf(stderr, "audit_bench: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  return 0;
}
