#include "cli/receipt_capture.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/file_io.h"
#include "cli/status_exit.h"
#include "common/status_macros.h"

namespace yinjian::cli {
namespace {

std::optional<std::string> Trailer(
    const std::multimap<grpc::string_ref, grpc::string_ref>& trailing_metadata, const char* name) {
  const auto found = trailing_metadata.find(grpc::string_ref(name));
  if (found == trailing_metadata.end()) return std::nullopt;
  return std::string(found->second.data(), found->second.size());
}

bool IsDecimalIndex(const std::string& text) {
  if (text.empty() || text.size() > 19) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  int64_t index = 0;
  return absl::SimpleAtoi(text, &index);
}

}  // namespace

void AddReceiptOptions(CLI::App* command, ReceiptOptions* options) {
  CLI::Option* out = command->add_option(
      "--receipt-out", options->out,
      "save the call's audit receipt here (mode 0644; check it with `receipt verify`)");
  command
      ->add_flag("--deferred-receipt", options->deferred,
                 "save only the entry's index; fetch the receipt later with `receipt get`")
      ->needs(out);
}

absl::Status CheckReceiptOptions(const ReceiptOptions& options) {
  if (options.deferred && options.out.empty()) {
    return absl::InvalidArgumentError("--deferred-receipt needs --receipt-out FILE");
  }
  if (options.out == "-") {
    return absl::InvalidArgumentError("--receipt-out needs a file name (receipts are not printed)");
  }
  return absl::OkStatus();
}

CallReceipt ReceiptFromTrailers(
    const std::multimap<grpc::string_ref, grpc::string_ref>& trailing_metadata) {
  return CallReceipt{.text = Trailer(trailing_metadata, kReceiptTrailer),
                     .index = Trailer(trailing_metadata, kReceiptIndexTrailer)};
}

absl::StatusOr<std::string> SaveReceipt(const ReceiptOptions& options, const CallReceipt& receipt,
                                        bool call_succeeded) {
  RETURN_IF_ERROR(CheckReceiptOptions(options));
  if (options.out.empty()) return std::string();
  if (options.deferred) {
    if (!receipt.index.has_value()) {
      if (!call_succeeded) return std::string();
      return BadServerAnswer(
          "the server sent no receipt index (does it run without an audit log?)");
    }
    if (!IsDecimalIndex(*receipt.index)) {
      return BadServerAnswer("the server sent a malformed receipt index");
    }
    RETURN_IF_ERROR(
        ReplaceFileAtomically(options.out, absl::StrCat(*receipt.index, "\n"), "--receipt-out"));
    return absl::StrCat("receipt deferred: index ", *receipt.index);
  }
  if (!receipt.text.has_value()) {
    if (!call_succeeded) return std::string();
    return BadServerAnswer("the server sent no receipt (does it run without an audit log?)");
  }
  RETURN_IF_ERROR(ReplaceFileAtomically(options.out, *receipt.text, "--receipt-out"));
  return std::string();
}

}  // namespace yinjian::cli
