#include "cli/key_policy_flags.h"

#include <gtest/gtest.h>

#include "google/protobuf/util/message_differencer.h"
#include "tests/support/status_test_macros.h"

namespace yinjian::cli {
namespace {

using ::google::protobuf::util::MessageDifferencer;

// Parses `args` (without a program name) with only the policy options defined.
KeyPolicyFlags Parse(std::vector<std::string> args) {
  CLI::App app;
  KeyPolicyFlags flags;
  AddKeyPolicyOptions(&app, &flags);
  args.insert(args.begin(), "test");
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  app.parse(static_cast<int>(argv.size()), argv.data());
  return flags;
}

TEST(KeyPolicyFlagsTest, NoFlagsIsAnEmptyPolicyMeaningTheDefaults) {
  const KeyPolicyFlags flags = Parse({});
  EXPECT_FALSE(AnyPolicyFlag(flags));
  YJ_ASSERT_OK_AND_ASSIGN(const v1::KeyPolicy policy, BuildKeyPolicy(flags));
  EXPECT_TRUE(MessageDifferencer::Equals(policy, v1::KeyPolicy()));
  EXPECT_EQ(RenderTable(KeyPolicyTable(policy)),
            "LEVEL    SHARING  OPERATIONS  SHARED  PURPOSES\n"
            "general  none     (all)       -       (any)\n");
}

TEST(KeyPolicyFlagsTest, EveryFlagRepeatedOrCommaSeparated) {
  const KeyPolicyFlags flags =
      Parse({"--level", "core", "--sharing", "unconditional", "--allow-operation", "sign,verify",
             "--allow-operation", "get-public-key", "--share-operation", "verify",
             "--allow-purpose", "release signing", "--allow-purpose", "audit"});
  EXPECT_TRUE(AnyPolicyFlag(flags));
  YJ_ASSERT_OK_AND_ASSIGN(const v1::KeyPolicy policy, BuildKeyPolicy(flags));
  EXPECT_EQ(policy.data_level(), "core");
  EXPECT_EQ(policy.sharing_class(), "unconditional");
  EXPECT_EQ(std::vector<std::string>(policy.allowed_operations().begin(),
                                     policy.allowed_operations().end()),
            (std::vector<std::string>{"sign", "verify", "get-public-key"}));
  EXPECT_EQ(policy.shared_operations_size(), 1);
  // Purposes are free text: commas and spaces are kept.
  EXPECT_EQ(std::vector<std::string>(policy.allowed_purposes().begin(),
                                     policy.allowed_purposes().end()),
            (std::vector<std::string>{"release signing", "audit"}));
  EXPECT_EQ(RenderTable(KeyPolicyTable(policy)),
            "LEVEL  SHARING        OPERATIONS                  SHARED  PURPOSES\n"
            "core   unconditional  sign,verify,get-public-key  verify  release signing,audit\n");
}

TEST(KeyPolicyFlagsTest, UnknownNamesAreRejected) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--level", "secret"},
        {"--sharing", "everyone"},
        {"--allow-operation", "encrypt,wrap"},
        {"--sharing", "unconditional", "--share-operation", "Sign"},
        {"--allow-purpose", ""}}) {
    const auto policy = BuildKeyPolicy(Parse(args));
    ASSERT_FALSE(policy.ok()) << args[0];
    EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(KeyPolicyFlagsTest, SharedOperationsNeedUnconditionalSharing) {
  for (const char* sharing : {"", "none", "conditional"}) {
    KeyPolicyFlags flags{.sharing_class = sharing, .shared_operations = {"verify"}};
    const auto policy = BuildKeyPolicy(flags);
    ASSERT_FALSE(policy.ok()) << sharing;
    EXPECT_NE(policy.status().message().find("--sharing unconditional"), absl::string_view::npos);
  }
}

TEST(KeyPolicyFlagsTest, UnconditionalWithoutSharedOperationsSharesTheAllowedOnes) {
  v1::KeyPolicy policy;
  policy.set_sharing_class("unconditional");
  EXPECT_EQ(RenderTable(KeyPolicyTable(policy)),
            "LEVEL    SHARING        OPERATIONS  SHARED     PURPOSES\n"
            "general  unconditional  (all)       (allowed)  (any)\n");
}

}  // namespace
}  // namespace yinjian::cli
