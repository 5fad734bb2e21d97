// Runs the built yinjianctl: usage, exit statuses, and `random` against an in-process mutual-TLS
// server (the only RPC there is to call until yinjian-server serves the API).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/cli/test_pki.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/subprocess.h"

namespace yinjian::cli {
namespace {

using ::yinjian::testing::ProcessResult;
using ::yinjian::testing::RunningServer;
using ::yinjian::testing::TempDir;
using ::yinjian::testing::TestPki;

absl::StatusOr<ProcessResult> RunCtl(std::vector<std::string> args) {
  args.insert(args.begin(), YINJIANCTL_BINARY);
  return testing::RunProcess(args);
}

bool IsOneLine(const std::string& text) {
  return !text.empty() && text.back() == '\n' && text.find('\n') == text.size() - 1;
}

class YinjianctlBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::unsetenv("YINJIAN_PROFILE");  // the children inherit our environment
    YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
    dir_ = std::make_unique<TempDir>(std::move(dir));
  }

  // Certificates and a running server, for the tests that connect.
  void StartServer() {
    YJ_ASSERT_OK_AND_ASSIGN(pki_, testing::MakeTestPki(*dir_));
    YJ_ASSERT_OK_AND_ASSIGN(server_, testing::StartRandomOnlyServer(*dir_, pki_));
  }

  std::vector<std::string> TlsFlags(const std::string& server) const {
    return {"--server", server,           "--ca",  pki_.ca_cert,
            "--cert",   pki_.client_cert, "--key", pki_.client_key};
  }

  std::unique_ptr<TempDir> dir_;
  TestPki pki_;
  RunningServer server_;
};

TEST_F(YinjianctlBinaryTest, HelpListsCommandsAndGlobalOptions) {
  YJ_ASSERT_OK_AND_ASSIGN(const ProcessResult result, RunCtl({"--help"}));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  for (const char* word : {"--server", "--profile", "--output", "--timeout", "department", "key",
                           "encrypt", "decrypt", "sign", "verify", "verify-mac", "digest", "pubkey",
                           "random", "receipt", "audit", "version"}) {
    EXPECT_TRUE(absl::StrContains(result.out, word)) << word;
  }
}

TEST_F(YinjianctlBinaryTest, VersionPrintsOneLine) {
  YJ_ASSERT_OK_AND_ASSIGN(const ProcessResult result, RunCtl({"version"}));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(absl::StartsWith(result.out, "yinjianctl ")) << result.out;
  EXPECT_TRUE(IsOneLine(result.out)) << result.out;
}

TEST_F(YinjianctlBinaryTest, UnknownKindIsAUsageErrorListingTheKinds) {
  YJ_ASSERT_OK_AND_ASSIGN(const ProcessResult result,
                          RunCtl({"key", "create", "hr/payroll", "--kind", "rot13"}));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(IsOneLine(result.err)) << result.err;
  EXPECT_TRUE(absl::StartsWith(result.err,
                               "yinjianctl: INVALID_ARGUMENT: unknown key kind "
                               "\"rot13\""))
      << result.err;
  EXPECT_TRUE(absl::StrContains(result.err, "rsa-pkcs1-4096")) << result.err;
  EXPECT_TRUE(result.out.empty());
}

TEST_F(YinjianctlBinaryTest, ParseErrorsExitTwoOnOneLine) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{},
                                               {"--output", "yaml", "version"},
                                               {"random"},
                                               {"encrypt", "hr/k", "--in", "x"},
                                               {"frobnicate"}}) {
    YJ_ASSERT_OK_AND_ASSIGN(const ProcessResult result, RunCtl(args));
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_TRUE(IsOneLine(result.err)) << result.err;
    EXPECT_TRUE(absl::StartsWith(result.err, "yinjianctl: usage: ")) << result.err;
  }
}

TEST_F(YinjianctlBinaryTest, LifecycleArgumentsAreCheckedBeforeConnecting) {
  // No server and no profile: each fails on its arguments alone.
  const std::pair<std::vector<std::string>, const char*> cases[] = {
      {{"key", "set-rotation", "hr/payroll", "1w"}, "yinjianctl: INVALID_ARGUMENT: PERIOD \"1w\""},
      {{"key", "create", "hr/payroll", "--kind", "aes256-gcm", "--rotation-period", "90"},
       "yinjianctl: INVALID_ARGUMENT: --rotation-period \"90\""},
      {{"key", "set-primary", "hr/payroll", "0"}, "yinjianctl: usage: "},
      {{"key", "disable-version", "hr/payroll", "one"}, "yinjianctl: usage: "},
      {{"key", "enable-version", "hr/payroll"}, "yinjianctl: usage: "},
      {{"key", "set-min-decrypt-version", "hr/payroll", "-1"}, "yinjianctl: usage: "},
      {{"key", "rotate"}, "yinjianctl: usage: "},
      {{"key", "rotate", "hr/payroll", "--deferred-receipt"}, "yinjianctl: "},
  };
  for (const auto& [args, message] : cases) {
    YJ_ASSERT_OK_AND_ASSIGN(const ProcessResult result, RunCtl(args));
    EXPECT_EQ(result.exit_code, 2) << args[1] << ": " << result.err;
    EXPECT_TRUE(IsOneLine(result.err)) << result.err;
    EXPECT_TRUE(absl::StartsWith(result.err, message)) << result.err;
    EXPECT_TRUE(result.out.empty()) << result.out;
  }
}

