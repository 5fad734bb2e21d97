#include "cli/entry_json.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "cli/audit_output.h"
#include "tests/cli/test_audit_log.h"
#include "tests/support/status_test_macros.h"

namespace yinjian::cli {
namespace {

TEST(EntryJsonTest, ReadsAnEntryAsTheServerWritesIt) {
  YJ_ASSERT_OK_AND_ASSIGN(const std::vector<JsonMember> members,
                          ParseJsonObject(testing::TestEntry(41)));
  ASSERT_EQ(members.size(), 15u);
  EXPECT_EQ(members[0].name, "certificate");
  EXPECT_EQ(members[0].raw_name, "\"certificate\"");
  EXPECT_EQ(members[0].raw_value, "\"3f1c\"");
  EXPECT_EQ(MemberText(members, "principal"), "fin-app");
  EXPECT_EQ(MemberText(members, "index"), "41");
  EXPECT_EQ(MemberText(members, "absent"), "");
  EXPECT_EQ(MemberInteger(members, "index"), 41);
  EXPECT_EQ(MemberInteger(members, "principal"), std::nullopt);
  EXPECT_EQ(MemberInteger(members, "absent"), std::nullopt);
}

TEST(EntryJsonTest, DecodesEscapes) {
  YJ_ASSERT_OK_AND_ASSIGN(
      const std::vector<JsonMember> members,
      ParseJsonObject(R"( { "a" : "q\"b\\s\/n\n\u00e9\ud83d\ude00\ud800x" , "b":[1,{"c":null}],)"
                      R"( "d": -1.5e+3, "e": true } )"));
  ASSERT_EQ(members.size(), 4u);
  EXPECT_EQ(*members[0].text, "q\"b\\s/n\n\xC3\xA9\xF0\x9F\x98\x80\xEF\xBF\xBDx");
  EXPECT_EQ(members[1].raw_value, "[1,{\"c\":null}]");
  EXPECT_FALSE(members[1].text.has_value());
  EXPECT_EQ(MemberText(members, "d"), "-1.5e+3");
  EXPECT_EQ(MemberInteger(members, "d"), std::nullopt);
  EXPECT_EQ(MemberText(members, "e"), "true");
}

TEST(EntryJsonTest, RejectsWhatIsNotOneObject) {
  for (const char* bad : {"", "[]", "{", "{}x", "{\"a\":1,}", "{\"a\" 1}", "{\"a\":01}",
                          "{\"a\":\"\x01\"}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12G4\"}",
                          "{\"a\":1,\"a\":2}", "{\"a\":tru}", "{\"a\":\"unterminated}", "{a:1}"}) {
    const auto parsed = ParseJsonObject(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
    if (!parsed.ok()) {
      EXPECT_TRUE(absl::StartsWith(parsed.status().message(), "not a JSON object: ")) << bad;
    }
  }
  std::string deep(100, '[');
  deep = "{\"a\":" + deep + std::string(100, ']') + "}";
  EXPECT_FALSE(ParseJsonObject(deep).ok());
}

TEST(EntryJsonTest, IndentsWithoutReserialising) {
  YJ_ASSERT_OK_AND_ASSIGN(const std::vector<JsonMember> members,
                          ParseJsonObject("{\"b\":\"\\u00e9\",\"a\":1.50}"));
  EXPECT_EQ(IndentedJson(members), "{\n  \"b\": \"\\u00e9\",\n  \"a\": 1.50\n}\n");
  EXPECT_EQ(IndentedJson({}), "{}\n");
}

TEST(EntryJsonTest, QuotesStrings) {
  EXPECT_EQ(JsonQuote("a\"b\\c\nd\x01\xC3\xA9"), "\"a\\\"b\\\\c\\nd\\u0001\xC3\xA9\"");
}

TEST(AuditOutputTest, EntryRowsShowTheEntrysMembers) {
  v1::AuditEntry entry;
  entry.set_index(41);
  entry.set_entry(testing::TestEntry(41));
  EXPECT_EQ(AuditEntryRow(entry),
            (std::vector<std::string>{"41", "2026-11-21T14:25:00.123456Z", "fin-app", "Encrypt",
                                      "finance/docs", "allow", "OWNER", "OK"}));
  entry.set_entry("{\"index\":41,\"key\":\"\"}");
  EXPECT_EQ(AuditEntryRow(entry)[4], "-");
  entry.set_entry("garbage");
  EXPECT_EQ(AuditEntryRow(entry), (std::vector<std::string>{"41", "(not a JSON object)"}));
  EXPECT_EQ(AuditEntryTable().header.size(), 8u);
}

}  // namespace
}  // namespace yinjian::cli
