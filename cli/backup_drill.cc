#include "cli/backup_drill.h"

#include <openssl/rand.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "hsm/token_init.h"
#include "service/core/key_manager.h"
#include "service/pki/pem_files.h"
#include "service/server/config.h"
#include "service/server/token_set.h"

namespace yinjian::cli {
namespace {

// The default token of a throw-away drill (departments without their own token use it).
constexpr char kDrillToken[] = "yinjian-drill";

absl::StatusOr<std::string> MakeTempDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      absl::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/yinjian-drill-XXXXXX");
  if (::mkdtemp(pattern.data()) == nullptr) {
    return absl::FailedPreconditionError("cannot create a temporary directory for the drill");
  }
  return pattern;
}

absl::StatusOr<hsm::SecureBytes> RandomPin() {
  uint8_t random[8];
  if (RAND_priv_bytes(random, sizeof(random)) != 1) return absl::InternalError("RAND failed");
  static constexpr char kHex[] = "0123456789abcdef";
  hsm::SecureBytes pin;
  for (uint8_t byte : random) {
    pin.push_back(uint8_t(kHex[byte >> 4]));
    pin.push_back(uint8_t(kHex[byte & 15]));
  }
  return pin;
}

// Throw-away SoftHSM tokens in `dir`: the default one and one per department token label.
absl::StatusOr<server::TokenSet> ThrowAwayTokens(const std::string& dir, const std::string& module,
                                                 const v1::BackupManifest& manifest) {
  const std::string tokens_dir = absl::StrCat(dir, "/tokens");
  RETURN_IF_ERROR(pki::EnsurePrivateDirectory(tokens_dir));
  const std::string conf = absl::StrCat(dir, "/softhsm2.conf");
  RETURN_IF_ERROR(
      pki::WriteFileAtomically(conf,
                               absl::StrCat("directories.tokendir = ", tokens_dir,
                                            "\nobjectstore.backend = file\nlog.level = ERROR\n"),
                               0600, pki::IfExists::kFail));
  // SoftHSM reads its configuration when the module is initialised, which happens below.
  ::setenv("SOFTHSM2_CONF", conf.c_str(), 1);
  // The default token first (the directory's default), then each department token once.
  std::vector<std::string> labels = {kDrillToken};
  for (const v1::BackupDepartment& department : manifest.departments()) {
    const std::string& label = department.token_label();
    if (!label.empty() && std::find(labels.begin(), labels.end(), label) == labels.end()) {
      labels.push_back(label);
    }
  }
  server::TokenSet set;
  ASSIGN_OR_RETURN(set.module, hsm::Pkcs11Module::Load({.path = module}));
  // Every token is initialised before any is opened: InitializeToken re-initialises the module.
  std::vector<std::pair<std::string, hsm::SecureBytes>> pins;
  for (const std::string& label : labels) {
    ASSIGN_OR_RETURN(hsm::SecureBytes so_pin, RandomPin());
    ASSIGN_OR_RETURN(hsm::SecureBytes user_pin, RandomPin());
    RETURN_IF_ERROR(hsm::InitializeToken(*set.module, label, so_pin, user_pin));
    pins.emplace_back(label, std::move(user_pin));
  }
  for (auto& [label, pin] : pins) {
    ASSIGN_OR_RETURN(std::unique_ptr<hsm::Token> token,
                     hsm::Token::Open(set.module, {.label = label, .pin = std::move(pin)}));
    set.tokens.push_back(std::move(token));
    if (set.directory == nullptr) {
      set.directory = std::make_unique<core::TokenDirectory>(set.tokens.back().get());
    } else {
      RETURN_IF_ERROR(set.directory->Add(set.tokens.back().get()));
    }
  }
  return set;
}

}  // namespace

absl::StatusOr<backup::RestoreReport> RunRestoreDrill(const backup::BackupDirectory& backup,
                                                      const hsm::SecureBytes& key,
                                                      const DrillOptions& options) {
  ASSIGN_OR_RETURN(const std::string dir, MakeTempDir());
  absl::Cleanup remove_dir = [&dir] {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  };
  backup::RestoreTarget target{.store_path = absl::StrCat(dir, "/store.sqlite"),
                               .audit = true,
                               .audit_origin = "yinjian/restore-drill",
                               .checkpoint_file = absl::StrCat(dir, "/checkpoint")};
  server::TokenSet tokens;
  if (options.config.empty()) {
    ASSIGN_OR_RETURN(tokens, ThrowAwayTokens(dir, options.module, backup.manifest));
  } else {
    ASSIGN_OR_RETURN(const v1::ServerConfig config, server::LoadServerConfig(options.config));
    ASSIGN_OR_RETURN(tokens, server::OpenTokens(config.hsm()));
  }
  target.tokens = tokens.directory.get();
  absl::StatusOr<backup::RestoreReport> report = backup::DrillRestore(backup, key, target);
  if (!options.config.empty() && report.ok()) {
    // Leave the scratch token as it was: the drill's root keys go again.
    for (const v1::BackupDepartment& department : backup.manifest.departments()) {
      absl::StatusOr<hsm::Token*> token = tokens.directory->Find(department.token_label());
      if (token.ok()) {
        (void)core::DestroyTokenObjects(**token, hsm::ToBytes(department.root_key_id()));
      }
    }
  }
  return report;
}

}  // namespace yinjian::cli
