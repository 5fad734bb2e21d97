#include "service/format/names.h"

#include <gtest/gtest.h>

#include <string>

#include "absl/status/status.h"
#include "tests/support/status_test_macros.h"

namespace yinjian::format {
namespace {

TEST(ValidateNameTest, AcceptsValidNames) {
  for (const std::string& name :
       {std::string("a"), std::string("0"), std::string("finance"), std::string("web-2.prod_x"),
        std::string("a.b.c"), std::string("9lives"), std::string(64, 'a')}) {
    EXPECT_TRUE(ValidateDepartmentName(name).ok()) << name;
    EXPECT_TRUE(ValidateKeyName(name).ok()) << name;
  }
  YJ_EXPECT_OK(ValidateKeyName(std::string(128, 'k')));
}

TEST(ValidateNameTest, LengthBoundaries) {
  YJ_EXPECT_OK(ValidateDepartmentName(std::string(64, 'd')));
  EXPECT_EQ(ValidateDepartmentName(std::string(65, 'd')).code(),
            absl::StatusCode::kInvalidArgument);
  YJ_EXPECT_OK(ValidateKeyName(std::string(128, 'k')));
  EXPECT_EQ(ValidateKeyName(std::string(129, 'k')).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateDepartmentName("").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateKeyName("").code(), absl::StatusCode::kInvalidArgument);
}

TEST(ValidateNameTest, RejectsBadNamesWithTheRuleBroken) {
  struct Case {
    std::string name;
    std::string rule;  // a fragment of the expected message
  };
  const Case cases[] = {
      {"", "1..64"},
      {std::string(65, 'a'), "1..64"},
      {"Finance", "lowercase"},
      {"fin/ance", "lowercase"},
      {"fin:ance", "lowercase"},
      {"fin ance", "lowercase"},
      {std::string("fin\0ance", 8), "lowercase"},
      {"caf\xc3\xa9", "lowercase"},  // non-ASCII
      {"-finance", "start with"},
      {".finance", "start with"},
      {"_finance", "start with"},
      {"fin..ance", "\"..\""},
      {"finance..", "\"..\""},
  };
  for (const Case& c : cases) {
    const absl::Status status = ValidateDepartmentName(c.name);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_NE(status.message().find(c.rule), absl::string_view::npos)
        << c.name << ": " << status;
    EXPECT_EQ(ValidateKeyName(c.name).code(),
              c.name.size() == 65 ? absl::StatusCode::kOk : absl::StatusCode::kInvalidArgument)
        << c.name;
  }
}

TEST(ValidateNameTest, MessageDoesNotEchoName) {
  const absl::Status status = ValidateKeyName("SecretLookingName");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message().find("SecretLookingName"), absl::string_view::npos);
  EXPECT_NE(status.message().find("key name"), absl::string_view::npos);
}

TEST(ParseKeyReferenceTest, WithoutVersion) {
  YJ_ASSERT_OK_AND_ASSIGN(KeyReference reference, ParseKeyReference("finance/invoices"));
  EXPECT_EQ(reference.department, "finance");
  EXPECT_EQ(reference.key, "invoices");
  EXPECT_FALSE(reference.version.has_value());
  EXPECT_EQ(ToString(reference), "finance/invoices");
}

TEST(ParseKeyReferenceTest, WithVersion) {
  YJ_ASSERT_OK_AND_ASSIGN(KeyReference reference, ParseKeyReference("finance/invoices:3"));
  EXPECT_EQ(reference, (KeyReference{.department = "finance", .key = "invoices", .version = 3}));
  EXPECT_EQ(ToString(reference), "finance/invoices:3");

  YJ_ASSERT_OK_AND_ASSIGN(KeyReference max, ParseKeyReference("a/b:2147483647"));
  EXPECT_EQ(max.version, 2147483647);
  YJ_ASSERT_OK_AND_ASSIGN(KeyReference ten, ParseKeyReference("a/b:10"));
  EXPECT_EQ(ten.version, 10);
}

TEST(ParseKeyReferenceTest, RoundTripsThroughToString) {
  for (const char* text : {"a/b", "finance/invoices:1", "x-1/y.z_w:987654321"}) {
    YJ_ASSERT_OK_AND_ASSIGN(KeyReference reference, ParseKeyReference(text));
    EXPECT_EQ(ToString(reference), text);
  }
}

TEST(ParseKeyReferenceTest, RejectsBadVersions) {
  for (const char* version :
       {"0", "01", "-1", "+1", "2147483648", "99999999999", "4294967297", "x", "1x", "", " 1",
        "1 ", "1.0", "0x10"}) {
    const std::string text = std::string("finance/invoices:") + version;
    const auto reference = ParseKeyReference(text);
    EXPECT_EQ(reference.status().code(), absl::StatusCode::kInvalidArgument) << text;
    if (!reference.ok()) {
      EXPECT_NE(reference.status().message().find("version"), absl::string_view::npos) << text;
    }
  }
}

TEST(ParseKeyReferenceTest, RejectsBadShapes) {
  for (const char* text :
       {"", "finance", "/invoices", "finance/", "finance/invoices/extra", "a/b/c:1",
        "finance:1/invoices", "Finance/invoices", "finance/Invoices", "finance/..", ":1",
        "finance/:1", "finance/invoices:1:2", "-x/y", "x/-y"}) {
    EXPECT_EQ(ParseKeyReference(text).status().code(), absl::StatusCode::kInvalidArgument)
        << text;
  }
}

TEST(ParseKeyReferenceTest, NamesKeepTheirLengthLimits) {
  YJ_EXPECT_OK(ParseKeyReference(std::string(64, 'd') + "/" + std::string(128, 'k') + ":7"));
  EXPECT_FALSE(ParseKeyReference(std::string(65, 'd') + "/k").ok());
  EXPECT_FALSE(ParseKeyReference("d/" + std::string(129, 'k')).ok());
}

}  // namespace
}  // namespace yinjian::format
