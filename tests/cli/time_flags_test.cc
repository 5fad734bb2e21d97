#include "cli/time_flags.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "tests/support/status_test_macros.h"

namespace yinjian::cli {
namespace {

absl::Time At(const char* rfc3339) {
  absl::Time time;
  std::string error;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &time, &error)) << error;
  return time;
}

TEST(TimeFlagsTest, DurationsWithOneOrMoreUnits) {
  const std::pair<const char*, absl::Duration> cases[] = {
      {"30d", absl::Hours(24 * 30)},
      {"12h", absl::Hours(12)},
      {"90m", absl::Minutes(90)},
      {"45s", absl::Seconds(45)},
      {"1d12h", absl::Hours(36)},
      {"2h30m15s", absl::Hours(2) + absl::Minutes(30) + absl::Seconds(15)},
      {"36500d", absl::Hours(24 * 36500)},
  };
  for (const auto& [text, expected] : cases) {
    YJ_ASSERT_OK_AND_ASSIGN(const absl::Duration duration, ParseValidFor(text));
    EXPECT_EQ(duration, expected) << text;
  }
}

TEST(TimeFlagsTest, MalformedDurationsAreRejected) {
  for (const char* text : {"", "30", "d", "30x", "-1d", "1.5d", "30 d", " 30d", "1d ", "30D", "1w",
                           "0d", "0h0m", "9999999999s", "40000d"}) {
    const auto duration = ParseValidFor(text);
    ASSERT_FALSE(duration.ok()) << text;
    EXPECT_EQ(duration.status().code(), absl::StatusCode::kInvalidArgument) << text;
  }
}

TEST(TimeFlagsTest, DurationErrorsNameTheFlagOrArgument) {
  YJ_ASSERT_OK_AND_ASSIGN(const absl::Duration duration, ParseDuration("PERIOD", "90d"));
  EXPECT_EQ(duration, absl::Hours(24 * 90));
  for (const char* text : {"1w", "0d", "40000d"}) {
    const auto named = ParseDuration("PERIOD", text);
    ASSERT_FALSE(named.ok()) << text;
    EXPECT_EQ(named.status().message().rfind(absl::StrCat("PERIOD \"", text, "\""), 0), 0u)
        << named.status();
    const auto valid_for = ParseValidFor(text);
    ASSERT_FALSE(valid_for.ok()) << text;
    EXPECT_EQ(valid_for.status().message().rfind(absl::StrCat("--valid-for \"", text, "\""), 0), 0u)
        << valid_for.status();
  }
}

TEST(TimeFlagsTest, Rfc3339WithZuluOffsetOrFraction) {
  YJ_ASSERT_OK_AND_ASSIGN(const absl::Time zulu, ParseRfc3339("2026-12-31T23:59:59Z"));
  EXPECT_EQ(absl::ToUnixSeconds(zulu), 1798761599);
  YJ_ASSERT_OK_AND_ASSIGN(const absl::Time offset, ParseRfc3339("2027-01-01T07:59:59+08:00"));
  EXPECT_EQ(offset, zulu);
  YJ_ASSERT_OK_AND_ASSIGN(const absl::Time fraction, ParseRfc3339("2026-12-31T23:59:59.5Z"));
  EXPECT_EQ(fraction - zulu, absl::Milliseconds(500));
}

TEST(TimeFlagsTest, NotRfc3339IsRejected) {
  for (const char* text : {"", "2026-12-31", "2026-12-31T23:59:59", "2026-12-31 23:59:59Z",
                           "31/12/2026", "tomorrow", "2026-13-01T00:00:00Z"}) {
    const auto time = ParseRfc3339(text);
    ASSERT_FALSE(time.ok()) << text;
    EXPECT_EQ(time.status().code(), absl::StatusCode::kInvalidArgument) << text;
  }
}

TEST(TimeFlagsTest, ExpiryFromExactlyOneFlag) {
  const absl::Time now = At("2026-06-01T00:00:00Z");
  YJ_ASSERT_OK_AND_ASSIGN(const absl::Time from_duration, ExpiryFromFlags("", "30d", now));
  EXPECT_EQ(from_duration, At("2026-07-01T00:00:00Z"));
  YJ_ASSERT_OK_AND_ASSIGN(const absl::Time absolute,
                          ExpiryFromFlags("2026-12-31T23:59:59Z", "", now));
  EXPECT_EQ(absolute, At("2026-12-31T23:59:59Z"));

  EXPECT_EQ(ExpiryFromFlags("", "", now).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ExpiryFromFlags("2026-12-31T23:59:59Z", "30d", now).status().code(),
            absl::StatusCode::kInvalidArgument);
  const auto malformed = ExpiryFromFlags("2026-12-31", "", now);
  ASSERT_FALSE(malformed.ok());
  EXPECT_NE(malformed.status().message().find("--expires"), absl::string_view::npos);
}

TEST(TimeFlagsTest, ExpiryMustBeInTheFuture) {
  const absl::Time now = At("2026-06-01T00:00:00Z");
  const auto past = ExpiryFromFlags("2026-05-31T23:59:59Z", "", now);
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(past.status().message().find("not in the future"), absl::string_view::npos);
  EXPECT_FALSE(ExpiryFromFlags("2026-06-01T00:00:00Z", "", now).ok());
}

TEST(TimeFlagsTest, TimestampsKeepSecondsAndNanos) {
  const google::protobuf::Timestamp timestamp =
      ToTimestamp(absl::FromUnixSeconds(1798761599) + absl::Nanoseconds(250));
  EXPECT_EQ(timestamp.seconds(), 1798761599);
  EXPECT_EQ(timestamp.nanos(), 250);
  // Before 1970, nanos still count forward from the second.
  const google::protobuf::Timestamp before_epoch = ToTimestamp(absl::FromUnixMillis(-1500));
  EXPECT_EQ(before_epoch.seconds(), -2);
  EXPECT_EQ(before_epoch.nanos(), 500000000);
}

}  // namespace
}  // namespace yinjian::cli
