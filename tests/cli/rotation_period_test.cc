#include "cli/rotation_period.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "tests/support/status_test_macros.h"

namespace yinjian::cli {
namespace {

google::protobuf::Duration Seconds(int64_t seconds) {
  google::protobuf::Duration duration;
  duration.set_seconds(seconds);
  return duration;
}

TEST(RotationPeriodTest, PeriodsBecomeWholeSeconds) {
  const std::pair<const char*, int64_t> cases[] = {
      {"90d", 90 * 86400}, {"12h", 12 * 3600}, {"1d12h", 36 * 3600}, {"45s", 45}, {"90m", 5400}};
  for (const auto& [text, seconds] : cases) {
    YJ_ASSERT_OK_AND_ASSIGN(const google::protobuf::Duration period,
                            ParseRotationPeriod("PERIOD", text));
    EXPECT_EQ(period.seconds(), seconds) << text;
    EXPECT_EQ(period.nanos(), 0) << text;
  }
}

TEST(RotationPeriodTest, ZeroSwitchesRotationOff) {
  YJ_ASSERT_OK_AND_ASSIGN(const google::protobuf::Duration period,
                          ParseRotationPeriod("PERIOD", "0"));
  EXPECT_EQ(period.seconds(), 0);
  EXPECT_EQ(period.nanos(), 0);
}

TEST(RotationPeriodTest, MalformedPeriodsNameTheFlagAndTheWayToSwitchOff) {
  for (const char* text : {"", "90", "1w", "-1d", "1.5d", "90D", " 90d", "0d", "40000d"}) {
    const auto period = ParseRotationPeriod("--rotation-period", text);
    ASSERT_FALSE(period.ok()) << text;
    EXPECT_EQ(period.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_TRUE(absl::StartsWith(period.status().message(), "--rotation-period \""))
        << period.status();
    EXPECT_TRUE(absl::EndsWith(period.status().message(), "; 0 switches automatic rotation off"))
        << period.status();
  }
}

TEST(RotationPeriodTest, FormatsLargestUnitsFirst) {
  EXPECT_EQ(FormatRotationPeriod(Seconds(90 * 86400)), "90d");
  EXPECT_EQ(FormatRotationPeriod(Seconds(12 * 3600)), "12h");
  EXPECT_EQ(FormatRotationPeriod(Seconds(36 * 3600)), "1d12h");
  EXPECT_EQ(FormatRotationPeriod(Seconds(86400 + 3600 + 60 + 1)), "1d1h1m1s");
  EXPECT_EQ(FormatRotationPeriod(Seconds(45)), "45s");
  EXPECT_EQ(FormatRotationPeriod(Seconds(5400)), "1h30m");
}

TEST(RotationPeriodTest, NoPeriodIsADash) {
  EXPECT_EQ(FormatRotationPeriod(google::protobuf::Duration()), "-");
  EXPECT_EQ(FormatRotationPeriod(Seconds(-5)), "-");
}

TEST(RotationPeriodTest, FormatReadsBackAsTheSamePeriod) {
  for (const int64_t seconds : {int64_t{1}, int64_t{59}, int64_t{3601}, int64_t{7776000},
                                int64_t{31622400}, int64_t{100} * 366 * 86400}) {
    YJ_ASSERT_OK_AND_ASSIGN(const google::protobuf::Duration period,
                            ParseRotationPeriod("PERIOD", FormatRotationPeriod(Seconds(seconds))));
    EXPECT_EQ(period.seconds(), seconds);
  }
}

TEST(RotationPeriodTest, FractionsAreShownExactly) {
  google::protobuf::Duration period = Seconds(1);
  period.set_nanos(500000000);
  EXPECT_EQ(FormatRotationPeriod(period), "1.5s");
}

}  // namespace
}  // namespace yinjian::cli
