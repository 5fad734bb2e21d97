#include "cli/profile.h"

#include <filesystem>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "cli/file_io.h"
#include "common/status_macros.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace yinjian::cli {
namespace {

// Keeps the first error the text-format parser reports, with its position.
class FirstErrorCollector final : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (error_.empty()) {
      // The parser counts lines and columns from 0.
      error_ = absl::StrCat("line ", line + 1, ", column ", column + 1, ": ", message);
    }
  }
  const std::string& error() const { return error_; }

 private:
  std::string error_;
};

void ResolveRelative(std::string* path, absl::string_view base_dir) {
  if (path->empty() || base_dir.empty()) return;
  std::filesystem::path file(*path);
  if (file.is_absolute()) return;
  *path = (std::filesystem::path(std::string(base_dir)) / file).lexically_normal().string();
}

}  // namespace

absl::StatusOr<v1::ClientProfile> ParseProfileText(absl::string_view text, absl::string_view origin,
                                                   absl::string_view base_dir) {
  FirstErrorCollector errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  v1::ClientProfile profile;
  if (!parser.ParseFromString(std::string(text), &profile)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "profile ", origin, ": ", errors.error().empty() ? "cannot be parsed" : errors.error()));
  }
  ResolveRelative(profile.mutable_ca_file(), base_dir);
  ResolveRelative(profile.mutable_certificate_file(), base_dir);
  ResolveRelative(profile.mutable_key_file(), base_dir);
  return profile;
}

absl::StatusOr<v1::ClientProfile> LoadProfile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path, "profile"));
  const std::string dir = std::filesystem::path(path).parent_path().string();
  return ParseProfileText(text, path, dir);
}

v1::ClientProfile ApplyConnectionFlags(v1::ClientProfile profile, const ConnectionFlags& flags) {
  if (!flags.server.empty()) profile.set_server(flags.server);
  if (!flags.ca_file.empty()) profile.set_ca_file(flags.ca_file);
  if (!flags.certificate_file.empty()) profile.set_certificate_file(flags.certificate_file);
  if (!flags.key_file.empty()) profile.set_key_file(flags.key_file);
  return profile;
}

absl::StatusOr<v1::ClientProfile> ResolveProfile(const std::string& profile_path,
                                                 const ConnectionFlags& flags) {
  v1::ClientProfile profile;
  if (!profile_path.empty()) {
    ASSIGN_OR_RETURN(profile, LoadProfile(profile_path));
  }
  profile = ApplyConnectionFlags(std::move(profile), flags);
  if (profile.server().empty()) {
    return absl::InvalidArgumentError(
        "no server address: give --server HOST:PORT or a profile (--profile FILE or "
        "YINJIAN_PROFILE)");
  }
  return profile;
}

}  // namespace yinjian::cli
