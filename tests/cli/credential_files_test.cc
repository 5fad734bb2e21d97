#include "cli/credential_files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "absl/strings/match.h"
#include "cli/profile.h"
#include "hsm/secure_bytes.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::cli {
namespace {

using ::yinjian::testing::TempDir;

mode_t ModeOf(const std::string& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

std::string Text(const std::vector<uint8_t>& bytes) { return std::string(bytes.begin(), bytes.end()); }

class CredentialFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
    dir_ = std::make_unique<TempDir>(std::move(dir));
  }

  std::unique_ptr<TempDir> dir_;
};

TEST_F(CredentialFilesTest, PathsAreAbsoluteAndNamedAfterTheBase) {
  YJ_ASSERT_OK_AND_ASSIGN(const CredentialPaths paths,
                          CredentialPathsFor(dir_->File("creds"), "alice"));
  EXPECT_EQ(paths.key, dir_->File("creds/alice.key"));
  EXPECT_EQ(paths.certificate, dir_->File("creds/alice.crt"));
  EXPECT_EQ(paths.profile, dir_->File("creds/alice.profile"));

  YJ_ASSERT_OK_AND_ASSIGN(const CredentialPaths relative, CredentialPathsFor("creds/./x", "bob"));
  EXPECT_TRUE(absl::StartsWith(relative.key, "/")) << relative.key;
  EXPECT_TRUE(absl::EndsWith(relative.key, "/creds/x/bob.key")) << relative.key;
}

TEST_F(CredentialFilesTest, NamesThatWouldEscapeTheDirectoryAreRejected) {
  for (const char* base : {"", ".", "..", ".hidden", "a/b", "../alice"}) {
    const auto paths = CredentialPathsFor(dir_->path().string(), base);
    ASSERT_FALSE(paths.ok()) << base;
    EXPECT_EQ(paths.status().code(), absl::StatusCode::kInvalidArgument) << base;
  }
  EXPECT_FALSE(CredentialPathsFor("", "alice").ok());
}

TEST_F(CredentialFilesTest, DirectoryIsCreatedPrivateAndExistingFilesAreRefused) {
  const std::string dir = dir_->File("new");
  YJ_ASSERT_OK_AND_ASSIGN(const CredentialPaths paths, CredentialPathsFor(dir, "alice"));
  YJ_ASSERT_OK(EnsureCredentialDirectory(dir));
  EXPECT_EQ(ModeOf(dir), 0700u);
  YJ_EXPECT_OK(EnsureCredentialDirectory(dir));  // already there: fine
  YJ_EXPECT_OK(CheckCredentialPathsFree(paths));

  YJ_ASSERT_OK(dir_->WriteFile("new/alice.crt", "old").status());
  const absl::Status taken = CheckCredentialPathsFree(paths);
  EXPECT_EQ(taken.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(absl::StrContains(taken.message(), "alice.crt")) << taken;
}

TEST_F(CredentialFilesTest, WritesKeyCertificateAndAProfileThatLoads) {
  YJ_ASSERT_OK_AND_ASSIGN(const CredentialPaths paths,
                          CredentialPathsFor(dir_->path().string(), "alice"));
  v1::ClientProfile current;
  current.set_server("keys.example:7443");
  current.set_ca_file("/etc/yinjian/ca.pem");
  current.set_certificate_file("/home/admin/admin.crt");
  current.set_key_file("/home/admin/admin.key");
  const v1::ClientProfile profile = ProfileForCredential(current, paths, "alice");
  const hsm::SecureBytes key = {'K', 'E', 'Y'};
  YJ_ASSERT_OK(WriteCredentialFiles(paths, key, "CERT", profile, "alice"));

  EXPECT_EQ(ModeOf(paths.key), 0600u);
  EXPECT_EQ(ModeOf(paths.certificate), 0644u);
  EXPECT_EQ(ModeOf(paths.profile), 0644u);
  YJ_ASSERT_OK_AND_ASSIGN(const auto key_bytes, dir_->ReadFile(paths.key));
  EXPECT_EQ(Text(key_bytes), "KEY");

  YJ_ASSERT_OK_AND_ASSIGN(const v1::ClientProfile loaded, LoadProfile(paths.profile));
  EXPECT_EQ(loaded.server(), "keys.example:7443");
  EXPECT_EQ(loaded.ca_file(), "/etc/yinjian/ca.pem");
  EXPECT_EQ(loaded.certificate_file(), paths.certificate);
  EXPECT_EQ(loaded.key_file(), paths.key);
  EXPECT_FALSE(loaded.insecure_plaintext_for_development());
  EXPECT_TRUE(loaded.development_principal().empty());
  YJ_ASSERT_OK_AND_ASSIGN(const auto profile_bytes, dir_->ReadFile(paths.profile));
  EXPECT_TRUE(absl::StartsWith(Text(profile_bytes), "# yinjianctl profile for principal alice"));
}

TEST_F(CredentialFilesTest, NothingIsOverwritten) {
  YJ_ASSERT_OK_AND_ASSIGN(const CredentialPaths paths,
                          CredentialPathsFor(dir_->path().string(), "alice"));
  YJ_ASSERT_OK(dir_->WriteFile("alice.key", "precious").status());
  const absl::Status written =
      WriteCredentialFiles(paths, hsm::SecureBytes{'K'}, "CERT", v1::ClientProfile(), "alice");
  EXPECT_EQ(written.code(), absl::StatusCode::kAlreadyExists);
  YJ_ASSERT_OK_AND_ASSIGN(const auto kept, dir_->ReadFile(paths.key));
  EXPECT_EQ(Text(kept), "precious");
  // It stopped at the key: no certificate or profile without their key, and no temporary files.
  EXPECT_FALSE(std::filesystem::exists(paths.certificate));
  EXPECT_FALSE(std::filesystem::exists(paths.profile));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_->path()),
                          std::filesystem::directory_iterator()),
            1);
}

TEST_F(CredentialFilesTest, PlaintextProfilesActAsTheNewPrincipal) {
  YJ_ASSERT_OK_AND_ASSIGN(const CredentialPaths paths,
                          CredentialPathsFor(dir_->path().string(), "bob"));
  v1::ClientProfile current;
  current.set_server("127.0.0.1:7443");
  current.set_insecure_plaintext_for_development(true);
  current.set_development_principal("admin");
  const v1::ClientProfile profile = ProfileForCredential(current, paths, "bob");
  EXPECT_TRUE(profile.insecure_plaintext_for_development());
  EXPECT_EQ(profile.development_principal(), "bob");
  EXPECT_TRUE(profile.ca_file().empty());
}

TEST_F(CredentialFilesTest, RelativeCaFileBecomesAbsolute) {
  YJ_ASSERT_OK_AND_ASSIGN(const CredentialPaths paths,
                          CredentialPathsFor(dir_->path().string(), "bob"));
  v1::ClientProfile current;
  current.set_ca_file("pki/ca.pem");  // as given with --ca, relative to the current directory
  const v1::ClientProfile profile = ProfileForCredential(current, paths, "bob");
  EXPECT_TRUE(absl::StartsWith(profile.ca_file(), "/")) << profile.ca_file();
  EXPECT_TRUE(absl::EndsWith(profile.ca_file(), "/pki/ca.pem")) << profile.ca_file();
}

}  // namespace
}  // namespace yinjian::cli
