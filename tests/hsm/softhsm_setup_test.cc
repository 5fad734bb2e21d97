// Tests softhsm-setup/create-token.sh through the test helper SoftHsmToken: tokens appear under
// their labels, PIN files are private and work, re-running is harmless, a second token can be
// added, and PINs stay out of command lines and output.
#include <sys/stat.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/softhsm_token.h"
#include "tests/support/subprocess.h"

namespace yinjian::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

// Labels of the initialised tokens in the configuration named by SOFTHSM2_CONF.
std::vector<std::string> TokenLabels() {
  absl::StatusOr<ProcessResult> result = RunProcess({"/usr/bin/softhsm2-util", "--show-slots"});
  EXPECT_TRUE(result.ok()) << result.status();
  if (!result.ok()) return {};
  EXPECT_EQ(result->exit_code, 0) << result->err;
  std::vector<std::string> labels;
  for (absl::string_view line : absl::StrSplit(result->out, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (absl::ConsumePrefix(&line, "Label:")) {
      absl::string_view label = absl::StripAsciiWhitespace(line);
      if (!label.empty()) labels.emplace_back(label);
    }
  }
  return labels;
}

// Logs in as the user of the token labelled `label` with the PIN in `pin_file`, through
// PyKCS11. Only the file name is on the command line, never the PIN.
ProcessResult UserLogin(const SoftHsmToken& token, const std::string& label,
                        const std::string& pin_file) {
  static constexpr char kScript[] = R"py(
import sys, PyKCS11
module, label, pin_file = sys.argv[1:]
lib = PyKCS11.PyKCS11Lib()
lib.load(module)
slots = [s for s in lib.getSlotList(tokenPresent=True)
         if lib.getTokenInfo(s).label.strip() == label]
if len(slots) != 1:
    sys.exit(f"{len(slots)} tokens labelled {label!r}")
session = lib.openSession(slots[0])
with open(pin_file) as f:
    session.login(f.read().rstrip("\r\n"))
session.logout()
print("login ok")
)py";
  absl::StatusOr<ProcessResult> result =
      RunProcess({"/usr/bin/python3", "-c", kScript, token.module_path, label, pin_file});
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : ProcessResult{};
}

ProcessResult RunCreateTokenScript(const SoftHsmToken& token, const std::string& label) {
  absl::StatusOr<ProcessResult> result = RunProcess(
      {"/bin/bash", SoftHsmToken::CreateTokenScript(), "--dir", token.dir, "--label", label});
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : ProcessResult{};
}

// True if `text` passes a PIN option such as `--pin 1234` or `--so-pin=1234`; `--pin-file` is
// fine.
bool PassesPinOption(absl::string_view text) {
  for (absl::string_view option : {"--pin", "--so-pin", "--new-pin"}) {
    for (size_t at = text.find(option); at != absl::string_view::npos;
         at = text.find(option, at + 1)) {
      size_t end = at + option.size();
      if (end == text.size() || text[end] == ' ' || text[end] == '=' || text[end] == '"') {
        return true;
      }
    }
  }
  return false;
}

TEST(SoftHsmSetupTest, CreateMakesTokenWithLabelAndWorkingPin) {
  absl::StatusOr<std::unique_ptr<SoftHsmToken>> token = SoftHsmToken::Create("yj-setup");
  ASSERT_TRUE(token.ok()) << token.status();
  const SoftHsmToken& t = **token;

  EXPECT_EQ(t.conf_path, t.dir + "/softhsm2.conf");
  EXPECT_EQ(t.pin_file, t.dir + "/yj-setup.pin");
  const char* conf_env = getenv("SOFTHSM2_CONF");
  ASSERT_NE(conf_env, nullptr);
  EXPECT_EQ(conf_env, t.conf_path);
  std::string conf = ReadFileOrDie(t.conf_path);
  EXPECT_THAT(conf, HasSubstr("directories.tokendir = " + t.dir + "/tokens"));
  EXPECT_THAT(conf, HasSubstr("objectstore.backend = file"));

  EXPECT_THAT(TokenLabels(), Contains("yj-setup"));
  ProcessResult login = UserLogin(t, "yj-setup", t.pin_file);
  EXPECT_EQ(login.exit_code, 0) << login.err;
  EXPECT_THAT(login.out, HasSubstr("login ok"));
}

TEST(SoftHsmSetupTest, PinFilesArePrivateAndNonEmpty) {
  absl::StatusOr<std::unique_ptr<SoftHsmToken>> token = SoftHsmToken::Create("yj-pins");
  ASSERT_TRUE(token.ok()) << token.status();
  for (const std::string& file : {(*token)->pin_file, (*token)->so_pin_file}) {
    struct stat st;
    ASSERT_EQ(stat(file.c_str(), &st), 0) << file;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << file;
    EXPECT_GE(st.st_size, 8) << file;
  }
  EXPECT_NE(ReadFileOrDie((*token)->pin_file), ReadFileOrDie((*token)->so_pin_file));
}

