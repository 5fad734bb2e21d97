// Which principal a profile names in the development header; that the header actually travels
// (plaintext) or does not (TLS) is checked against a server in access_commands_test.cc.
#include "cli/command_env.h"

#include <gtest/gtest.h>

#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::cli {
namespace {

using ::yinjian::testing::TempDir;

v1::ClientProfile Profile(bool plaintext, const std::string& principal) {
  v1::ClientProfile profile;
  profile.set_server("127.0.0.1:7443");
  profile.set_insecure_plaintext_for_development(plaintext);
  profile.set_development_principal(principal);
  return profile;
}

TEST(CommandEnvTest, PlaintextProfilesSendTheirDevelopmentPrincipal) {
  YJ_ASSERT_OK_AND_ASSIGN(const std::string principal,
                          DevelopmentPrincipal(Profile(true, "alice")));
  EXPECT_EQ(principal, "alice");
  YJ_ASSERT_OK_AND_ASSIGN(const std::string none, DevelopmentPrincipal(Profile(true, "")));
  EXPECT_EQ(none, "");
}

TEST(CommandEnvTest, TlsProfilesNeverSendIt) {
  YJ_ASSERT_OK_AND_ASSIGN(const std::string principal,
                          DevelopmentPrincipal(Profile(false, "alice")));
  EXPECT_EQ(principal, "");
  // Not even checked: with TLS the field is ignored.
  YJ_EXPECT_OK(DevelopmentPrincipal(Profile(false, "bad\nname")));
}

TEST(CommandEnvTest, NamesThatCannotBeAHeaderAreRejected) {
  for (const std::string& bad : {std::string("bad\nname"), std::string("tab\there"),
                                  std::string("caf\xc3\xa9"), std::string("nul\0x", 5)}) {
    const auto principal = DevelopmentPrincipal(Profile(true, bad));
    ASSERT_FALSE(principal.ok()) << bad;
    EXPECT_EQ(principal.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(CommandEnvTest, ProfileIsTheFileWithTheFlagsApplied) {
  YJ_ASSERT_OK_AND_ASSIGN(const TempDir dir, TempDir::Create());
  YJ_ASSERT_OK_AND_ASSIGN(
      const std::string path,
      dir.WriteFile("dev.profile", "server: \"127.0.0.1:7443\" "
                                   "insecure_plaintext_for_development: true "
                                   "development_principal: \"alice\""));
  GlobalOptions globals{.profile_path = path};
  globals.connection.server = "[::1]:8443";
  YJ_ASSERT_OK_AND_ASSIGN(const CommandEnv env, CommandEnv::Create(globals));
  EXPECT_EQ(env.profile().server(), "[::1]:8443");
  EXPECT_EQ(env.profile().development_principal(), "alice");
  EXPECT_EQ(env.output(), OutputFormat::kTable);
}

TEST(CommandEnvTest, UnsendablePrincipalFailsBeforeAnyCall) {
  YJ_ASSERT_OK_AND_ASSIGN(const TempDir dir, TempDir::Create());
  YJ_ASSERT_OK_AND_ASSIGN(
      const std::string path,
      dir.WriteFile("dev.profile", "server: \"127.0.0.1:7443\" "
                                   "insecure_plaintext_for_development: true "
                                   "development_principal: \"a\\nb\""));
  const auto env = CommandEnv::Create(GlobalOptions{.profile_path = path});
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(env.status().message().find("development_principal"), absl::string_view::npos);
}

}  // namespace
}  // namespace yinjian::cli
