// The gRPC channel to the server: mutual TLS with the profile's CA, certificate and key, or -
// for development only, and only to a loopback address - plaintext.
#ifndef YINJIAN_CLI_CHANNEL_H_
#define YINJIAN_CLI_CHANNEL_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/channel.h"
#include "grpcpp/security/credentials.h"
#include "yinjian/v1/config.pb.h"

namespace yinjian::cli {

// Whether `address` ("host:port", "[v6]:port") names this machine: localhost, 127.0.0.0/8 or
// ::1. A name that merely resolves to loopback does not count.
bool IsLoopbackAddress(absl::string_view address);

// TLS credentials from the PEM files the profile names (read now, so a missing file is reported
// before any connection attempt), or insecure credentials when the profile asks for plaintext
// and its server is a loopback address. INVALID_ARGUMENT if a file is not named, plaintext is
// asked for a non-loopback address, or a file holds no PEM; as ReadFile if one cannot be read.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const v1::ClientProfile& profile);

// A channel to profile.server() with MakeChannelCredentials(profile). Connects lazily: an
// unreachable server shows up as UNAVAILABLE on the first RPC.
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(const v1::ClientProfile& profile);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_CHANNEL_H_
