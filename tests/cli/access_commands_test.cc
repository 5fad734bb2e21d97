// Runs the built yinjianctl's access commands against the in-process fake AccessService
// (fake_access_service.h): the development principal header, enrolment with a locally generated
// key (whose files must then work for mutual TLS), never overwriting credentials, grant requests
// and how a server's PERMISSION_DENIED reaches the user.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "cli/profile.h"
#include "tests/cli/fake_access_service.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace yinjian::cli {
namespace {

using ::yinjian::testing::FakeAccessServer;
using ::yinjian::testing::ProcessResult;
using ::yinjian::testing::TempDir;

mode_t ModeOf(const std::string& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

std::string Text(const std::vector<uint8_t>& bytes) { return std::string(bytes.begin(), bytes.end()); }

// The value of the headerless "fingerprint  <hex>" row the enrolment commands print.
std::string FingerprintRow(const std::string& out) {
  for (absl::string_view line : absl::StrSplit(out, '\n')) {
    if (absl::ConsumePrefix(&line, "fingerprint")) return std::string(absl::StripAsciiWhitespace(line));
  }
  return "";
}

class AccessCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::unsetenv("YINJIAN_PROFILE");  // the children inherit our environment
    YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
    dir_ = std::make_unique<TempDir>(std::move(dir));
  }

  // A TLS server, and admin.profile with a client certificate for "admin" from its CA (and a
  // development principal that TLS must ignore).
  void StartTlsServer() {
    YJ_ASSERT_OK_AND_ASSIGN(server_, testing::StartFakeAccessServer(/*tls=*/true));
    YJ_ASSERT_OK_AND_ASSIGN(const pki::IssuedCertificate admin,
                            server_.ca->Issue({.common_name = "admin"}));
    YJ_ASSERT_OK(dir_->WriteFile("ca.pem", server_.ca->certificate_pem()).status());
    YJ_ASSERT_OK(dir_->WriteFile("admin.crt", admin.certificate_pem).status());
    YJ_ASSERT_OK(dir_->WriteFile("admin.key", absl::MakeConstSpan(admin.private_key_pem)).status());
    YJ_ASSERT_OK_AND_ASSIGN(
        profile_, dir_->WriteFile("admin.profile",
                                  absl::StrCat("server: \"", server_.address,
                                               "\"\nca_file: \"ca.pem\"\n"
                                               "certificate_file: \"admin.crt\"\n"
                                               "key_file: \"admin.key\"\n"
                                               "development_principal: \"mallory\"\n")));
  }

  // A plaintext server, and dev.profile acting as "admin".
  void StartPlaintextServer() {
    YJ_ASSERT_OK_AND_ASSIGN(server_, testing::StartFakeAccessServer(/*tls=*/false));
    YJ_ASSERT_OK_AND_ASSIGN(
        profile_, dir_->WriteFile("dev.profile",
                                  absl::StrCat("server: \"", server_.address,
                                               "\"\ninsecure_plaintext_for_development: true\n"
                                               "development_principal: \"admin\"\n")));
  }

  absl::StatusOr<ProcessResult> Run(std::vector<std::string> args,
                                    const std::string& profile = "") {
    args.insert(args.begin(), {YINJIANCTL_BINARY, "--profile", profile.empty() ? profile_ : profile});
    return testing::RunProcess(args);
  }

  std::unique_ptr<TempDir> dir_;
  FakeAccessServer server_;
  std::string profile_;
};

TEST_F(AccessCommandsTest, PlaintextSendsTheDevelopmentPrincipal) {
  StartPlaintextServer();
  YJ_ASSERT_OK_AND_ASSIGN(const ProcessResult result, Run({"whoami", "--output", "json"}));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "{\"name\":\"admin\"}\n");
  EXPECT_EQ(server_.service->principal_headers(), std::vector<std::string>{"admin"});
}

TEST_F(AccessCommandsTest, TlsIgnoresTheDevelopmentPrincipal) {
  StartTlsServer();
  YJ_ASSERT_OK_AND_ASSIGN(const ProcessResult result, Run({"whoami", "--output", "json"}));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "{\"name\":\"admin\"}\n");  // from the certificate, not "mallory"
  EXPECT_EQ(server_.service->principal_headers(), std::vector<std::string>{""});
}

