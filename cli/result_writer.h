// Shared plumbing for the data commands (encrypt, sign, random, ...): writing their bytes and
// describing what was done.
#ifndef YINJIAN_CLI_RESULT_WRITER_H_
#define YINJIAN_CLI_RESULT_WRITER_H_

#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cli/command_env.h"
#include "cli/file_io.h"
#include "cli/output.h"
#include "google/protobuf/message.h"

namespace yinjian::cli {

// Writes `data` to `out_path` and then, unless that is "-" (stdout carries only the data),
// prints `summary` - the response with the bytes just written cleared - as `table` or JSON.
absl::Status WriteResult(const CommandEnv& env, const std::string& out_path, absl::string_view data,
                         OutputSecrecy secrecy, const google::protobuf::Message& summary,
                         const Table& table);

// Adds `--purpose P` (why the caller uses the key; recorded by the server).
void AddPurposeOption(CLI::App* command, std::string* purpose);

// Adds a repeatable `--context k=v` (one pair per flag).
void AddContextOption(CLI::App* command, std::vector<std::string>* context);

// "DEPT/NAME" with ":version" appended when version > 0. INVALID_ARGUMENT if `key` already
// names a version and `version` is given too, or if version is negative.
absl::StatusOr<std::string> KeyWithVersion(const std::string& key, int version);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_RESULT_WRITER_H_
