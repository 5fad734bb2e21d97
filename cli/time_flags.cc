#include "cli/time_flags.h"

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace yinjian::cli {
namespace {

constexpr absl::Duration kLongestValidity = absl::Hours(24 * 366 * 100);

absl::StatusOr<absl::Duration> UnitDuration(char unit) {
  switch (unit) {
    case 'd':
      return absl::Hours(24);
    case 'h':
      return absl::Hours(1);
    case 'm':
      return absl::Minutes(1);
    case 's':
      return absl::Seconds(1);
    default:
      return absl::InvalidArgumentError("unknown unit");
  }
}

absl::Status BadDuration(absl::string_view what, absl::string_view text) {
  return absl::InvalidArgumentError(
      absl::StrCat(what, " \"", text,
                   "\" is not a duration such as 30d, 12h, 90m or 1d12h (units: d, h, m, s)"));
}

}  // namespace

absl::StatusOr<absl::Duration> ParseDuration(absl::string_view what, absl::string_view text) {
  absl::Duration total = absl::ZeroDuration();
  absl::string_view rest = text;
  if (rest.empty()) return BadDuration(what, text);
  while (!rest.empty()) {
    size_t digits = 0;
    while (digits < rest.size() && absl::ascii_isdigit(static_cast<unsigned char>(rest[digits]))) {
      ++digits;
    }
    // Nine digits cannot overflow int64 even in seconds; longer totals fail the bound below.
    if (digits == 0 || digits > 9 || digits == rest.size()) return BadDuration(what, text);
    int64_t count = 0;
    for (const char c : rest.substr(0, digits)) count = count * 10 + (c - '0');
    const absl::StatusOr<absl::Duration> unit = UnitDuration(rest[digits]);
    if (!unit.ok()) return BadDuration(what, text);
    total += count * *unit;
    rest.remove_prefix(digits + 1);
  }
  if (total <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " \"", text, "\" must not be zero"));
  }
  if (total > kLongestValidity) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " \"", text, "\" is longer than 100 years"));
  }
  return total;
}

absl::StatusOr<absl::Duration> ParseValidFor(absl::string_view text) {
  return ParseDuration("--valid-for", text);
}

absl::StatusOr<absl::Time> ParseRfc3339(absl::string_view text) {
  absl::Time time;
  std::string error;
  // RFC3339_full accepts an optional fraction and requires the offset ("Z" or "+08:00").
  if (!absl::ParseTime(absl::RFC3339_full, std::string(text), &time, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", text,
                     "\" is not an RFC 3339 time such as 2026-12-31T23:59:59Z or "
                     "2026-12-31T18:00:00+08:00"));
  }
  return time;
}

absl::StatusOr<absl::Time> ExpiryFromFlags(absl::string_view expires, absl::string_view valid_for,
                                           absl::Time now) {
  if (expires.empty() == valid_for.empty()) {
    return absl::InvalidArgumentError(
        "give exactly one of --expires RFC3339 and --valid-for DURATION");
  }
  absl::Time expiry;
  if (!expires.empty()) {
    absl::StatusOr<absl::Time> parsed = ParseRfc3339(expires);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--expires: ", parsed.status().message()));
    }
    expiry = *parsed;
  } else {
    const absl::StatusOr<absl::Duration> duration = ParseValidFor(valid_for);
    if (!duration.ok()) return duration.status();
    expiry = now + *duration;
  }
  if (expiry <= now) {
    return absl::InvalidArgumentError(
        absl::StrCat("--expires ", absl::FormatTime(absl::RFC3339_sec, expiry, absl::UTCTimeZone()),
                     " is not in the future"));
  }
  return expiry;
}

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  const absl::Duration since_epoch = time - absl::UnixEpoch();
  absl::Duration remainder;
  const int64_t seconds = absl::IDivDuration(since_epoch, absl::Seconds(1), &remainder);
  int64_t nanos = absl::ToInt64Nanoseconds(remainder);
  google::protobuf::Timestamp timestamp;
  // Timestamp wants 0 <= nanos < 1e9, also for times before 1970.
  if (nanos < 0) {
    timestamp.set_seconds(seconds - 1);
    nanos += 1000000000;
  } else {
    timestamp.set_seconds(seconds);
  }
  timestamp.set_nanos(static_cast<int32_t>(nanos));
  return timestamp;
}

}  // namespace yinjian::cli
