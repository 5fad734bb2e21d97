// What every command needs: the global options as parsed, and from them the resolved profile, a
// channel, the output format, and what each RPC carries (a deadline and, on a development
// plaintext channel, the principal to act as), and what comes back with each RPC that the user
// asked to keep (the audit receipt, --receipt-out).
#ifndef YINJIAN_CLI_COMMAND_ENV_H_
#define YINJIAN_CLI_COMMAND_ENV_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cli/command_registry.h"
#include "cli/output.h"
#include "cli/receipt_capture.h"
#include "cli/status_exit.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "yinjian/v1/config.pb.h"

namespace yinjian::cli {

// The request header that names the caller on a development plaintext channel, where there is no
// client certificate to identify it (ClientProfile.development_principal).
inline constexpr char kPrincipalHeader[] = "yinjian-principal";

// The principal `profile` acts as through kPrincipalHeader: its development_principal on an
// insecure plaintext channel, empty with TLS (the certificate identifies the caller) or when none
// is set. INVALID_ARGUMENT if the name cannot travel in a header (not printable ASCII).
absl::StatusOr<std::string> DevelopmentPrincipal(const v1::ClientProfile& profile);

class CommandEnv {
 public:
  // Resolves the profile, opens the channel (lazily: no connection is made yet) and checks the
  // output format, the timeout and `receipt` (what to do with each call's audit receipt). As
  // ResolveProfile / MakeChannel / DevelopmentPrincipal / CheckReceiptOptions for errors;
  // INVALID_ARGUMENT for a bad format or a timeout that is not positive.
  static absl::StatusOr<CommandEnv> Create(const GlobalOptions& globals,
                                           ReceiptOptions receipt = {});

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  OutputFormat output() const { return output_; }
  // The profile in use: the profile file with the connection flags applied.
  const v1::ClientProfile& profile() const { return profile_; }

  // Gives `context` what every RPC carries: the deadline now + --timeout; if
  // DevelopmentPrincipal(profile()) is not empty, the kPrincipalHeader naming it; with
  // --deferred-receipt, the kReceiptModeHeader asking for the receipt's index only.
  void PrepareContext(grpc::ClientContext* context) const;

  // Ends an RPC made with a context from PrepareContext, once `status` is known: saves the
  // receipt from the trailing metadata as --receipt-out asks (SaveReceipt; also for a failed
  // call that brought one) and shows its stderr line, then returns FromRpcStatus(status). If the
  // call failed and the receipt could not be saved either, the RPC's error is returned with
  // that reason appended; if only saving failed, SaveReceipt's error.
  absl::Status FinishCall(const grpc::ClientContext& context, const grpc::Status& status) const;

  // Runs one unary RPC: `rpc(context)` with a fresh context prepared by PrepareContext, finished
  // by FinishCall.
  template <typename Rpc>
  absl::Status Call(Rpc&& rpc) const {
    grpc::ClientContext context;
    PrepareContext(&context);
    const grpc::Status status = rpc(&context);
    return FinishCall(context, status);
  }

 private:
  CommandEnv(std::shared_ptr<grpc::Channel> channel, v1::ClientProfile profile,
             std::string development_principal, OutputFormat output, double timeout_seconds,
             ReceiptOptions receipt)
      : channel_(std::move(channel)),
        profile_(std::move(profile)),
        development_principal_(std::move(development_principal)),
        output_(output),
        timeout_seconds_(timeout_seconds),
        receipt_(std::move(receipt)) {}

  std::shared_ptr<grpc::Channel> channel_;
  v1::ClientProfile profile_;
  std::string development_principal_;
  OutputFormat output_;
  double timeout_seconds_;
  ReceiptOptions receipt_;
};

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_COMMAND_ENV_H_
