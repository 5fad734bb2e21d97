#include "cli/command_env.h"

#include <chrono>

#include "cli/channel.h"
#include "common/status_macros.h"

namespace yinjian::cli {

absl::StatusOr<std::string> DevelopmentPrincipal(const v1::ClientProfile& profile) {
  if (!profile.insecure_plaintext_for_development()) return std::string();
  const std::string& principal = profile.development_principal();
  for (const char c : principal) {
    // gRPC sends only printable ASCII in a text header; anything else would fail every call.
    if (c < 0x20 || c > 0x7e) {
      return absl::InvalidArgumentError(
          "development_principal must be printable ASCII (it is sent as a request header)");
    }
  }
  return principal;
}

absl::StatusOr<CommandEnv> CommandEnv::Create(const GlobalOptions& globals) {
  ASSIGN_OR_RETURN(const OutputFormat output, OutputFormatFromName(globals.output));
  if (!(globals.timeout_seconds > 0)) {
    return absl::InvalidArgumentError("--timeout must be a positive number of seconds");
  }
  ASSIGN_OR_RETURN(v1::ClientProfile profile,
                   ResolveProfile(globals.profile_path, globals.connection));
  ASSIGN_OR_RETURN(std::string principal, DevelopmentPrincipal(profile));
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> channel, MakeChannel(profile));
  return CommandEnv(std::move(channel), std::move(profile), std::move(principal), output,
                    globals.timeout_seconds);
}

void CommandEnv::PrepareContext(grpc::ClientContext* context) const {
  const auto timeout = std::chrono::duration_cast<std::chrono::system_clock::duration>(
      std::chrono::duration<double>(timeout_seconds_));
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  if (!development_principal_.empty()) {
    context->AddMetadata(kPrincipalHeader, development_principal_);
  }
}

}  // namespace yinjian::cli
