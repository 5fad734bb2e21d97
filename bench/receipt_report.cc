#include "bench/receipt_report.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/rate_report.h"

namespace yinjian::bench {
namespace {

// 840 µs -> "840 µs", 2.3 ms -> "2.30 ms", -95 µs -> "-95 µs".
std::string Latency(absl::Duration latency) {
  const double us = absl::ToDoubleMicroseconds(latency);
  return std::abs(us) < 1000 ? absl::StrFormat("%.0f µs", us)
                             : absl::StrFormat("%.2f ms", us / 1000);
}

std::string Rate(double rate) { return rate > 0 ? FormatOpsPerSec(rate) : "-"; }

std::string Ratio(double numerator, double denominator) {
  if (numerator <= 0 || denominator <= 0) return "n/a";
  return absl::StrFormat("%.2f", numerator / denominator);
}

const ReceiptCell* Find(const ReceiptCells& cells, int concurrency) {
  auto found = cells.find(concurrency);
  return found == cells.end() ? nullptr : &found->second;
}

void AppendTable(const ReceiptComparison& op, std::string& out) {
  absl::StrAppend(&out, "### ", op.info.name, "\n\n",
                  "| C | ops/s off | ops/s on | on / off | p50 off | p50 on | p99 off | p99 on "
                  "| CPU / call off | CPU / call on | entries / checkpoint |\n"
                  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const auto& [concurrency, on] : op.on) {
    const ReceiptCell* off = Find(op.off, concurrency);
    if (off == nullptr) continue;
    absl::StrAppend(
        &out, "| ", concurrency, " | ", Rate(off->ops_per_sec), " | ", Rate(on.ops_per_sec), " | ",
        Ratio(on.ops_per_sec, off->ops_per_sec), " | ", Latency(off->latency.p50), " | ",
        Latency(on.latency.p50), " | ", Latency(off->latency.p99), " | ", Latency(on.latency.p99),
        " | ", Latency(off->CpuPerCall()), " | ", Latency(on.CpuPerCall()), " | ",
        on.log.commits > 0 ? absl::StrFormat("%.2f", on.EntriesPerCheckpoint()) : "n/a", " |\n");
  }
  absl::StrAppend(&out, "\n");
}

void AppendLogAlone(const ReceiptCells& cells, std::string& out) {
  absl::StrAppend(&out,
                  "### Audit log alone (AuditLog::Append + ReceiptFor from C threads, no gRPC)\n\n"
                  "| C | appends/s | p50 | p99 | CPU / append | entries / checkpoint |\n"
                  "|---:|---:|---:|---:|---:|---:|\n");
  for (const auto& [concurrency, cell] : cells) {
    absl::StrAppend(&out, "| ", concurrency, " | ", Rate(cell.ops_per_sec), " | ",
                    Latency(cell.latency.p50), " | ", Latency(cell.latency.p99), " | ",
                    Latency(cell.CpuPerCall()), " | ",
                    absl::StrFormat("%.2f", cell.EntriesPerCheckpoint()), " |\n");
  }
  absl::StrAppend(&out, "\n");
}

void AppendCost(const AuditCommitCost& cost, std::string& out) {
  auto part = [](const LatencyPercentiles& p) {
    return absl::StrCat(Latency(p.p50), " (", Latency(p.p99), ")");
  };
  absl::StrAppend(&out, "One commit, measured directly (median, p99 in brackets):\n");
  absl::StrAppend(&out, "- store commit (SqliteStore::AppendAudit of 1 entry, beside the store): ",
                  part(cost.store_commit), "\n");
  absl::StrAppend(&out, "- log key signature (LogKey::Sign, ECDSA P-256 in the HSM): ",
                  part(cost.signature), "\n");
  absl::StrAppend(&out, "- allowed extra latency at low load = commit + signature = ",
                  Latency(cost.Allowance()), "\n");
  absl::StrAppend(&out, "- also paid per commit, not in the allowance: checkpoint file slot ",
                  "written and synced: ", part(cost.checkpoint_file), "\n");
  absl::StrAppend(&out, "- this machine's thread handoff (to another thread and back, the two ",
                  "extra wake-ups of a call with receipts): ", part(cost.handoff), ", ",
                  Latency(cost.handoff_cpu), " of CPU per round trip\n\n");
}

void AppendVerdicts(const ReceiptComparison& op, const AuditCommitCost& cost, std::string& out) {
  if (op.on.empty()) return;
  const auto& [top_c, top_on] = *op.on.rbegin();
  const ReceiptCell* top_off = Find(op.off, top_c);
  if (top_off != nullptr && top_off->ops_per_sec > 0) {
    const double ratio = top_on.ops_per_sec / top_off->ops_per_sec;
    absl::StrAppend(&out, "- ", op.info.name, ", saturation (C=", top_c,
                    "): on / off = ", absl::StrFormat("%.2f", ratio), " against the target ",
                    kSaturationRatioTarget, ": ",
                    ratio >= kSaturationRatioTarget
                        ? "met"
                        : absl::StrFormat("missed by %.2f", kSaturationRatioTarget - ratio),
                    "\n");
  }
  const auto& [low_c, low_on] = *op.on.begin();
  const ReceiptCell* low_off = Find(op.off, low_c);
  if (low_off != nullptr) {
    const absl::Duration extra = low_on.latency.p50 - low_off->latency.p50;
    const absl::Duration allowance = cost.Allowance();
    absl::StrAppend(
        &out, "- ", op.info.name, ", low load (C=", low_c, "): p50 on - off = ", Latency(extra),
        " against commit + signature = ", Latency(allowance), ": ",
        extra <= allowance ? "met"
                           : absl::StrCat("missed by ", Latency(extra - allowance),
                                          absl::StrFormat(" (%.2fx the allowance)",
                                                          absl::FDivDuration(extra, allowance))),
        "\n");
  }
}

google::protobuf::Value CellValue(const ReceiptCell& cell) {
  google::protobuf::Value value;
  auto& fields = *value.mutable_struct_value()->mutable_fields();
  fields["ops_per_sec"].set_number_value(cell.ops_per_sec);
  fields["p50_us"].set_number_value(absl::ToDoubleMicroseconds(cell.latency.p50));
  fields["p99_us"].set_number_value(absl::ToDoubleMicroseconds(cell.latency.p99));
  fields["calls_timed"].set_number_value(double(cell.latency.operations));
  fields["cpu_us_per_call"].set_number_value(absl::ToDoubleMicroseconds(cell.CpuPerCall()));
  fields["commits"].set_number_value(double(cell.log.commits));
  fields["entries"].set_number_value(double(cell.log.entries));
  return value;
}

google::protobuf::Value PartValue(const LatencyPercentiles& part) {
  google::protobuf::Value value;
  auto& fields = *value.mutable_struct_value()->mutable_fields();
  fields["p50_us"].set_number_value(absl::ToDoubleMicroseconds(part.p50));
  fields["p99_us"].set_number_value(absl::ToDoubleMicroseconds(part.p99));
  fields["samples"].set_number_value(double(part.operations));
  return value;
}

void AppendJsonLine(const google::protobuf::Struct& line, std::string& out) {
  std::string json;
  if (google::protobuf::util::MessageToJsonString(line, &json).ok()) {
    absl::StrAppend(&out, json, "\n");
  }
}

}  // namespace

std::string FormatReceiptTables(const ReceiptResults& results) {
  std::string out;
  for (const ReceiptComparison& op : results.operations) AppendTable(op, out);
  AppendLogAlone(results.log_alone, out);
  AppendCost(results.commit_cost, out);
  absl::StrAppend(&out, "Targets:\n");
  for (const ReceiptComparison& op : results.operations) {
    AppendVerdicts(op, results.commit_cost, out);
  }
  return out;
}

std::string FormatReceiptJsonLines(const ReceiptResults& results) {
  std::string out;
  for (const ReceiptComparison& op : results.operations) {
    for (const auto& [concurrency, on] : op.on) {
      const ReceiptCell* off = Find(op.off, concurrency);
      if (off == nullptr) continue;
      google::protobuf::Struct line;
      auto& fields = *line.mutable_fields();
      fields["operation"].set_string_value(op.info.name);
      fields["concurrency"].set_number_value(concurrency);
      fields["off"] = CellValue(*off);
      fields["on"] = CellValue(on);
      fields["entries_per_checkpoint"].set_number_value(on.EntriesPerCheckpoint());
      AppendJsonLine(line, out);
    }
  }
  for (const auto& [concurrency, cell] : results.log_alone) {
    google::protobuf::Struct line;
    auto& fields = *line.mutable_fields();
    fields["operation"].set_string_value("AuditLog::Append alone");
    fields["concurrency"].set_number_value(concurrency);
    fields["on"] = CellValue(cell);
    fields["entries_per_checkpoint"].set_number_value(cell.EntriesPerCheckpoint());
    AppendJsonLine(line, out);
  }
  const AuditCommitCost& cost = results.commit_cost;
  google::protobuf::Struct line;
  auto& fields = *line.mutable_fields();
  fields["operation"].set_string_value("commit cost");
  fields["store_commit"] = PartValue(cost.store_commit);
  fields["signature"] = PartValue(cost.signature);
  fields["checkpoint_file"] = PartValue(cost.checkpoint_file);
  fields["handoff"] = PartValue(cost.handoff);
  fields["handoff_cpu_us"].set_number_value(absl::ToDoubleMicroseconds(cost.handoff_cpu));
  fields["allowance_us"].set_number_value(absl::ToDoubleMicroseconds(cost.Allowance()));
  AppendJsonLine(line, out);
  return out;
}

}  // namespace yinjian::bench
