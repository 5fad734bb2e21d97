#include "cli/audit_output.h"

#include "absl/strings/str_cat.h"
#include "cli/entry_json.h"
#include "service/audit/text_fields.h"

namespace yinjian::cli {
namespace {

std::string OrDash(std::string text) { return text.empty() ? "-" : text; }

std::string LatestRoot(const LogCheckSummary& summary) {
  return summary.latest.has_value() ? audit::EncodeBase64(summary.latest->root) : "";
}

uint64_t LatestSize(const LogCheckSummary& summary) {
  return summary.latest.has_value() ? summary.latest->size : 0;
}

}  // namespace

Table AuditEntryTable() {
  return Table{
      .header = {"INDEX", "TIME", "PRINCIPAL", "OPERATION", "KEY", "DECISION", "REASON", "RESULT"}};
}

std::vector<std::string> AuditEntryRow(const v1::AuditEntry& entry) {
  absl::StatusOr<std::vector<JsonMember>> members = ParseJsonObject(entry.entry());
  if (!members.ok()) return {absl::StrCat(entry.index()), "(not a JSON object)"};
  std::vector<std::string> row = {absl::StrCat(entry.index())};
  for (const char* name :
       {"time", "principal", "operation", "key", "decision", "reason", "result"}) {
    row.push_back(OrDash(MemberText(*members, name)));
  }
  return row;
}

std::string LogKeyText(const v1::LogKey& key, bool with_pem) {
  std::string text;
  if (with_pem) {
    text = key.pem();
    if (!text.empty() && text.back() != '\n') text += '\n';
    text += '\n';
  }
  Table facts{.rows = {{"origin", key.origin()}, {"verifier key", key.verifier_key()}}};
  if (!key.sm2_verifier_key().empty()) {
    facts.rows.push_back({"SM2 verifier key", key.sm2_verifier_key()});
  }
  return absl::StrCat(text, RenderTable(facts));
}

uint64_t UncoveredEntries(const LogCheckSummary& summary) {
  return summary.entries - LatestSize(summary);
}

std::string LogSummaryText(const LogCheckSummary& summary) {
  const Table facts{.rows = {{"entries", absl::StrCat(summary.entries)},
                             {"checkpoints", absl::StrCat(summary.checkpoints)},
                             {"latest size", absl::StrCat(LatestSize(summary))},
                             {"latest root", OrDash(LatestRoot(summary))},
                             {"uncovered entries", absl::StrCat(UncoveredEntries(summary))}}};
  return absl::StrCat("audit log valid\n", RenderTable(facts));
}

std::string LogSummaryJson(const LogCheckSummary& summary) {
  return absl::StrCat(
      "{\"valid\":true,\"entries\":", summary.entries, ",\"checkpoints\":", summary.checkpoints,
      ",\"latest_size\":", LatestSize(summary), ",\"latest_root\":\"", LatestRoot(summary),
      "\",\"uncovered_entries\":", UncoveredEntries(summary), "}\n");
}

}  // namespace yinjian::cli
