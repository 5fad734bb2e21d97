#include "bench/rate_report.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace yinjian::bench {
namespace {

// Appends `value` to `list` unless it is there already: keeps first-appearance order.
template <typename T>
void AddUnique(std::vector<T>& list, const T& value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppendFormat(&out, "\\u%04x", c);
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

std::string Cell(absl::Span<const RateResult> results, const std::string& operation,
                 const std::string& backend, const std::vector<int>& thread_counts) {
  std::vector<std::string> parts;
  bool any_measured = false, any_found = false;
  for (int threads : thread_counts) {
    const RateResult* result = FindRate(results, operation, backend, threads);
    if (result == nullptr) {
      parts.push_back("-");
      continue;
    }
    any_found = true;
    if (!result->measured()) {
      parts.push_back("skipped");
      continue;
    }
    any_measured = true;
    parts.push_back(FormatOpsPerSec(result->ops_per_sec));
  }
  if (!any_found) return "-";
  if (!any_measured) return "skipped";
  return absl::StrJoin(parts, " / ");
}

}  // namespace

std::string FormatOpsPerSec(double ops_per_sec) {
  if (ops_per_sec >= 1e6) return absl::StrFormat("%.2fM", ops_per_sec / 1e6);
  if (ops_per_sec >= 1e5) return absl::StrFormat("%.0fk", ops_per_sec / 1e3);
  if (ops_per_sec >= 1e3) return absl::StrFormat("%.1fk", ops_per_sec / 1e3);
  return absl::StrFormat("%.0f", ops_per_sec);
}

std::string FormatRateTable(absl::Span<const RateResult> results) {
  std::vector<std::string> operations, backends;
  std::vector<int> thread_counts;
  for (const RateResult& result : results) {
    AddUnique(operations, result.operation);
    AddUnique(backends, result.backend);
    AddUnique(thread_counts, result.threads);
  }
  const std::string threads_text =
      absl::StrCat(absl::StrJoin(thread_counts, " / "), thread_counts.size() == 1 &&
                                                                thread_counts[0] == 1
                                                            ? " thread"
                                                            : " threads");
  std::string out = "| operation |";
  for (const std::string& backend : backends) {
    absl::StrAppend(&out, " ", backend, " (", threads_text, ") |");
  }
  out += "\n|---|";
  for (size_t i = 0; i < backends.size(); ++i) out += "---:|";
  out += "\n";
  for (const std::string& operation : operations) {
    absl::StrAppend(&out, "| ", operation, " |");
    for (const std::string& backend : backends) {
      absl::StrAppend(&out, " ", Cell(results, operation, backend, thread_counts), " |");
    }
    out += "\n";
  }
  // Skip reasons, each with the operations it applies to (the reason says which backends).
  std::vector<std::pair<std::string, std::vector<std::string>>> reasons;
  for (const RateResult& result : results) {
    if (result.measured()) continue;
    auto it = std::find_if(reasons.begin(), reasons.end(),
                           [&](const auto& entry) { return entry.first == result.skipped; });
    if (it == reasons.end()) it = reasons.insert(reasons.end(), {result.skipped, {}});
    AddUnique(it->second, result.operation);
  }
  if (!reasons.empty()) out += "\nSkipped:\n";
  for (const auto& [reason, skipped_operations] : reasons) {
    absl::StrAppend(&out, "- ", reason, ": ", absl::StrJoin(skipped_operations, ", "), "\n");
  }
  return out;
}

std::string FormatRateJsonLines(absl::Span<const RateResult> results) {
  std::string out;
  for (const RateResult& result : results) {
    absl::StrAppend(&out, "{\"operation\":", JsonString(result.operation),
                    ",\"backend\":", JsonString(result.backend), ",\"threads\":", result.threads,
                    ",\"ops_per_sec\":");
    if (result.measured()) {
      absl::StrAppendFormat(&out, "%.1f", result.ops_per_sec);
    } else {
      out += "null";
    }
    out += ",\"samples\":[";
    for (size_t i = 0; i < result.samples.size(); ++i) {
      absl::StrAppendFormat(&out, "%s%.1f", i == 0 ? "" : ",", result.samples[i]);
    }
    absl::StrAppend(&out, "],\"skipped\":",
                    result.measured() ? std::string("null") : JsonString(result.skipped), "}\n");
  }
  return out;
}

}  // namespace yinjian::bench
