#include "cli/context_flags.h"

#include <gtest/gtest.h>

#include "tests/support/status_test_macros.h"

namespace yinjian::cli {
namespace {

using Context = std::map<std::string, std::string>;

TEST(ContextFlagsTest, SplitsAtTheFirstEquals) {
  YJ_ASSERT_OK_AND_ASSIGN(const Context context,
                          ParseContextFlags({"table=payroll", "filter=a=b==", "empty="}));
  EXPECT_EQ(context, (Context{{"table", "payroll"}, {"filter", "a=b=="}, {"empty", ""}}));
}

TEST(ContextFlagsTest, NoFlagsIsAnEmptyContext) {
  YJ_ASSERT_OK_AND_ASSIGN(const Context context, ParseContextFlags({}));
  EXPECT_TRUE(context.empty());
}

TEST(ContextFlagsTest, RejectsDuplicateKeys) {
  const auto context = ParseContextFlags({"a=1", "b=2", "a=1"});
  ASSERT_FALSE(context.ok());
  EXPECT_EQ(context.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(context.status().message().find("\"a\""), absl::string_view::npos);
}

TEST(ContextFlagsTest, RejectsAnEmptyKey) {
  const auto context = ParseContextFlags({"=value"});
  ASSERT_FALSE(context.ok());
  EXPECT_EQ(context.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(context.status().message().find("empty key"), absl::string_view::npos);
}

TEST(ContextFlagsTest, RejectsAnEntryWithoutEquals) {
  const auto context = ParseContextFlags({"justakey"});
  ASSERT_FALSE(context.ok());
  EXPECT_EQ(context.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace yinjian::cli
