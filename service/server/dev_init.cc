#include "service/server/dev_init.h"

#include <google/protobuf/text_format.h>
#include <sys/stat.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "hsm/module.h"
#include "hsm/pin.h"
#include "hsm/token.h"
#include "service/pki/dev_pki.h"
#include "service/server/bootstrap.h"
#include "service/pki/pem_files.h"
#include "service/store/sqlite_store.h"
#include "yinjian/v1/config.pb.h"

namespace yinjian::server {
namespace {

namespace fs = std::filesystem;

// Writes a text-format message unless the file exists (a user may have edited it).
absl::Status WriteOnce(const std::string& path, const google::protobuf::Message& message,
                       std::vector<std::string>& created) {
  if (fs::exists(path)) return absl::OkStatus();
  std::string text;
  if (!google::protobuf::TextFormat::PrintToString(message, &text)) {
    return absl::InternalError("cannot format " + path);
  }
  RETURN_IF_ERROR(pki::WriteFileAtomically(path, text, 0600, pki::IfExists::kFail));
  created.push_back(path);
  return absl::OkStatus();
}

absl::Status CheckToken(const DevInitOptions& options) {
  ASSIGN_OR_RETURN(std::shared_ptr<hsm::Pkcs11Module> module,
                   hsm::Pkcs11Module::Load({.path = options.module_path}));
  ASSIGN_OR_RETURN(hsm::SecureBytes pin, hsm::ReadPin({.file = options.pin_file}));
  return hsm::Token::Open(module, {.label = options.token_label, .pin = std::move(pin)}).status();
}

// The first administrator: principal "admin" of department "yinjian-admin", bound to the
// development admin certificate, unless the store has it already.
absl::Status BootstrapOnce(const v1::ServerConfig& config, const pki::DevelopmentPki& pki) {
  {
    ASSIGN_OR_RETURN(std::unique_ptr<store::SqliteStore> store,
                     store::SqliteStore::Open(config.store().sqlite_path()));
    if (store->GetPrincipal(kAdminPrincipal).ok()) return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(std::string certificate, pki::ReadPemFile(pki.admin_certificate_path));
  return BootstrapAdministrator(config, {.name = kAdminPrincipal,
                                         .department = kAdminDepartment,
                                         .certificate_pem = certificate})
      .status();
}

}  // namespace

absl::StatusOr<DevInitResult> InitDevelopment(const DevInitOptions& options) {
  if (options.data_dir.empty() || options.token_label.empty() || options.pin_file.empty()) {
    return absl::InvalidArgumentError("init needs a data folder, a token label and a PIN file");
  }
  RETURN_IF_ERROR(CheckToken(options));
  const fs::path dir = fs::absolute(options.data_dir);
  RETURN_IF_ERROR(pki::EnsurePrivateDirectory(dir.string()));
  ASSIGN_OR_RETURN(pki::DevelopmentPki pki,
                   pki::CreateDevelopmentPki((dir / "pki").string(), {}));
  DevInitResult result{.config_path = (dir / "server.conf").string(),
                       .profile_path = (dir / "admin.profile").string(),
                       .admin_fingerprint_sha256 = pki.admin_fingerprint_sha256,
                       .created_files = pki.created_files};
  const std::string db = (dir / "yinjian.db").string();
  const bool new_store = !fs::exists(db);
  RETURN_IF_ERROR(store::SqliteStore::Open(db).status());
  if (new_store) result.created_files.push_back(db);

  v1::ServerConfig config;
  config.set_listen_address(options.listen_address);
  config.mutable_tls()->set_server_certificate_file(pki.server_certificate_path);
  config.mutable_tls()->set_server_key_file(pki.server_key_path);
  config.mutable_tls()->set_client_ca_file(pki.ca_certificate_path);
  config.mutable_hsm()->set_module_path(options.module_path);
  config.mutable_hsm()->set_token_label(options.token_label);
  config.mutable_hsm()->set_pin_file(fs::absolute(options.pin_file).string());
  config.mutable_store()->set_sqlite_path(db);
  config.mutable_access()->set_issuing_ca_certificate_file(pki.ca_certificate_path);
  config.mutable_access()->set_issuing_ca_key_file(pki.ca_key_path);
  RETURN_IF_ERROR(WriteOnce(result.config_path, config, result.created_files));
  RETURN_IF_ERROR(BootstrapOnce(config, pki));

  v1::ClientProfile profile;
  profile.set_server(options.listen_address);
  profile.set_ca_file(pki.ca_certificate_path);
  profile.set_certificate_file(pki.admin_certificate_path);
  profile.set_key_file(pki.admin_key_path);
  RETURN_IF_ERROR(WriteOnce(result.profile_path, profile, result.created_files));
  return result;
}

}  // namespace yinjian::server
