// Audit entries as yinjianctl reads and shows them. An entry is a flat JSON object
// (service/audit/audit_entry.h) whose exact bytes are what the log hashes, so the CLI never
// re-serialises one: it reads the members it needs, prints the object indented for people, and
// copies the bytes verbatim into JSON output. Also the quoting for the JSON lines yinjianctl
// writes itself.
#ifndef YINJIAN_CLI_ENTRY_JSON_H_
#define YINJIAN_CLI_ENTRY_JSON_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace yinjian::cli {

// One member of a JSON object.
struct JsonMember {
  std::string name;                 // decoded
  std::string raw_name;             // as written, quotes included
  std::string raw_value;            // as written (nested objects and arrays too)
  std::optional<std::string> text;  // the decoded value if it is a string
};

// Parses one JSON object (RFC 8259) and returns its members in order. Nested objects and
// arrays are checked and kept as written. Lone UTF-16 surrogates in \u escapes decode to U+FFFD;
// other bytes are taken as they are. INVALID_ARGUMENT, with the byte offset, if the text is not
// exactly one object, nests deeper than 64 levels or names a member twice.
absl::StatusOr<std::vector<JsonMember>> ParseJsonObject(absl::string_view json);

// The member called `name`, or nullptr.
const JsonMember* FindMember(const std::vector<JsonMember>& members, absl::string_view name);

// What a table shows for member `name`: its decoded text if it is a string, its raw value
// otherwise, "" if there is no such member.
std::string MemberText(const std::vector<JsonMember>& members, absl::string_view name);

// The value of member `name` if it is an integer written in plain decimal; nullopt otherwise.
std::optional<int64_t> MemberInteger(const std::vector<JsonMember>& members,
                                     absl::string_view name);

// The object again, one member per line indented by two spaces, names and values as written:
//   {
//     "decision": "allow",
//     "index": 41
//   }
// with a final newline. "{}\n" for no members.
std::string IndentedJson(const std::vector<JsonMember>& members);

// `text` as a JSON string literal, quotes included: '"', '\\' and control characters escaped,
// other bytes as they are.
std::string JsonQuote(absl::string_view text);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_ENTRY_JSON_H_
