#include "cli/command_env.h"

#include <chrono>

#include "cli/channel.h"
#include "common/status_macros.h"

namespace yinjian::cli {

absl::StatusOr<CommandEnv> CommandEnv::Create(const GlobalOptions& globals) {
  ASSIGN_OR_RETURN(const OutputFormat output, OutputFormatFromName(globals.output));
  if (!(globals.timeout_seconds > 0)) {
    return absl::InvalidArgumentError("--timeout must be a positive number of seconds");
  }
  ASSIGN_OR_RETURN(const v1::ClientProfile profile,
                   ResolveProfile(globals.profile_path, globals.connection));
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> channel, MakeChannel(profile));
  return CommandEnv(std::move(channel), output, globals.timeout_seconds);
}

void CommandEnv::SetDeadline(grpc::ClientContext* context) const {
  const auto timeout = std::chrono::duration_cast<std::chrono::system_clock::duration>(
      std::chrono::duration<double>(timeout_seconds_));
  context->set_deadline(std::chrono::system_clock::now() + timeout);
}

}  // namespace yinjian::cli