TEST_F(AccessCommandsTest, AddWithOutDirWritesCredentialsThatWorkForMutualTls) {
  StartTlsServer();
  const std::string creds = dir_->File("creds");
  YJ_ASSERT_OK_AND_ASSIGN(const ProcessResult added,
                          Run({"principal", "add", "alice", "--department", "hr", "--role",
                               "application", "--out-dir", creds}));
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_TRUE(absl::StrContains(added.out, "alice  hr          application")) << added.out;
  EXPECT_EQ(FingerprintRow(added.out).size(), 64u) << added.out;
  EXPECT_FALSE(absl::StrContains(added.out, "PRIVATE KEY")) << added.out;

  EXPECT_EQ(ModeOf(creds), 0700u);
  EXPECT_EQ(ModeOf(creds + "/alice.key"), 0600u);
  YJ_ASSERT_OK_AND_ASSIGN(const auto key, dir_->ReadFile(creds + "/alice.key"));
  EXPECT_TRUE(absl::StartsWith(Text(key), "-----BEGIN PRIVATE KEY-----\n"));
  YJ_ASSERT_OK_AND_ASSIGN(const v1::ClientProfile written, LoadProfile(creds + "/alice.profile"));
  EXPECT_EQ(written.server(), server_.address);
  EXPECT_EQ(written.ca_file(), dir_->File("ca.pem"));
  EXPECT_EQ(written.certificate_file(), creds + "/alice.crt");
  EXPECT_EQ(written.key_file(), creds + "/alice.key");

  // The server now knows the caller by the new certificate.
  YJ_ASSERT_OK_AND_ASSIGN(const ProcessResult whoami,
                          Run({"whoami", "--output", "json"}, creds + "/alice.profile"));
  EXPECT_EQ(whoami.exit_code, 0) << whoami.err;
  EXPECT_EQ(whoami.out, "{\"name\":\"alice\"}\n");
}

TEST_F(AccessCommandsTest, AddRefusesToOverwriteBeforeAskingTheServer) {
  StartTlsServer();
  YJ_ASSERT_OK(dir_->WriteFile("alice.crt", "precious").status());
  YJ_ASSERT_OK_AND_ASSIGN(const ProcessResult result,
                          Run({"principal", "add", "alice", "--department", "hr", "--role",
                               "application", "--out-dir", dir_->path().string()}));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(absl::StartsWith(result.err, "yinjianctl: ALREADY_EXISTS: ")) << result.err;
  EXPECT_TRUE(absl::StrContains(result.err, "alice.crt")) << result.err;
  EXPECT_EQ(server_.service->add_principal_calls(), 0);
  YJ_ASSERT_OK_AND_ASSIGN(const auto kept, dir_->ReadFile("alice.crt"));
  EXPECT_EQ(Text(kept), "precious");
  EXPECT_FALSE(std::filesystem::exists(dir_->File("alice.key")));
}

TEST_F(AccessCommandsTest, AddWithABroughtCertificatePrintsItsFingerprint) {
  StartTlsServer();
  YJ_ASSERT_OK_AND_ASSIGN(const pki::IssuedCertificate own,
                          server_.ca->Issue({.common_name = "batch"}));
  YJ_ASSERT_OK_AND_ASSIGN(const std::string pem, dir_->WriteFile("batch.crt", own.certificate_pem));
  YJ_ASSERT_OK_AND_ASSIGN(const ProcessResult result,
                          Run({"principal", "add", "batch", "--department", "it", "--role",
                               "application", "--role", "auditor", "--certificate", pem}));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(FingerprintRow(result.out), own.fingerprint_sha256) << result.out;
}

