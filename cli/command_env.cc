#include "cli/command_env.h"

#include <chrono>
#include <cstdio>

#include "absl/strings/str_cat.h"
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

absl::StatusOr<CommandEnv> CommandEnv::Create(const GlobalOptions& globals,
                                              ReceiptOptions receipt) {
  RETURN_IF_ERROR(CheckReceiptOptions(receipt));
  ASSIGN_OR_RETURN(const OutputFormat output, OutputFormatFromName(globals.output));
  if (!(globals.timeout_seconds > 0)) {
    return absl::InvalidArgumentError("--timeout must be a positive number of seconds");
  }
  ASSIGN_OR_RETURN(v1::ClientProfile profile,
                   ResolveProfile(globals.profile_path, globals.connection));
  ASSIGN_OR_RETURN(std::string principal, DevelopmentPrincipal(profile));
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> channel, MakeChannel(profile));
  return CommandEnv(std::move(channel), std::move(profile), std::move(principal), output,
                    globals.timeout_seconds, std::move(receipt));
}

void CommandEnv::PrepareContext(grpc::ClientContext* context) const {
  const auto timeout = std::chrono::duration_cast<std::chrono::system_clock::duration>(
      std::chrono::duration<double>(timeout_seconds_));
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  if (!development_principal_.empty()) {
    context->AddMetadata(kPrincipalHeader, development_principal_);
  }
  if (receipt_.deferred && !receipt_.out.empty()) {
    context->AddMetadata(kReceiptModeHeader, kReceiptModeDeferred);
  }
}

absl::Status CommandEnv::FinishCall(const grpc::ClientContext& context,
                                    const grpc::Status& status) const {
  if (receipt_.out.empty()) return FromRpcStatus(status);
  const absl::StatusOr<std::string> notice =
      SaveReceipt(receipt_, ReceiptFromTrailers(context.GetServerTrailingMetadata()), status.ok());
  if (notice.ok() && !notice->empty()) std::fprintf(stderr, "%s\n", notice->c_str());
  if (status.ok()) return notice.status();
  if (notice.ok()) return FromRpcStatus(status);
  return FromRpcStatus(grpc::Status(
      status.error_code(), absl::StrCat(status.error_message(), " (and the receipt was not saved: ",
                                        notice.status().message(), ")")));
}

}  // namespace yinjian::cli
