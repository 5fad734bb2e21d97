#include "cli/output.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "cli/file_io.h"
#include "cli/key_kind_names.h"
#include "common/status_macros.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"

namespace yinjian::cli {

absl::StatusOr<OutputFormat> OutputFormatFromName(absl::string_view name) {
  if (name == "table") return OutputFormat::kTable;
  if (name == "json") return OutputFormat::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown output format \"", name, "\"; valid formats: table, json"));
}

std::string RenderTable(const Table& table) {
  size_t columns = table.header.size();
  for (const auto& row : table.rows) columns = std::max(columns, row.size());
  std::vector<size_t> widths(columns, 0);
  auto measure = [&widths](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  };
  measure(table.header);
  for (const auto& row : table.rows) measure(row);

  std::string out;
  auto render = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < columns; ++i) {
      const std::string cell = i < row.size() ? row[i] : "";
      absl::StrAppend(&line, cell, std::string(widths[i] - cell.size() + 2, ' '));
    }
    line.erase(line.find_last_not_of(' ') + 1);
    absl::StrAppend(&out, line, "\n");
  };
  if (!table.header.empty()) render(table.header);
  for (const auto& row : table.rows) render(row);
  return out;
}

absl::StatusOr<std::string> RenderJsonLine(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = false;
  options.preserve_proto_field_names = true;
  std::string json;
  const auto status = google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("cannot render JSON: ", status.ToString()));
  }
  return absl::StrCat(json, "\n");
}

absl::Status Print(OutputFormat format, const google::protobuf::Message& message,
                   const Table& table) {
  std::string text;
  if (format == OutputFormat::kJson) {
    ASSIGN_OR_RETURN(text, RenderJsonLine(message));
  } else {
    text = RenderTable(table);
  }
  return WriteFile("-", text, OutputSecrecy::kPublic);
}

absl::Status PrintText(OutputFormat format, const google::protobuf::Message& message,
                       absl::string_view text) {
  if (format == OutputFormat::kJson) return Print(format, message, Table());
  return WriteFile("-", text, OutputSecrecy::kPublic);
}

Table KeyVersionTable(const v1::KeyVersionInfo& info) {
  return Table{.header = {"KEY", "VERSION", "KIND", "PROTECTION"},
               .rows = {{info.key(), absl::StrCat(info.version()), KeyKindName(info.kind()),
                         ProtectionLevelName(info.protection_level())}}};
}

std::string FormatTimestamp(const google::protobuf::Timestamp& time) {
  if (time.seconds() == 0 && time.nanos() == 0) return "-";
  return google::protobuf::util::TimeUtil::ToString(time);
}

}  // namespace yinjian::cli
