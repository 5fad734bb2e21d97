// Credential selection; the mutual-TLS round trip is in tls_channel_test.cc.
#include "cli/channel.h"

#include <gtest/gtest.h>

#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::cli {
namespace {

using ::yinjian::testing::TempDir;

v1::ClientProfile Plaintext(const std::string& server) {
  v1::ClientProfile profile;
  profile.set_server(server);
  profile.set_insecure_plaintext_for_development(true);
  return profile;
}

TEST(ChannelTest, LoopbackAddresses) {
  EXPECT_TRUE(IsLoopbackAddress("127.0.0.1:7443"));
  EXPECT_TRUE(IsLoopbackAddress("127.1.2.3:7443"));
  EXPECT_TRUE(IsLoopbackAddress("localhost:7443"));
  EXPECT_TRUE(IsLoopbackAddress("LocalHost:1"));
  EXPECT_TRUE(IsLoopbackAddress("[::1]:7443"));
  EXPECT_FALSE(IsLoopbackAddress("10.0.0.1:7443"));
  EXPECT_FALSE(IsLoopbackAddress("example.com:7443"));
  EXPECT_FALSE(IsLoopbackAddress("localhost.example.com:7443"));
  EXPECT_FALSE(IsLoopbackAddress("[::2]:7443"));
  EXPECT_FALSE(IsLoopbackAddress("128.0.0.1:7443"));
  EXPECT_FALSE(IsLoopbackAddress("::1"));        // no port: not host:port
  EXPECT_FALSE(IsLoopbackAddress("127.0.0.1"));  // no port
  EXPECT_FALSE(IsLoopbackAddress(""));
}

TEST(ChannelTest, PlaintextRefusedForNonLoopbackAddresses) {
  for (const char* server : {"10.0.0.1:7443", "example.com:7443", "[2001:db8::1]:7443"}) {
    const auto credentials = MakeChannelCredentials(Plaintext(server));
    ASSERT_FALSE(credentials.ok()) << server;
    EXPECT_EQ(credentials.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(credentials.status().message().find(server), absl::string_view::npos);
  }
}

TEST(ChannelTest, PlaintextAllowedForLoopbackAddresses) {
  for (const char* server : {"127.0.0.1:7443", "localhost:7443", "[::1]:7443"}) {
    YJ_ASSERT_OK_AND_ASSIGN(const auto credentials, MakeChannelCredentials(Plaintext(server)));
    EXPECT_NE(credentials, nullptr) << server;
  }
}

TEST(ChannelTest, TlsNeedsAllThreeFiles) {
  YJ_ASSERT_OK_AND_ASSIGN(const TempDir dir, TempDir::Create());
  YJ_ASSERT_OK_AND_ASSIGN(const std::string pem,
                          dir.WriteFile("x.pem", "-----BEGIN CERTIFICATE-----\n"));
  v1::ClientProfile profile;
  profile.set_server("127.0.0.1:7443");
  profile.set_ca_file(pem);
  profile.set_certificate_file(pem);
  const auto missing_key = MakeChannelCredentials(profile);
  ASSERT_FALSE(missing_key.ok());
  EXPECT_EQ(missing_key.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(missing_key.status().message().find("--key"), absl::string_view::npos);

  profile.set_key_file(dir.File("absent.key"));
  const auto absent_key = MakeChannelCredentials(profile);
  ASSERT_FALSE(absent_key.ok());
  EXPECT_EQ(absent_key.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(absent_key.status().message().find("absent.key"), absl::string_view::npos);

  profile.set_key_file(pem);
  YJ_EXPECT_OK(MakeChannelCredentials(profile));
}

TEST(ChannelTest, NonPemFileIsRejected) {
  YJ_ASSERT_OK_AND_ASSIGN(const TempDir dir, TempDir::Create());
  YJ_ASSERT_OK_AND_ASSIGN(const std::string pem,
                          dir.WriteFile("x.pem", "-----BEGIN CERTIFICATE-----\n"));
  YJ_ASSERT_OK_AND_ASSIGN(const std::string der, dir.WriteFile("ca.der", "\x30\x82\x01"));
  v1::ClientProfile profile;
  profile.set_server("127.0.0.1:7443");
  profile.set_ca_file(der);
  profile.set_certificate_file(pem);
  profile.set_key_file(pem);
  const auto credentials = MakeChannelCredentials(profile);
  ASSERT_FALSE(credentials.ok());
  EXPECT_NE(credentials.status().message().find("no PEM"), absl::string_view::npos);
}

}  // namespace
}  // namespace yinjian::cli