TEST(SoftHsmSetupTest, RunningTheScriptAgainIsIdempotent) {
  absl::StatusOr<std::unique_ptr<SoftHsmToken>> token = SoftHsmToken::Create("yj-again");
  ASSERT_TRUE(token.ok()) << token.status();
  const SoftHsmToken& t = **token;
  const std::string pin = ReadFileOrDie(t.pin_file);
  const std::string conf = ReadFileOrDie(t.conf_path);

  ProcessResult again = RunCreateTokenScript(t, "yj-again");
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.err, HasSubstr("already exists"));
  EXPECT_THAT(again.out, HasSubstr("export YINJIAN_TOKEN_LABEL='yj-again'"));

  EXPECT_EQ(ReadFileOrDie(t.pin_file), pin);
  EXPECT_EQ(ReadFileOrDie(t.conf_path), conf);
  EXPECT_THAT(TokenLabels(), Contains("yj-again").Times(1));
  EXPECT_EQ(UserLogin(t, "yj-again", t.pin_file).exit_code, 0);
}

TEST(SoftHsmSetupTest, AddTokenCreatesASecondTokenWithItsOwnPin) {
  absl::StatusOr<std::unique_ptr<SoftHsmToken>> token = SoftHsmToken::Create("yj-main");
  ASSERT_TRUE(token.ok()) << token.status();
  const SoftHsmToken& t = **token;
  ASSERT_TRUE((*token)->AddToken("yj-dept-b").ok());

  std::vector<std::string> labels = TokenLabels();
  EXPECT_THAT(labels, Contains("yj-main").Times(1));
  EXPECT_THAT(labels, Contains("yj-dept-b").Times(1));
  EXPECT_NE(ReadFileOrDie(t.PinFile("yj-dept-b")), ReadFileOrDie(t.pin_file));

  ProcessResult login_b = UserLogin(t, "yj-dept-b", t.PinFile("yj-dept-b"));
  EXPECT_EQ(login_b.exit_code, 0) << login_b.err;
  EXPECT_EQ(UserLogin(t, "yj-main", t.pin_file).exit_code, 0);
  // Each token accepts only its own PIN.
  EXPECT_NE(UserLogin(t, "yj-dept-b", t.pin_file).exit_code, 0);
}

TEST(SoftHsmSetupTest, PinsStayOutOfCommandLinesAndOutput) {
  for (const char* script : {"/softhsm-setup/create-token.sh", "/softhsm-setup/init_token.py"}) {
    std::string source = ReadFileOrDie(std::string(YINJIAN_SOURCE_DIR) + script);
    EXPECT_FALSE(PassesPinOption(source)) << script << " passes a PIN on a command line";
  }
  EXPECT_TRUE(PassesPinOption("softhsm2-util --init-token --pin 1234"));
  EXPECT_FALSE(PassesPinOption("create-token.sh --pin-file x --so-pin-file y"));

  absl::StatusOr<std::unique_ptr<SoftHsmToken>> token = SoftHsmToken::Create("yj-quiet");
  ASSERT_TRUE(token.ok()) << token.status();
  const SoftHsmToken& t = **token;
  // A fresh token in the same directory, so that the run generates the PINs it could leak.
  ProcessResult created = RunCreateTokenScript(t, "yj-quiet-2");
  ASSERT_EQ(created.exit_code, 0) << created.err;
  for (const std::string& file : {t.PinFile("yj-quiet-2"), t.SoPinFile("yj-quiet-2")}) {
    const std::string pin = ReadFileOrDie(file);
    ASSERT_FALSE(pin.empty());
    EXPECT_THAT(created.out, Not(HasSubstr(pin)));
    EXPECT_THAT(created.err, Not(HasSubstr(pin)));
  }
}

TEST(SoftHsmSetupTest, RejectsLabelsThatAreNotPlainNames) {
  for (const char* label : {"../escape", "-n", "has space", ""}) {
    absl::StatusOr<std::unique_ptr<SoftHsmToken>> token = SoftHsmToken::Create(label);
    EXPECT_FALSE(token.ok()) << "label '" << label << "'";
  }
  absl::StatusOr<std::unique_ptr<SoftHsmToken>> too_long =
      SoftHsmToken::Create(std::string(33, 'x'));
  EXPECT_FALSE(too_long.ok());
}

}  // namespace
}  // namespace yinjian::testing
