// A key's rotation period on the command line (`key create --rotation-period`, `key set-rotation`)
// and in output: "90d", "12h", "1d12h", or 0 for no automatic rotation.
#ifndef YINJIAN_CLI_ROTATION_PERIOD_H_
#define YINJIAN_CLI_ROTATION_PERIOD_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/duration.pb.h"

namespace yinjian::cli {

// "0" as a zero Duration (no automatic rotation), or a duration as ParseDuration reads it
// ("90d", "12h", "1d12h") in whole seconds. INVALID_ARGUMENT otherwise, naming `what` (the flag or
// argument, e.g. "--rotation-period").
absl::StatusOr<google::protobuf::Duration> ParseRotationPeriod(absl::string_view what,
                                                               absl::string_view text);

// The period as the flags spell it, largest units first ("90d", "1d12h", "45s"); "-" for an unset,
// zero or negative period (no automatic rotation).
std::string FormatRotationPeriod(const google::protobuf::Duration& period);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_ROTATION_PERIOD_H_
