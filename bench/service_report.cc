#include "bench/service_report.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/rate_report.h"

namespace yinjian::bench {
namespace {

std::string Rate(double rate) { return rate > 0 ? FormatOpsPerSec(rate) : "-"; }

std::string Ratio(double numerator, double denominator) {
  if (numerator <= 0 || denominator <= 0) return "n/a";
  return absl::StrFormat("%.2f", numerator / denominator);
}

std::string Verdict(double numerator, double denominator, double target) {
  if (numerator <= 0 || denominator <= 0) return "n/a";
  const double ratio = numerator / denominator;
  return absl::StrFormat("%.2f (%s)", ratio, ratio >= target ? "met" : "missed");
}

double At(const RateByCount& rates, int count) {
  auto found = rates.find(count);
  return found == rates.end() ? 0 : found->second;
}

// The concurrency with the highest composed limit, and that limit.
std::pair<int, double> BestComposed(const OperationComparison& op) {
  std::pair<int, double> best{0, 0};
  for (const auto& [concurrency, unused] : op.service) {
    const double limit = ComposedLimit(op, concurrency);
    if (limit > best.second) best = {concurrency, limit};
  }
  return best;
}

void AppendSummary(absl::Span<const OperationComparison> results, std::string& out) {
  absl::StrAppend(&out,
                  "| operation | service (best) | raw HSM (best) | echo | composed limit | "
                  "service / composed | p11-kit peer (best) | service / peer |\n"
                  "|---|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const OperationComparison& op : results) {
    const auto [service_c, service] = Best(op.service);
    const auto [composed_c, composed] = BestComposed(op);
    const auto [raw_threads, raw] = Best(op.raw);
    const auto [peer_threads, peer] = Best(op.peer);
    absl::StrAppend(&out, "| ", op.info.name, " | ", Rate(service), " (C=", service_c, ") | ",
                    Rate(raw), " (", raw_threads, " thr) | ", Rate(At(op.echo, composed_c)),
                    " (C=", composed_c, ") | ", Rate(composed), " (C=", composed_c, ") | ",
                    Verdict(service, composed, kComposedTarget), " | ",
                    peer > 0 ? absl::StrCat(Rate(peer), " (", peer_threads, " thr)") : "n/a",
                    " | ", Ratio(service, peer), " |\n");
  }
}

void AppendDetail(absl::Span<const OperationComparison> results, std::string& out) {
  absl::StrAppend(&out,
                  "| operation | C | service | raw limit | echo | composed | service / composed "
                  "| peer | service / peer |\n"
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const OperationComparison& op : results) {
    for (const auto& [concurrency, service] : op.service) {
      const double composed = ComposedLimit(op, concurrency);
      const double peer = At(op.peer, concurrency);
      absl::StrAppend(&out, "| ", op.info.name, " | ", concurrency, " | ", Rate(service), " | ",
                      Rate(RawLimit(op, concurrency)), " | ", Rate(At(op.echo, concurrency)),
                      " | ", Rate(composed), " | ", Ratio(service, composed), " | ",
                      peer > 0 ? Rate(peer) : "n/a", " | ", Ratio(service, peer), " |\n");
    }
  }
}

void AppendNotes(absl::Span<const OperationComparison> results, std::string& out) {
  for (const OperationComparison& op : results) {
    if (op.info.items_per_call > 1) {
      absl::StrAppend(&out, "\n", op.info.name, ": ", Rate(Best(op.service).second),
                      " items/s against raw ", Rate(Best(op.raw).second), "/s: ",
                      Verdict(Best(op.service).second, Best(op.raw).second, kBatchRawTarget),
                      " (target ", kBatchRawTarget, ")\n");
    }
  }
  absl::StrAppend(&out, "\nRaw and peer columns measure:\n");
  std::set<std::string> seen;
  for (const OperationComparison& op : results) {
    if (!seen.insert(op.info.name).second) continue;
    absl::StrAppend(&out, "- ", op.info.name, " (", op.wire.request_bytes, " B request, ",
                    op.wire.response_bytes, " B response): raw ", op.raw_source, "; peer ",
                    op.peer_note, "\n");
  }
}

google::protobuf::Value RatesValue(const RateByCount& rates) {
  google::protobuf::Value value;
  auto* fields = value.mutable_struct_value()->mutable_fields();
  for (const auto& [count, rate] : rates) (*fields)[absl::StrCat(count)].set_number_value(rate);
  return value;
}

}  // namespace

std::string FormatComparisonTables(absl::Span<const OperationComparison> results) {
  std::string out;
  AppendSummary(results, out);
  absl::StrAppend(&out, "\n");
  AppendDetail(results, out);
  AppendNotes(results, out);
  return out;
}

std::string FormatComparisonJsonLines(absl::Span<const OperationComparison> results) {
  std::string out;
  for (const OperationComparison& op : results) {
    google::protobuf::Struct line;
    auto& fields = *line.mutable_fields();
    fields["operation"].set_string_value(op.info.name);
    fields["items_per_call"].set_number_value(op.info.items_per_call);
    fields["request_bytes"].set_number_value(double(op.wire.request_bytes));
    fields["response_bytes"].set_number_value(double(op.wire.response_bytes));
    fields["raw_source"].set_string_value(op.raw_source);
    fields["raw"] = RatesValue(op.raw);
    fields["service"] = RatesValue(op.service);
    fields["echo"] = RatesValue(op.echo);
    RateByCount composed;
    for (const auto& [concurrency, unused] : op.service) {
      composed[concurrency] = ComposedLimit(op, concurrency);
    }
    fields["composed"] = RatesValue(composed);
    fields["peer"] = RatesValue(op.peer);
    fields["peer_note"].set_string_value(op.peer_note);
    std::string json;
    if (google::protobuf::util::MessageToJsonString(line, &json).ok()) {
      absl::StrAppend(&out, json, "\n");
    }
  }
  return out;
}

}  // namespace yinjian::bench
