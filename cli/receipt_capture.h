// `--receipt-out FILE [--deferred-receipt]` on the data commands. The server answers every call
// with its audit receipt in the trailing metadata (proto/yinjian/v1/audit.proto); CommandEnv
// hands the trailers of each call here, and the receipt is saved to FILE - never printed - for
// `receipt verify` to check offline. With --deferred-receipt the call asks the server for the
// entry's index only, and FILE gets that index (`receipt get INDEX` fetches the receipt later).
#ifndef YINJIAN_CLI_RECEIPT_CAPTURE_H_
#define YINJIAN_CLI_RECEIPT_CAPTURE_H_

#include <map>
#include <optional>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcpp/support/string_ref.h"

namespace yinjian::cli {

// Trailing metadata: the receipt (C2SP tlog-proof text) and the entry's index (decimal).
inline constexpr char kReceiptTrailer[] = "yinjian-receipt-bin";
inline constexpr char kReceiptIndexTrailer[] = "yinjian-receipt-index";
// Request header asking for the index only.
inline constexpr char kReceiptModeHeader[] = "yinjian-receipt";
inline constexpr char kReceiptModeDeferred[] = "deferred";

// What the user asked for. Empty `out`: nothing (and no header is sent).
struct ReceiptOptions {
  std::string out;
  bool deferred = false;
};

// Adds --receipt-out FILE and --deferred-receipt (which needs --receipt-out).
void AddReceiptOptions(CLI::App* command, ReceiptOptions* options);

// INVALID_ARGUMENT if --deferred-receipt comes without a file, or the file is "-" (receipts are
// never printed). Checked before any call is made.
absl::Status CheckReceiptOptions(const ReceiptOptions& options);

// The receipt trailers of one call, each nullopt if the server did not send it.
struct CallReceipt {
  std::optional<std::string> text;
  std::optional<std::string> index;
};

CallReceipt ReceiptFromTrailers(
    const std::multimap<grpc::string_ref, grpc::string_ref>& trailing_metadata);

// Saves `receipt` to options.out as options asks: the receipt text, or with `deferred` the index
// and a newline. Nothing is saved without options.out, or if the call failed
// (`call_succeeded` false) and no receipt came back. Returns the line to show on stderr
// ("receipt deferred: index N", or "" for none). Errors: INVALID_ARGUMENT as
// CheckReceiptOptions; FAILED_PRECONDITION, marked as the server's (exit 1), if a successful
// call brought no receipt (or no index, or a malformed one, when deferred); otherwise as
// ReplaceFileAtomically.
absl::StatusOr<std::string> SaveReceipt(const ReceiptOptions& options, const CallReceipt& receipt,
                                        bool call_succeeded);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_RECEIPT_CAPTURE_H_
