// What every command needs: the global options as parsed, and from them a channel, the output
// format and a deadline for each RPC.
#ifndef YINJIAN_CLI_COMMAND_ENV_H_
#define YINJIAN_CLI_COMMAND_ENV_H_

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cli/command_registry.h"
#include "cli/output.h"
#include "cli/status_exit.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"

namespace yinjian::cli {

class CommandEnv {
 public:
  // Resolves the profile, opens the channel (lazily: no connection is made yet) and checks the
  // output format and timeout. As ResolveProfile / MakeChannel for errors; INVALID_ARGUMENT
  // for a bad format or a timeout that is not positive.
  static absl::StatusOr<CommandEnv> Create(const GlobalOptions& globals);

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  OutputFormat output() const { return output_; }

  // Gives `context` the deadline every RPC carries: now + --timeout.
  void SetDeadline(grpc::ClientContext* context) const;

  // Runs one unary RPC: `rpc(context)` with a fresh context carrying the deadline. The RPC's
  // failure becomes FromRpcStatus(...).
  template <typename Rpc>
  absl::Status Call(Rpc&& rpc) const {
    grpc::ClientContext context;
    SetDeadline(&context);
    return FromRpcStatus(rpc(&context));
  }

 private:
  CommandEnv(std::shared_ptr<grpc::Channel> channel, OutputFormat output, double timeout_seconds)
      : channel_(std::move(channel)), output_(output), timeout_seconds_(timeout_seconds) {}

  std::shared_ptr<grpc::Channel> channel_;
  OutputFormat output_;
  double timeout_seconds_;
};

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_COMMAND_ENV_H_
