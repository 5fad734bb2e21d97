#include "bench/service_comparison.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bench/echo_server.h"
#include "bench/raw_rates.h"
#include "common/status_macros.h"

namespace yinjian::bench {
namespace {

// One raw operation of hsm_bench (by display name) on one backend.
struct RawPart {
  std::string name;
  Backend backend;
};

// The raw work behind one service operation: its parts run one after the other, so their
// rates compose as 1 / sum(1 / rate). payload_bytes is the payload the names refer to.
struct RawSpec {
  std::vector<RawPart> parts;
  size_t payload_bytes = kServicePayloadBytes;
};

RawSpec RawSpecOf(ServiceOperation operation) {
  switch (operation) {
    case ServiceOperation::kEncrypt:
    case ServiceOperation::kBatchEncrypt:
      return {{{"AES-256-GCM encrypt 1 KiB", Backend::kPkcs11Session}}};
    case ServiceOperation::kSignEcdsaP256:
      return {{{"ECDSA P-256 sign", Backend::kPkcs11Session}}};
    case ServiceOperation::kSignRsaPss2048:
      return {{{"RSA-2048 PSS sign", Backend::kPkcs11Session}}};
    case ServiceOperation::kSignSm2:
      return {{{"SM2 sign", Backend::kOpenSsl}}};
    case ServiceOperation::kMac:
      return {{{"HMAC-SHA256 1 KiB", Backend::kPkcs11Session}}};
    case ServiceOperation::kGenerateDataKey:
      // The service draws the key from the HSM's generator, then seals it with AES-GCM.
      return {{{"random 32 B", Backend::kPkcs11Session},
               {"AES-256-GCM encrypt 32 B", Backend::kPkcs11Session}},
              32};
  }
  return {};
}

std::string Describe(const RawSpec& spec) {
  return absl::StrJoin(spec.parts, " + ", [](std::string* out, const RawPart& part) {
    absl::StrAppend(out, part.name, " (", BackendName(part.backend), ")");
  });
}

// Measures the spec's parts on `token` (nullptr: software only) with each thread count and
// composes them. A part that is skipped (e.g. the token lacks the mechanism) fails with
// FAILED_PRECONDITION naming the reason.
absl::StatusOr<RateByCount> MeasureSpec(const RawSpec& spec, hsm::Token* token,
                                        const std::vector<int>& threads,
                                        const ComparisonOptions& options) {
  RateByCount inverse_sum;
  for (const RawPart& part : spec.parts) {
    RawRateOptions raw{.token = token,
                       .backends = {part.backend},
                       .thread_counts = threads,
                       .duration = options.duration,
                       .repetitions = options.repetitions,
                       .payload_bytes = spec.payload_bytes};
    ASSIGN_OR_RETURN(std::vector<RateResult> results, MeasureRawOperation(raw, part.name));
    for (int count : threads) {
      const RateResult* rate = FindRate(results, part.name, BackendName(part.backend), count);
      if (rate == nullptr || !rate->measured() || rate->ops_per_sec <= 0) {
        const std::string why =
            rate != nullptr && !rate->skipped.empty() ? rate->skipped : "no rate";
        return absl::FailedPreconditionError(absl::StrCat(part.name, ": ", why));
      }
      inverse_sum[count] += 1.0 / rate->ops_per_sec;
    }
  }
  RateByCount composed;
  for (const auto& [count, inverse] : inverse_sum) composed[count] = 1.0 / inverse;
  return composed;
}

class Comparison {
 public:
  Comparison(ServiceFixture& fixture, P11KitPeer* peer, const ComparisonOptions& options)
      : fixture_(fixture), peer_(peer), options_(options) {}

  absl::Status Start() {
    ASSIGN_OR_RETURN(echo_server_, EchoServer::Start(fixture_.tls()));
    service_channel_ = fixture_.NewChannel();
    echo_channel_ = MakeBenchChannel(fixture_.tls(), echo_server_->port());
    return absl::OkStatus();
  }

  absl::StatusOr<OperationComparison> Measure(const ServiceOperationInfo& info) {
    OperationComparison out{.info = info};
    const RawSpec spec = RawSpecOf(info.operation);
    out.raw_source = Describe(spec);
    ASSIGN_OR_RETURN(out.wire, ProbeWireSizes(service_channel_, info.operation));
    ASSIGN_OR_RETURN(out.raw, Raw(spec));
    Progress(info.name, "raw", out.raw);
    const WireSizes wire = out.wire;
    for (int concurrency : options_.concurrency) {
      LoadOptions load{.concurrency = concurrency, .duration = options_.duration,
                       .repetitions = options_.repetitions};
      ASSIGN_OR_RETURN(RepeatedThroughput echo,
                       MeasureClosedLoop([&] { return MakeEchoCaller(echo_channel_, wire); },
                                         load));
      out.echo[concurrency] = echo.median_ops_per_sec;
      ASSIGN_OR_RETURN(
          RepeatedThroughput service,
          MeasureClosedLoop(
              [&] { return MakeServiceCaller(service_channel_, info.operation).call; }, load));
      out.service[concurrency] = service.median_ops_per_sec * info.items_per_call;
    }
    Progress(info.name, "echo", out.echo);
    Progress(info.name, "service", out.service);
    MeasurePeer(info, spec, out);
    return out;
  }