TEST_F(YinjianctlBinaryTest, PlaintextProfileForNonLoopbackIsRefused) {
  YJ_ASSERT_OK_AND_ASSIGN(
      const std::string profile,
      dir_->WriteFile("dev.profile",
                      "server: \"10.0.0.1:7443\" insecure_plaintext_for_development: true"));
  YJ_ASSERT_OK_AND_ASSIGN(const ProcessResult result,
                          RunCtl({"--profile", profile, "random", "8"}));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(IsOneLine(result.err)) << result.err;
  EXPECT_TRUE(absl::StrContains(result.err, "10.0.0.1:7443")) << result.err;
}

TEST_F(YinjianctlBinaryTest, ClosedPortIsUnavailableExitOne) {
  StartServer();  // only for the certificates
  // A bound but not listening socket: connections to its port are refused, and no one else can
  // take the port while we hold it.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  socklen_t length = sizeof(address);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  std::vector<std::string> args = TlsFlags(absl::StrCat("127.0.0.1:", ntohs(address.sin_port)));
  args.insert(args.end(), {"random", "8"});
  YJ_ASSERT_OK_AND_ASSIGN(const ProcessResult result, RunCtl(args));
  ::close(fd);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(IsOneLine(result.err)) << result.err;
  EXPECT_TRUE(absl::StartsWith(result.err, "yinjianctl: UNAVAILABLE: ")) << result.err;
  EXPECT_TRUE(result.out.empty());
}

TEST_F(YinjianctlBinaryTest, RandomOverMutualTlsAsHexAndJson) {
  StartServer();
  std::vector<std::string> args = TlsFlags(server_.address);
  args.insert(args.end(), {"random", "4"});
  YJ_ASSERT_OK_AND_ASSIGN(const ProcessResult table, RunCtl(args));
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out, "abababab\n");

  args.insert(args.end(), {"--output", "json"});  // global options may follow the command
  YJ_ASSERT_OK_AND_ASSIGN(const ProcessResult json, RunCtl(args));
  EXPECT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(json.out, "{\"data\":\"q6urqw==\"}\n");
}

TEST_F(YinjianctlBinaryTest, RandomToFileIsMode0600AndToStdoutIsRaw) {
  StartServer();
  const std::string out = dir_->File("random.bin");
  std::vector<std::string> args = TlsFlags(server_.address);
  args.insert(args.end(), {"random", "3", "--out", out});
  YJ_ASSERT_OK_AND_ASSIGN(const ProcessResult to_file, RunCtl(args));
  EXPECT_EQ(to_file.exit_code, 0) << to_file.err;
  EXPECT_TRUE(to_file.out.empty()) << to_file.out;
  YJ_ASSERT_OK_AND_ASSIGN(const auto bytes, dir_->ReadFile(out));
  EXPECT_EQ(bytes, std::vector<uint8_t>(3, 0xAB));
  struct stat st {};
  ASSERT_EQ(::stat(out.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);

  args.back() = "-";
  YJ_ASSERT_OK_AND_ASSIGN(const ProcessResult to_stdout, RunCtl(args));
  EXPECT_EQ(to_stdout.exit_code, 0) << to_stdout.err;
  EXPECT_EQ(to_stdout.out, "\xAB\xAB\xAB");
}

TEST_F(YinjianctlBinaryTest, ProfileFromEnvironmentWithRelativePaths) {
  StartServer();
  // Paths relative to the profile's own directory, as `yinjian-server init` may write them.
  YJ_ASSERT_OK_AND_ASSIGN(
      const std::string profile,
      dir_->WriteFile("admin.profile",
                      absl::StrCat("server: \"", server_.address,
                                   "\"\nca_file: \"ca.pem\"\ncertificate_file: \"client.pem\"\n"
                                   "key_file: \"client.key\"\n")));
  ASSERT_EQ(::setenv("YINJIAN_PROFILE", profile.c_str(), 1), 0);
  const absl::StatusOr<ProcessResult> result = RunCtl({"random", "2"});
  ::unsetenv("YINJIAN_PROFILE");
  YJ_ASSERT_OK(result);
  EXPECT_EQ(result->exit_code, 0) << result->err;
  EXPECT_EQ(result->out, "abab\n");
}

}  // namespace
}  // namespace yinjian::cli
