#include "cli/status_exit.h"

#include <cstdio>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/types/optional.h"

namespace yinjian::cli {
namespace {

// The payload that records where a failure came from; its value is one of the kinds below.
constexpr char kOriginUrl[] = "type.yinjian.dev/yinjianctl.origin";
constexpr char kOriginRpc[] = "rpc";
constexpr char kOriginNotValid[] = "not-valid";

bool HasOrigin(const absl::Status& status, absl::string_view origin) {
  absl::optional<absl::Cord> payload = status.GetPayload(kOriginUrl);
  return payload.has_value() && *payload == origin;
}

std::string OneLine(absl::string_view text) {
  std::string line(text);
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return line;
}

}  // namespace

std::string StatusCodeName(absl::StatusCode code) {
  // Empty for a value outside the canonical codes.
  std::string name = absl::StatusCodeToString(code);
  return name.empty() ? absl::StrCat("CODE_", static_cast<int>(code)) : name;
}

absl::Status FromRpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  // grpc::StatusCode and absl::StatusCode are both the canonical google.rpc.Code values.
  absl::Status converted(static_cast<absl::StatusCode>(status.error_code()),
                         status.error_message());
  converted.SetPayload(kOriginUrl, absl::Cord(kOriginRpc));
  return converted;
}

absl::Status NotValid(absl::string_view what) {
  absl::Status status = absl::FailedPreconditionError(what);
  status.SetPayload(kOriginUrl, absl::Cord(kOriginNotValid));
  return status;
}

bool IsNotValid(const absl::Status& status) { return HasOrigin(status, kOriginNotValid); }

absl::Status BadServerAnswer(absl::string_view what) {
  absl::Status status = absl::FailedPreconditionError(what);
  status.SetPayload(kOriginUrl, absl::Cord(kOriginRpc));
  return status;
}

int ExitCodeFor(const absl::Status& status) {
  if (status.ok()) return kExitOk;
  if (HasOrigin(status, kOriginRpc)) return kExitRpcError;
  if (HasOrigin(status, kOriginNotValid)) return kExitNotValid;
  return kExitUsage;
}

std::string ErrorLine(const absl::Status& status) {
  if (HasOrigin(status, kOriginNotValid)) {
    return absl::StrCat("yinjianctl: ", OneLine(status.message()));
  }
  return absl::StrCat("yinjianctl: ", StatusCodeName(status.code()), ": ",
                      OneLine(status.message()));
}

int ReportAndExitCode(const absl::Status& status) {
  if (!status.ok()) std::fprintf(stderr, "%s\n", ErrorLine(status).c_str());
  return ExitCodeFor(status);
}

}  // namespace yinjian::cli
