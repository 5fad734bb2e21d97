// How commands print results on stdout: an aligned table for people, or the response proto as
// one JSON object per line for scripts.
#ifndef YINJIAN_CLI_OUTPUT_H_
#define YINJIAN_CLI_OUTPUT_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "yinjian/v1/common.pb.h"

namespace yinjian::cli {

enum class OutputFormat { kTable, kJson };

// "table" or "json". INVALID_ARGUMENT otherwise.
absl::StatusOr<OutputFormat> OutputFormatFromName(absl::string_view name);

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

// Columns left-aligned and separated by two spaces, header first; each line ends in '\n' and
// carries no trailing spaces. Short rows are padded with empty cells.
std::string RenderTable(const Table& table);

// `message` as compact JSON (proto field names, enums by name) on one line, with '\n'.
// INTERNAL if the message cannot be converted.
absl::StatusOr<std::string> RenderJsonLine(const google::protobuf::Message& message);

// Prints `message` (kJson) or `table` (kTable) to stdout.
absl::Status Print(OutputFormat format, const google::protobuf::Message& message,
                   const Table& table);

// Prints `message` (kJson) or `text`, already rendered for people (kTable), to stdout.
absl::Status PrintText(OutputFormat format, const google::protobuf::Message& message,
                       absl::string_view text);

// A key version as a one-row table: KEY VERSION KIND PROTECTION.
Table KeyVersionTable(const v1::KeyVersionInfo& info);

// RFC 3339, or "-" for an unset timestamp.
std::string FormatTimestamp(const google::protobuf::Timestamp& time);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_OUTPUT_H_
