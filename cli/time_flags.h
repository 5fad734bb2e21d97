// Times on the command line: an absolute RFC 3339 time (--expires) or a duration from now
// (--valid-for 30d), and their conversion to the API's Timestamp.
#ifndef YINJIAN_CLI_TIME_FLAGS_H_
#define YINJIAN_CLI_TIME_FLAGS_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace yinjian::cli {

// One or more <number><unit> groups, units d (24 h), h, m, s: "30d", "12h", "1d12h", "90m".
// INVALID_ARGUMENT for anything else, a zero total, or a total over 100 years; the message names
// the flag or argument `what` ("--valid-for", "PERIOD").
absl::StatusOr<absl::Duration> ParseDuration(absl::string_view what, absl::string_view text);

// ParseDuration("--valid-for", text).
absl::StatusOr<absl::Duration> ParseValidFor(absl::string_view text);

// An RFC 3339 date and time with a UTC offset: "2026-12-31T23:59:59Z",
// "2026-12-31T18:00:00+08:00", optionally with fractional seconds. INVALID_ARGUMENT otherwise
// (including a date without a time).
absl::StatusOr<absl::Time> ParseRfc3339(absl::string_view text);

// The expiry given by exactly one of --expires (`expires`, RFC 3339) and --valid-for
// (`valid_for`, counted from `now`); an empty string means "not given". INVALID_ARGUMENT if both
// or neither are given, either does not parse, or the expiry is not after `now`.
absl::StatusOr<absl::Time> ExpiryFromFlags(absl::string_view expires, absl::string_view valid_for,
                                           absl::Time now);

// `time` as a Timestamp (whole nanoseconds, truncated).
google::protobuf::Timestamp ToTimestamp(absl::Time time);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_TIME_FLAGS_H_