 private:
  absl::StatusOr<RateByCount> Raw(const RawSpec& spec) {
    const std::string key = Describe(spec);
    auto cached = raw_cache_.find(key);
    if (cached != raw_cache_.end()) return cached->second;
    absl::StatusOr<RateByCount> rates =
        MeasureSpec(spec, &fixture_.raw_token(), options_.raw_threads, options_);
    if (!rates.ok()) {
      return absl::Status(rates.status().code(),
                          absl::StrCat("raw ", key, ": ", rates.status().message()));
    }
    raw_cache_[key] = *rates;
    return rates;
  }

  void MeasurePeer(const ServiceOperationInfo& info, const RawSpec& spec,
                   OperationComparison& out) {
    if (peer_ == nullptr) {
      out.peer_note = options_.no_peer_reason;
      return;
    }
    if (std::any_of(spec.parts.begin(), spec.parts.end(),
                    [](const RawPart& part) { return part.backend == Backend::kOpenSsl; })) {
      out.peer_note = "n/a: software in the service, no PKCS#11 mechanism";
      return;
    }
    const std::string key = Describe(spec);
    auto cached = peer_cache_.find(key);
    if (cached == peer_cache_.end()) {
      absl::StatusOr<RateByCount> rates =
          MeasureSpec(spec, &peer_->token(), options_.concurrency, options_);
      PeerResult result;
      if (rates.ok()) {
        result.rates = *rates;
        result.note = absl::StrCat(key, " via p11-kit-client.so");
      } else {
        result.note = absl::StrCat("n/a: ", rates.status().message());
      }
      cached = peer_cache_.emplace(key, std::move(result)).first;
    }
    out.peer = cached->second.rates;
    out.peer_note = cached->second.note;
    if (!out.peer.empty()) Progress(info.name, "p11-kit peer", out.peer);
    else Progress(info.name, out.peer_note, {});
  }

  void Progress(const std::string& operation, absl::string_view what, const RateByCount& rates) {
    if (!options_.progress) return;
    options_.progress(absl::StrCat(
        operation, " | ", what, rates.empty() ? "" : ": ",
        absl::StrJoin(rates, ", ", [](std::string* s, const std::pair<const int, double>& r) {
          absl::StrAppend(s, r.first, "->", static_cast<int64_t>(r.second), "/s");
        })));
  }

  struct PeerResult {
    RateByCount rates;
    std::string note;
  };

  ServiceFixture& fixture_;
  P11KitPeer* peer_;
  const ComparisonOptions& options_;
  std::unique_ptr<EchoServer> echo_server_;
  std::shared_ptr<grpc::Channel> service_channel_;
  std::shared_ptr<grpc::Channel> echo_channel_;
  std::map<std::string, RateByCount> raw_cache_;
  std::map<std::string, PeerResult> peer_cache_;
};

}  // namespace

absl::StatusOr<std::vector<OperationComparison>> CompareService(
    ServiceFixture& fixture, P11KitPeer* peer, const ComparisonOptions& options) {
  if (options.concurrency.empty() || options.raw_threads.empty()) {
    return absl::InvalidArgumentError("no concurrency or raw thread counts");
  }
  Comparison comparison(fixture, peer, options);
  RETURN_IF_ERROR(comparison.Start());
  std::vector<OperationComparison> results;
  for (const ServiceOperationInfo& info : AllServiceOperations()) {
    if (!MatchesOperationFilter(info.name, options.only)) continue;
    ASSIGN_OR_RETURN(OperationComparison result, comparison.Measure(info));
    results.push_back(std::move(result));
  }
  if (results.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("--only '", options.only,
                                                   "' selects no operation"));
  }
  return results;
}

double RawLimit(const OperationComparison& op, int concurrency) {
  double best = 0;
  for (const auto& [threads, rate] : op.raw) {
    if (threads <= concurrency) best = std::max(best, rate);
  }
  return best;
}

double ComposedLimit(const OperationComparison& op, int concurrency) {
  const double raw = RawLimit(op, concurrency);
  auto echo = op.echo.find(concurrency);
  if (raw <= 0 || echo == op.echo.end() || echo->second <= 0) return 0;
  // The echo rate counts calls; a call of the batch carries items_per_call items.
  const double echo_items = echo->second * op.info.items_per_call;
  return 1.0 / (1.0 / raw + 1.0 / echo_items);
}

std::pair<int, double> Best(const RateByCount& rates) {
  std::pair<int, double> best{0, 0};
  for (const auto& [count, rate] : rates) {
    if (rate > best.second) best = {count, rate};
  }
  return best;
}

}  // namespace yinjian::bench
