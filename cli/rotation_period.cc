#include "cli/rotation_period.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cli/time_flags.h"

namespace yinjian::cli {

absl::StatusOr<google::protobuf::Duration> ParseRotationPeriod(absl::string_view what,
                                                               absl::string_view text) {
  google::protobuf::Duration period;
  if (text == "0") return period;
  absl::StatusOr<absl::Duration> parsed = ParseDuration(what, text);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(parsed.status().message(), "; 0 switches automatic rotation off"));
  }
  // The units are whole seconds at the smallest, so nothing is lost.
  period.set_seconds(absl::ToInt64Seconds(*parsed));
  return period;
}

std::string FormatRotationPeriod(const google::protobuf::Duration& period) {
  if (period.seconds() < 0 || (period.seconds() == 0 && period.nanos() <= 0)) return "-";
  if (period.nanos() != 0) {
    // Not something the CLI sends or the server stores; shown exactly rather than rounded.
    return absl::FormatDuration(absl::Seconds(period.seconds()) +
                                absl::Nanoseconds(period.nanos()));
  }
  int64_t rest = period.seconds();
  std::string text;
  for (const auto& [unit, seconds] :
       {std::pair<char, int64_t>{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}}) {
    if (rest >= seconds) {
      absl::StrAppend(&text, rest / seconds, std::string(1, unit));
      rest %= seconds;
    }
  }
  return text;
}

}  // namespace yinjian::cli
