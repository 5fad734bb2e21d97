#include "service/server/config.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace yinjian::server {
namespace {

// Collects text-format parse errors instead of printing them to stderr.
class ErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (first_.empty())
      first_ = absl::StrCat("line ", line + 1, " column ", column + 1, ": ", message);
  }
  const std::string& first() const { return first_; }

 private:
  std::string first_;
};

absl::Status Require(bool ok, absl::string_view field, absl::string_view what) {
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("config: ", field, " ", what));
}

}  // namespace

bool IsLoopbackAddress(absl::string_view host_port) {
  return absl::StartsWith(host_port, "127.") || absl::StartsWith(host_port, "localhost:") ||
         absl::StartsWith(host_port, "[::1]:");
}

void ApplyDefaults(v1::ServerConfig& config) {
  if (config.listen_address().empty())
    config.set_listen_address(std::string(kDefaultListenAddress));
  v1::Limits* limits = config.mutable_limits();
  if (limits->max_message_bytes() == 0) limits->set_max_message_bytes(4 << 20);
  if (limits->max_batch_items() == 0) limits->set_max_batch_items(1000);
  if (limits->max_payload_bytes() == 0) limits->set_max_payload_bytes(1 << 20);
  v1::HsmConfig* hsm = config.mutable_hsm();
  if (hsm->module_path().empty()) hsm->set_module_path(kDefaultModulePath);
  if (hsm->max_sessions() == 0) hsm->set_max_sessions(16);
  v1::AccessConfig* access = config.mutable_access();
  if (access->identity_cache_ms() == 0) access->set_identity_cache_ms(1000);
  v1::LifecycleConfig* lifecycle = config.mutable_lifecycle();
  if (lifecycle->rotation_check_seconds() == 0) lifecycle->set_rotation_check_seconds(60);
  if (lifecycle->destruction_waiting_seconds() == 0) {
    lifecycle->set_destruction_waiting_seconds(30 * 86400);
  }
  if (lifecycle->destruction_check_seconds() == 0) lifecycle->set_destruction_check_seconds(60);
  if (lifecycle->root_rewrap_check_seconds() == 0) lifecycle->set_root_rewrap_check_seconds(1);
  if (lifecycle->root_rewrap_batch() == 0) lifecycle->set_root_rewrap_batch(100);
  if (lifecycle->root_retire_grace_seconds() == 0) lifecycle->set_root_retire_grace_seconds(10);
  v1::AuditConfig* audit = config.mutable_audit();
  if (audit->origin().empty()) audit->set_origin("yinjian/" + hsm->token_label());
  if (audit->checkpoint_file().empty() && !config.store().sqlite_path().empty()) {
    audit->set_checkpoint_file(config.store().sqlite_path() + ".checkpoint");
  }
}

absl::Status ValidateServerConfig(const v1::ServerConfig& config) {
  const v1::HsmConfig& hsm = config.hsm();
  RETURN_IF_ERROR(Require(!hsm.token_label().empty(), "hsm.token_label", "is required"));
  RETURN_IF_ERROR(Require(hsm.pin_file().empty() != hsm.pin_env().empty(),
                          "hsm.pin_file / hsm.pin_env", "must name exactly one PIN source"));
  for (const v1::DepartmentToken& token : hsm.department_tokens()) {
    RETURN_IF_ERROR(
        Require(!token.token_label().empty(), "hsm.department_tokens.token_label", "is required"));
    RETURN_IF_ERROR(Require(token.pin_file().empty() != token.pin_env().empty(),
                            "hsm.department_tokens", "must name exactly one PIN source"));
  }
  RETURN_IF_ERROR(
      Require(!config.store().sqlite_path().empty(), "store.sqlite_path", "is required"));
  const v1::AccessConfig& access = config.access();
  RETURN_IF_ERROR(Require(
      access.issuing_ca_certificate_file().empty() == access.issuing_ca_key_file().empty(),
      "access.issuing_ca_certificate_file / access.issuing_ca_key_file", "must be given together"));
  RETURN_IF_ERROR(Require(access.identity_cache_ms() >= -1, "access.identity_cache_ms",
                          "must be -1 (no reuse) or more"));
  const v1::LifecycleConfig& lifecycle = config.lifecycle();
  RETURN_IF_ERROR(Require(lifecycle.rotation_check_seconds() > 0,
                          "lifecycle.rotation_check_seconds", "must be positive"));
  RETURN_IF_ERROR(Require(lifecycle.destruction_check_seconds() > 0,
                          "lifecycle.destruction_check_seconds", "must be positive"));
  RETURN_IF_ERROR(Require(lifecycle.root_rewrap_check_seconds() > 0 &&
                              lifecycle.root_rewrap_batch() > 0 &&
                              lifecycle.root_retire_grace_seconds() > 0,
                          "lifecycle.root_rewrap_check_seconds / root_rewrap_batch / "
                          "root_retire_grace_seconds",
                          "must be positive"));
  RETURN_IF_ERROR(Require(lifecycle.destruction_waiting_seconds() > 0,
                          "lifecycle.destruction_waiting_seconds", "must be positive"));
  RETURN_IF_ERROR(Require(lifecycle.destruction_waiting_seconds() >= 86400 ||
                              lifecycle.allow_short_destruction_wait_for_tests(),
                          "lifecycle.destruction_waiting_seconds",
                          "must be at least 86400 (one day, R11)"));
  const std::string& origin = config.audit().origin();
  RETURN_IF_ERROR(Require(!origin.empty() && origin.find_first_of(" +\t\n") == std::string::npos,
                          "audit.origin", "must be non-empty without spaces or '+'"));
  if (config.insecure_plaintext_for_development()) {
    return Require(IsLoopbackAddress(config.listen_address()), "listen_address",
                   "must be a loopback address when insecure_plaintext_for_development is set");
  }
  const v1::TlsConfig& tls = config.tls();
  RETURN_IF_ERROR(Require(!tls.server_certificate_file().empty(), "tls.server_certificate_file",
                          "is required (or set insecure_plaintext_for_development)"));
  RETURN_IF_ERROR(Require(!tls.server_key_file().empty(), "tls.server_key_file", "is required"));
  RETURN_IF_ERROR(Require(!tls.client_ca_file().empty(), "tls.client_ca_file",
                          "is required: every client must present a certificate"));
  const v1::Limits& limits = config.limits();
  return Require(limits.max_message_bytes() > 0 && limits.max_batch_items() > 0 &&
                     limits.max_payload_bytes() > 0 &&
                     limits.max_payload_bytes() <= limits.max_message_bytes(),
                 "limits", "must be positive, and max_payload_bytes <= max_message_bytes");
}

absl::StatusOr<v1::ServerConfig> LoadServerConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read config file ", path));
  std::stringstream text;
  text << in.rdbuf();
  v1::ServerConfig config;
  if (absl::EndsWith(path, ".json")) {
    auto status = google::protobuf::util::JsonStringToMessage(text.str(), &config);
    if (!status.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": ", status.message().as_string()));
    }
  } else {
    google::protobuf::TextFormat::Parser parser;
    ErrorCollector errors;
    parser.RecordErrorsTo(&errors);
    if (!parser.ParseFromString(text.str(), &config)) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": ", errors.first()));
    }
  }
  ApplyDefaults(config);
  absl::Status valid = ValidateServerConfig(config);
  if (!valid.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", valid.message()));
  return config;
}

}  // namespace yinjian::server
