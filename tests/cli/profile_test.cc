#include "cli/profile.h"

#include <gtest/gtest.h>

#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::cli {
namespace {

using ::yinjian::testing::TempDir;

constexpr char kProfile[] = R"pb(
  server: "keys.example:7443"
  ca_file: "/etc/yinjian/ca.pem"
  certificate_file: "admin.pem"
  key_file: "/etc/yinjian/admin.key"
)pb";

TEST(ProfileTest, ParsesTextProtoAndResolvesRelativePathsAgainstItsDirectory) {
  YJ_ASSERT_OK_AND_ASSIGN(const v1::ClientProfile profile,
                          ParseProfileText(kProfile, "test", "/var/lib/yinjian"));
  EXPECT_EQ(profile.server(), "keys.example:7443");
  EXPECT_EQ(profile.ca_file(), "/etc/yinjian/ca.pem");
  EXPECT_EQ(profile.certificate_file(), "/var/lib/yinjian/admin.pem");
  EXPECT_EQ(profile.key_file(), "/etc/yinjian/admin.key");
  EXPECT_FALSE(profile.insecure_plaintext_for_development());
}

TEST(ProfileTest, LoadsAFile) {
  YJ_ASSERT_OK_AND_ASSIGN(const TempDir dir, TempDir::Create());
  YJ_ASSERT_OK_AND_ASSIGN(const std::string path, dir.WriteFile("admin.profile", kProfile));
  YJ_ASSERT_OK_AND_ASSIGN(const v1::ClientProfile profile, LoadProfile(path));
  EXPECT_EQ(profile.server(), "keys.example:7443");
  EXPECT_EQ(profile.certificate_file(), dir.File("admin.pem"));
}

TEST(ProfileTest, UnknownFieldIsAnErrorNamingTheFileAndLine) {
  YJ_ASSERT_OK_AND_ASSIGN(const TempDir dir, TempDir::Create());
  YJ_ASSERT_OK_AND_ASSIGN(const std::string path,
                          dir.WriteFile("bad.profile", "server: \"a:1\"\nserver_port: 7443\n"));
  const absl::StatusOr<v1::ClientProfile> profile = LoadProfile(path);
  ASSERT_FALSE(profile.ok());
  EXPECT_EQ(profile.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(profile.status().message().find(path), absl::string_view::npos) << profile.status();
  EXPECT_NE(profile.status().message().find("server_port"), absl::string_view::npos);
  EXPECT_NE(profile.status().message().find("line 2"), absl::string_view::npos);
}

TEST(ProfileTest, MissingFileIsNotFoundNamingTheFile) {
  const absl::StatusOr<v1::ClientProfile> profile = LoadProfile("/nonexistent/x.profile");
  ASSERT_FALSE(profile.ok());
  EXPECT_EQ(profile.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(profile.status().message().find("/nonexistent/x.profile"), absl::string_view::npos);
}

TEST(ProfileTest, FlagsOverrideProfileFieldsAndEmptyFlagsDoNot) {
  YJ_ASSERT_OK_AND_ASSIGN(const TempDir dir, TempDir::Create());
  YJ_ASSERT_OK_AND_ASSIGN(const std::string path, dir.WriteFile("admin.profile", kProfile));
  YJ_ASSERT_OK_AND_ASSIGN(
      const v1::ClientProfile profile,
      ResolveProfile(path, {.server = "other:1", .key_file = "/home/me/me.key"}));
  EXPECT_EQ(profile.server(), "other:1");
  EXPECT_EQ(profile.ca_file(), "/etc/yinjian/ca.pem");
  EXPECT_EQ(profile.certificate_file(), dir.File("admin.pem"));
  EXPECT_EQ(profile.key_file(), "/home/me/me.key");
}

TEST(ProfileTest, FlagsAloneSufficeWithoutAProfile) {
  YJ_ASSERT_OK_AND_ASSIGN(const v1::ClientProfile profile,
                          ResolveProfile("", {.server = "127.0.0.1:7443", .ca_file = "ca.pem"}));
  EXPECT_EQ(profile.server(), "127.0.0.1:7443");
  EXPECT_EQ(profile.ca_file(), "ca.pem");  // relative flags stay relative to the cwd
}

TEST(ProfileTest, NoServerAnywhereIsAnError) {
  const absl::StatusOr<v1::ClientProfile> profile = ResolveProfile("", {.ca_file = "ca.pem"});
  ASSERT_FALSE(profile.ok());
  EXPECT_EQ(profile.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(profile.status().message().find("--server"), absl::string_view::npos);
}

}  // namespace
}  // namespace yinjian::cli
