#include "cli/result_writer.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace yinjian::cli {

absl::Status WriteResult(const CommandEnv& env, const std::string& out_path, absl::string_view data,
                         OutputSecrecy secrecy, const google::protobuf::Message& summary,
                         const Table& table) {
  RETURN_IF_ERROR(WriteFile(out_path, data, secrecy));
  if (out_path == "-") return absl::OkStatus();
  return Print(env.output(), summary, table);
}

void AddPurposeOption(CLI::App* command, std::string* purpose) {
  command->add_option("--purpose", *purpose, "why the key is used (recorded by the server)");
}

void AddContextOption(CLI::App* command, std::vector<std::string>* context) {
  command
      ->add_option("--context", *context,
                   "encryption context entry key=value; repeat for more (needed again to decrypt)")
      ->allow_extra_args(false);
}

absl::StatusOr<std::string> KeyWithVersion(const std::string& key, int version) {
  if (version < 0) return absl::InvalidArgumentError("--version must be a positive number");
  if (version == 0) return key;
  if (absl::StrContains(key, ':')) {
    return absl::InvalidArgumentError(
        absl::StrCat("key \"", key, "\" already names a version; drop --version"));
  }
  return absl::StrCat(key, ":", version);
}

}  // namespace yinjian::cli
