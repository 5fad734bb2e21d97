// `yinjian-server init`: prepares a development set-up in a data folder, idempotently:
//   pki/            development CA, server certificate, first administrator's client certificate
//   yinjian.db      the SQLite store, created and migrated
//   server.conf     a ServerConfig (text format) pointing at all of the above and the token
//   admin.profile   a ClientProfile for yinjianctl as the first administrator, who is
//                   registered in the store as principal "admin" (security-admin) of department
//                   "yinjian-admin"; the server's config lets it issue client certificates from
//                   the development CA (yinjianctl principal add --out-dir)
// The SoftHSM token itself is made by softhsm-setup/create-token.sh (as `make run` does); init
// checks that it can log in to it. Existing files are kept, never overwritten.
#ifndef YINJIAN_SERVICE_SERVER_DEV_INIT_H_
#define YINJIAN_SERVICE_SERVER_DEV_INIT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace yinjian::server {

// The first administrator that init registers (a security-admin; see bootstrap.h).
inline constexpr char kAdminPrincipal[] = "admin";
inline constexpr char kAdminDepartment[] = "yinjian-admin";

struct DevInitOptions {
  std::string data_dir;
  std::string module_path;
  std::string token_label;
  std::string pin_file;
  std::string listen_address = "127.0.0.1:7443";
};

struct DevInitResult {
  std::string config_path;
  std::string profile_path;
  std::string admin_fingerprint_sha256;
  std::vector<std::string> created_files;
};

absl::StatusOr<DevInitResult> InitDevelopment(const DevInitOptions& options);

}  // namespace yinjian::server

#endif  // YINJIAN_SERVICE_SERVER_DEV_INIT_H_