TEST_F(AccessCommandsTest, AddCertNamesTheFilesAfterTheFingerprint) {
  StartTlsServer();
  const std::string creds = dir_->File("renewed");
  YJ_ASSERT_OK_AND_ASSIGN(const ProcessResult result,
                          Run({"principal", "add-cert", "alice", "--out-dir", creds}));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string fingerprint = FingerprintRow(result.out);
  ASSERT_EQ(fingerprint.size(), 64u) << result.out;
  const std::string base = absl::StrCat(creds, "/alice-", fingerprint.substr(0, 8));
  EXPECT_EQ(ModeOf(base + ".key"), 0600u);
  EXPECT_TRUE(std::filesystem::exists(base + ".crt"));
  YJ_ASSERT_OK_AND_ASSIGN(const ProcessResult whoami,
                          Run({"whoami", "--output", "json"}, base + ".profile"));
  EXPECT_EQ(whoami.out, "{\"name\":\"alice\"}\n") << whoami.err;
}

TEST_F(AccessCommandsTest, CertificateAndOutDirAreExclusive) {
  StartPlaintextServer();
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"principal", "add", "x", "--department", "hr", "--role",
                                 "auditor"},
        {"principal", "add", "x", "--department", "hr", "--role", "auditor", "--certificate",
         "a.crt", "--out-dir", "d"},
        {"principal", "add", "x", "--department", "hr", "--role", "wizard", "--out-dir", "d"},
        {"principal", "add-cert", "x", "--certificate", "a.crt", "--validity-days", "30"}}) {
    YJ_ASSERT_OK_AND_ASSIGN(const ProcessResult result, Run(args));
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_EQ(result.err.find('\n'), result.err.size() - 1) << result.err;
  }
  EXPECT_EQ(server_.service->add_principal_calls(), 0);
}

TEST_F(AccessCommandsTest, GrantRequestSendsOperationsPurposesAndExpiry) {
  StartPlaintextServer();
  const absl::Time before = absl::Now();
  YJ_ASSERT_OK_AND_ASSIGN(
      const ProcessResult result,
      Run({"grant", "request", "hr/payroll", "--grantee-department", "finance", "--operation",
           "decrypt,encrypt", "--operation", "decrypt", "--purpose", "audit", "--valid-for", "30d",
           "--max-uses", "5"}));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(absl::StartsWith(result.out, "grant 7: PENDING (stored state: pending)\n"))
      << result.out;
  const v1::RequestGrantRequest sent = server_.service->last_grant_request();
  EXPECT_EQ(sent.key(), "hr/payroll");
  EXPECT_EQ(sent.grantee_department(), "finance");
  EXPECT_EQ(std::vector<std::string>(sent.operations().begin(), sent.operations().end()),
            (std::vector<std::string>{"decrypt", "encrypt"}));
  EXPECT_EQ(sent.max_uses(), 5);
  const absl::Time expiry = absl::FromUnixSeconds(sent.expire_time().seconds());
  EXPECT_GE(expiry, before + absl::Hours(24 * 30) - absl::Seconds(1));
  EXPECT_LE(expiry, absl::Now() + absl::Hours(24 * 30));
}

TEST_F(AccessCommandsTest, GrantRequestNeedsExactlyOneExpiryAndGrantee) {
  StartPlaintextServer();
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"grant", "request", "hr/k", "--grantee-department", "fin",
                                 "--operation", "decrypt", "--purpose", "p"},
        {"grant", "request", "hr/k", "--operation", "decrypt", "--purpose", "p", "--valid-for",
         "1d"},
        {"grant", "request", "hr/k", "--grantee-department", "fin", "--operation", "decrypt",
         "--purpose", "p", "--expires", "2001-01-01T00:00:00Z"},
        {"grant", "request", "hr/k", "--grantee-department", "fin", "--operation", "destroy",
         "--purpose", "p", "--valid-for", "1d"}}) {
    YJ_ASSERT_OK_AND_ASSIGN(const ProcessResult result, Run(args));
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_TRUE(absl::StartsWith(result.err, "yinjianctl: INVALID_ARGUMENT: ")) << result.err;
  }
}

TEST_F(AccessCommandsTest, PermissionDeniedReasonIsPrintedAsTheServerSentIt) {
  StartPlaintextServer();
  YJ_ASSERT_OK_AND_ASSIGN(const ProcessResult result, Run({"grant", "show", "42"}));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err,
            "yinjianctl: PERMISSION_DENIED: GRANT_EXPIRED: grant 42 expired at "
            "2026-01-01T00:00:00Z\n");
  EXPECT_TRUE(result.out.empty());
}

}  // namespace
}  // namespace yinjian::cli
