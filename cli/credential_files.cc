#include "cli/credential_files.h"

#include <filesystem>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "google/protobuf/text_format.h"
#include "service/pki/pem_files.h"

namespace yinjian::cli {
namespace {

absl::StatusOr<std::string> Absolute(const std::string& path) {
  std::error_code error;
  const std::filesystem::path absolute = std::filesystem::absolute(path, error);
  if (error) {
    return absl::InternalError(absl::StrCat("cannot make ", path, " absolute: ", error.message()));
  }
  return absolute.lexically_normal().string();
}

// An absolute form of `path`, or `path` itself if the current directory is unknown.
std::string AbsoluteOrAsIs(const std::string& path) {
  if (path.empty()) return path;
  absl::StatusOr<std::string> absolute = Absolute(path);
  return absolute.ok() ? *std::move(absolute) : path;
}

}  // namespace

absl::StatusOr<CredentialPaths> CredentialPathsFor(const std::string& dir, absl::string_view base) {
  if (base.empty() || absl::StartsWith(base, ".") || absl::StrContains(base, '/') ||
      absl::StrContains(base, '\0')) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", base, "\" cannot name files in --out-dir (empty, starts with '.', or holds '/')"));
  }
  if (dir.empty()) return absl::InvalidArgumentError("--out-dir must not be empty");
  ASSIGN_OR_RETURN(const std::string absolute_dir, Absolute(dir));
  const std::filesystem::path stem = std::filesystem::path(absolute_dir) / std::string(base);
  return CredentialPaths{.key = absl::StrCat(stem.string(), ".key"),
                         .certificate = absl::StrCat(stem.string(), ".crt"),
                         .profile = absl::StrCat(stem.string(), ".profile")};
}

absl::Status EnsureCredentialDirectory(const std::string& dir) {
  return pki::EnsurePrivateDirectory(dir);
}

absl::Status CheckCredentialPathsFree(const CredentialPaths& paths) {
  for (const std::string* path : {&paths.key, &paths.certificate, &paths.profile}) {
    ASSIGN_OR_RETURN(const bool exists, pki::PathExists(*path));
    if (exists) {
      return absl::AlreadyExistsError(
          absl::StrCat(*path, " already exists; yinjianctl never overwrites credential files"));
    }
  }
  return absl::OkStatus();
}

v1::ClientProfile ProfileForCredential(const v1::ClientProfile& current,
                                       const CredentialPaths& paths, absl::string_view principal) {
  v1::ClientProfile profile;
  profile.set_server(current.server());
  profile.set_ca_file(AbsoluteOrAsIs(current.ca_file()));
  profile.set_certificate_file(paths.certificate);
  profile.set_key_file(paths.key);
  if (current.insecure_plaintext_for_development()) {
    profile.set_insecure_plaintext_for_development(true);
    profile.set_development_principal(std::string(principal));
  }
  return profile;
}

std::string ProfileText(const v1::ClientProfile& profile, absl::string_view principal) {
  std::string text;
  google::protobuf::TextFormat::PrintToString(profile, &text);
  return absl::StrCat("# yinjianctl profile for principal ", principal,
                      " (written by yinjianctl principal add / add-cert)\n", text);
}

absl::Status WriteCredentialFiles(const CredentialPaths& paths, const hsm::SecureBytes& key_pem,
                                  absl::string_view certificate_pem,
                                  const v1::ClientProfile& profile, absl::string_view principal) {
  RETURN_IF_ERROR(pki::WriteFileAtomically(paths.key, absl::MakeConstSpan(key_pem),
                                           pki::kPrivateKeyFileMode, pki::IfExists::kFail));
  RETURN_IF_ERROR(pki::WriteFileAtomically(paths.certificate, certificate_pem,
                                           pki::kCertificateFileMode, pki::IfExists::kFail));
  return pki::WriteFileAtomically(paths.profile, ProfileText(profile, principal),
                                  pki::kCertificateFileMode, pki::IfExists::kFail);
}

}  // namespace yinjian::cli
