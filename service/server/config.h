// The server's configuration file (yinjian.v1.ServerConfig): protobuf text format, or JSON for a
// file ending in .json. Loading fills defaults and validates, so a bad file fails at start with a
// message naming the field.
#ifndef YINJIAN_SERVICE_SERVER_CONFIG_H_
#define YINJIAN_SERVICE_SERVER_CONFIG_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "yinjian/v1/config.pb.h"

namespace yinjian::server {

inline constexpr absl::string_view kDefaultListenAddress = "127.0.0.1:7443";
// hsm.module_path when the config names none: Debian's SoftHSM.
inline constexpr char kDefaultModulePath[] = "/usr/lib/softhsm/libsofthsm2.so";

// NOT_FOUND if the file is missing; INVALID_ARGUMENT if it does not parse or validate.
absl::StatusOr<v1::ServerConfig> LoadServerConfig(const std::string& path);

// Fills unset fields with their defaults.
void ApplyDefaults(v1::ServerConfig& config);

// INVALID_ARGUMENT naming the first bad field. Plaintext is allowed only on loopback addresses.
absl::Status ValidateServerConfig(const v1::ServerConfig& config);

// True for 127.0.0.0/8, [::1] and localhost, with a port.
bool IsLoopbackAddress(absl::string_view host_port);

}  // namespace yinjian::server

#endif  // YINJIAN_SERVICE_SERVER_CONFIG_H_
