#include "cli/channel.h"

#include <arpa/inet.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cli/file_io.h"
#include "common/status_macros.h"
#include "grpcpp/create_channel.h"

namespace yinjian::cli {
namespace {

// The host part of "host:port" or "[v6]:port"; an empty view if the address has neither form.
absl::string_view HostOf(absl::string_view address) {
  if (absl::StartsWith(address, "[")) {
    const size_t close = address.find("]:");
    return close == absl::string_view::npos ? absl::string_view() : address.substr(1, close - 1);
  }
  const size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos || address.find(':') != colon) return {};
  return address.substr(0, colon);
}

absl::StatusOr<std::string> ReadPem(const std::string& path, absl::string_view flag) {
  if (path.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("mutual TLS needs ", flag, " FILE (or its field in the profile)"));
  }
  ASSIGN_OR_RETURN(std::string pem, ReadFile(path, flag));
  if (!absl::StrContains(pem, "-----BEGIN ")) {
    Wipe(&pem);
    return absl::InvalidArgumentError(absl::StrCat(flag, " ", path, " holds no PEM data"));
  }
  return pem;
}

}  // namespace

bool IsLoopbackAddress(absl::string_view address) {
  const std::string host(HostOf(address));
  if (absl::EqualsIgnoreCase(host, "localhost")) return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  return ::inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const v1::ClientProfile& profile) {
  if (profile.insecure_plaintext_for_development()) {
    if (!IsLoopbackAddress(profile.server())) {
      return absl::InvalidArgumentError(
          absl::StrCat("insecure_plaintext_for_development is allowed only for loopback addresses "
                       "(localhost, 127.0.0.1, [::1]), not ",
                       profile.server()));
    }
    return grpc::InsecureChannelCredentials();
  }
  grpc::SslCredentialsOptions options;
  ASSIGN_OR_RETURN(options.pem_root_certs, ReadPem(profile.ca_file(), "--ca"));
  ASSIGN_OR_RETURN(options.pem_cert_chain, ReadPem(profile.certificate_file(), "--cert"));
  ASSIGN_OR_RETURN(options.pem_private_key, ReadPem(profile.key_file(), "--key"));
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::SslCredentials(options);
  Wipe(&options.pem_private_key);
  if (credentials == nullptr) return absl::InternalError("cannot create TLS credentials");
  return credentials;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(const v1::ClientProfile& profile) {
  if (profile.server().empty()) return absl::InvalidArgumentError("no server address");
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> credentials,
                   MakeChannelCredentials(profile));
  return grpc::CreateChannel(profile.server(), credentials);
}

}  // namespace yinjian::cli
