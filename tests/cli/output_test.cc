#include "cli/output.h"

#include <gtest/gtest.h>

#include "tests/support/status_test_macros.h"
#include "yinjian/v1/crypto.pb.h"
#include "yinjian/v1/keys.pb.h"

namespace yinjian::cli {
namespace {

TEST(OutputTest, TableColumnsAreAlignedWithoutTrailingSpaces) {
  const Table table{.header = {"NAME", "KIND"},
                    .rows = {{"hr/payroll", "aes256-gcm"}, {"it/tls", "ecdsa-p256"}, {"x"}}};
  EXPECT_EQ(RenderTable(table),
            "NAME        KIND\n"
            "hr/payroll  aes256-gcm\n"
            "it/tls      ecdsa-p256\n"
            "x\n");
}

TEST(OutputTest, HeaderlessTableIsJustTheRows) {
  EXPECT_EQ(RenderTable(Table{.rows = {{"abab"}}}), "abab\n");
}

TEST(OutputTest, JsonIsOneLineWithProtoFieldNamesAndEnumNames) {
  v1::ListKeysResponse response;
  v1::Key* key = response.add_keys();
  key->set_name("hr/payroll");
  key->set_kind(v1::KEY_KIND_AES256_GCM);
  key->set_primary_version(2);
  key->set_description("multi\nline");
  YJ_ASSERT_OK_AND_ASSIGN(const std::string json, RenderJsonLine(response));
  EXPECT_EQ(json,
            "{\"keys\":[{\"name\":\"hr/payroll\",\"kind\":\"KEY_KIND_AES256_GCM\","
            "\"primary_version\":2,\"description\":\"multi\\nline\"}]}\n");
}

TEST(OutputTest, JsonEncodesBytesAsBase64) {
  v1::GenerateRandomResponse response;
  response.set_data(std::string(3, '\xAB'));
  YJ_ASSERT_OK_AND_ASSIGN(const std::string json, RenderJsonLine(response));
  EXPECT_EQ(json, "{\"data\":\"q6ur\"}\n");
}

TEST(OutputTest, KeyVersionTableNamesKindAndProtection) {
  v1::KeyVersionInfo info;
  info.set_key("hr/sig");
  info.set_version(3);
  info.set_kind(v1::KEY_KIND_SM2);
  info.set_protection_level(v1::PROTECTION_LEVEL_SOFTWARE);
  EXPECT_EQ(RenderTable(KeyVersionTable(info)),
            "KEY     VERSION  KIND  PROTECTION\n"
            "hr/sig  3        sm2   software\n");
}

TEST(OutputTest, FormatNamesAndTimestamps) {
  YJ_ASSERT_OK_AND_ASSIGN(const OutputFormat json, OutputFormatFromName("json"));
  EXPECT_EQ(json, OutputFormat::kJson);
  EXPECT_FALSE(OutputFormatFromName("yaml").ok());
  google::protobuf::Timestamp time;
  EXPECT_EQ(FormatTimestamp(time), "-");
  time.set_seconds(1700000000);
  EXPECT_EQ(FormatTimestamp(time), "2023-11-14T22:13:20Z");
}

}  // namespace
}  // namespace yinjian::cli
