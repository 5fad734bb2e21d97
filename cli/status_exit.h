// How a command's outcome becomes yinjianctl's exit status and its one line on stderr.
//
// Every command returns an absl::Status. Failures come in three kinds, told apart by a payload:
//   - the server (or the channel to it) failed the RPC: exit 1 (kExitRpcError);
//   - the server answered that a signature or MAC does not verify: exit 1 (kExitNotValid);
//   - anything else (bad flags, unreadable files, unknown kind): exit 2 (kExitUsage).
#ifndef YINJIAN_CLI_STATUS_EXIT_H_
#define YINJIAN_CLI_STATUS_EXIT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"

namespace yinjian::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRpcError = 1;
inline constexpr int kExitNotValid = 1;
inline constexpr int kExitUsage = 2;

// The canonical name of `code`, e.g. "UNAVAILABLE".
std::string StatusCodeName(absl::StatusCode code);

// An RPC failure, carrying the server's code and message. OK in, OK out.
absl::Status FromRpcStatus(const grpc::Status& status);

// A verification that completed and said "no", e.g. "signature is NOT valid".
absl::Status NotValid(absl::string_view what);

// Whether `status` came from NotValid.
bool IsNotValid(const absl::Status& status);

// A server answer that breaks the API's promises (e.g. no receipt, a page of entries out of
// order): FAILED_PRECONDITION with `what`, exiting like a failed RPC.
absl::Status BadServerAnswer(absl::string_view what);

// The exit status for `status`: kExitOk, kExitRpcError / kExitNotValid, or kExitUsage.
int ExitCodeFor(const absl::Status& status);

// "yinjianctl: <CODE>: <message>" (or "yinjianctl: <what>" for NotValid), with any line breaks
// in the message replaced by spaces so the result is one line. No trailing newline.
std::string ErrorLine(const absl::Status& status);

// Writes ErrorLine(status) to stderr unless OK; returns ExitCodeFor(status).
int ReportAndExitCode(const absl::Status& status);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_STATUS_EXIT_H_
