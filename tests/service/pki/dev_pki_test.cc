#include "service/pki/dev_pki.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "service/pki/certificate_authority.h"
#include "service/pki/certificate_info.h"
#include "service/pki/pem_files.h"
#include "tests/service/pki/pki_test_util.h"
#include "tests/support/openssl_cli.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::pki {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::yinjian::testing::CertificateText;
using ::yinjian::testing::CliFingerprintSha256;
using ::yinjian::testing::CliVerify;
using ::yinjian::testing::ModeOf;
using ::yinjian::testing::ScopedUmask;
using ::yinjian::testing::TempDir;

const std::vector<std::string> kAllFiles = {"ca.pem",     "ca.key",    "server.pem",
                                            "server.key", "admin.pem", "admin.key"};

// Content, inode and modification time of a file, to prove it was left untouched.
struct Snapshot {
  std::string content;
  ino_t inode = 0;
  timespec mtime = {};
  bool operator==(const Snapshot& o) const {
    return content == o.content && inode == o.inode && mtime.tv_sec == o.mtime.tv_sec &&
           mtime.tv_nsec == o.mtime.tv_nsec;
  }
};

class DevPkiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
    dir_.emplace(std::move(dir));
    pki_dir_ = dir_->File("pki");
  }

  std::string File(const std::string& name) const { return pki_dir_ + "/" + name; }

  std::map<std::string, Snapshot> SnapshotAll() const {
    std::map<std::string, Snapshot> snapshots;
    for (const std::string& name : kAllFiles) {
      Snapshot& snapshot = snapshots[name];
      struct stat info;
      if (::stat(File(name).c_str(), &info) != 0) continue;
      snapshot.inode = info.st_ino;
      snapshot.mtime = info.st_mtim;
      snapshot.content = ReadPemFile(File(name)).value_or("");
    }
    return snapshots;
  }

  std::optional<TempDir> dir_;
  std::string pki_dir_;
};

TEST_F(DevPkiTest, CreatesTheSixFilesWithExactModes) {
  ScopedUmask umask(0);  // the modes must not depend on the caller's umask
  YJ_ASSERT_OK_AND_ASSIGN(DevelopmentPki pki, CreateDevelopmentPki(pki_dir_, {}));
  EXPECT_EQ(ModeOf(pki_dir_), 0700);
  EXPECT_EQ(ModeOf(pki.ca_key_path), 0600);
  EXPECT_EQ(ModeOf(pki.server_key_path), 0600);
  EXPECT_EQ(ModeOf(pki.admin_key_path), 0600);
  EXPECT_EQ(ModeOf(pki.ca_certificate_path), 0644);
  EXPECT_EQ(ModeOf(pki.server_certificate_path), 0644);
  EXPECT_EQ(ModeOf(pki.admin_certificate_path), 0644);
  EXPECT_EQ(pki.ca_certificate_path, File("ca.pem"));
  EXPECT_EQ(pki.admin_key_path, File("admin.key"));
  EXPECT_EQ(pki.created_files.size(), 6u);
  std::vector<std::string> entries;
  for (const auto& entry : std::filesystem::directory_iterator(pki_dir_)) {
    entries.push_back(entry.path().filename().string());
  }
  EXPECT_THAT(entries, ::testing::UnorderedElementsAreArray(kAllFiles));
}

TEST_F(DevPkiTest, KeyModesHoldUnderARestrictiveUmaskToo) {
  ScopedUmask umask(077);
  YJ_ASSERT_OK_AND_ASSIGN(DevelopmentPki pki, CreateDevelopmentPki(pki_dir_, {}));
  EXPECT_EQ(ModeOf(pki.server_certificate_path), 0644);
  EXPECT_EQ(ModeOf(pki.server_key_path), 0600);
}

TEST_F(DevPkiTest, CertificatesVerifyAndCarryTheExpectedNames) {
  YJ_ASSERT_OK_AND_ASSIGN(DevelopmentPki pki, CreateDevelopmentPki(pki_dir_, {}));
  YJ_ASSERT_OK_AND_ASSIGN(
      auto server, CliVerify(pki.ca_certificate_path, pki.server_certificate_path, "sslserver"));
  EXPECT_EQ(server.exit_code, 0) << server.out << server.err;
  YJ_ASSERT_OK_AND_ASSIGN(
      auto admin, CliVerify(pki.ca_certificate_path, pki.admin_certificate_path, "sslclient"));
  EXPECT_EQ(admin.exit_code, 0) << admin.out << admin.err;

  YJ_ASSERT_OK_AND_ASSIGN(std::string server_text, CertificateText(pki.server_certificate_path));
  EXPECT_THAT(server_text, HasSubstr("DNS:localhost, IP Address:127.0.0.1, "
                                     "IP Address:0:0:0:0:0:0:0:1"));
  EXPECT_THAT(server_text, HasSubstr("TLS Web Server Authentication"));
  EXPECT_THAT(server_text, HasSubstr("CA:FALSE"));
  EXPECT_THAT(server_text, HasSubstr("CN = yinjian-server"));

  YJ_ASSERT_OK_AND_ASSIGN(std::string admin_text, CertificateText(pki.admin_certificate_path));
  EXPECT_THAT(admin_text, HasSubstr("TLS Web Client Authentication"));
  EXPECT_THAT(admin_text, Not(HasSubstr("TLS Web Server Authentication")));
  EXPECT_THAT(admin_text, HasSubstr("CA:FALSE"));

  YJ_ASSERT_OK_AND_ASSIGN(std::string admin_pem, ReadPemFile(pki.admin_certificate_path));
  YJ_ASSERT_OK_AND_ASSIGN(CertificateInfo info, InspectCertificate(admin_pem));
  EXPECT_EQ(info.common_name, "admin");
  EXPECT_EQ(info.organizational_unit, "yinjian-admin");
  EXPECT_EQ(info.issuer_common_name, "Yinjian development CA");
  EXPECT_EQ(info.fingerprint_sha256, pki.admin_fingerprint_sha256);
  YJ_ASSERT_OK_AND_ASSIGN(std::string cli, CliFingerprintSha256(pki.admin_certificate_path));
  EXPECT_EQ(pki.admin_fingerprint_sha256, cli);
  YJ_ASSERT_OK_AND_ASSIGN(std::string ca_cli, CliFingerprintSha256(pki.ca_certificate_path));
  EXPECT_EQ(pki.ca_fingerprint_sha256, ca_cli);
}

TEST_F(DevPkiTest, OptionsShapeTheCertificates) {
  DevPkiOptions options;
  options.admin_common_name = "root-operator";
  options.admin_organizational_unit = "security";
  options.extra_server_dns_names = {"yinjian.internal"};
  options.extra_server_ip_addresses = {"192.0.2.10", "2001:db8::10"};
  YJ_ASSERT_OK_AND_ASSIGN(DevelopmentPki pki, CreateDevelopmentPki(pki_dir_, options));
  YJ_ASSERT_OK_AND_ASSIGN(std::string server_text, CertificateText(pki.server_certificate_path));
  EXPECT_THAT(server_text, HasSubstr("DNS:localhost, DNS:yinjian.internal, IP Address:127.0.0.1, "
                                     "IP Address:0:0:0:0:0:0:0:1, IP Address:192.0.2.10, "
                                     "IP Address:2001:DB8:0:0:0:0:0:10"));
  YJ_ASSERT_OK_AND_ASSIGN(std::string admin_pem, ReadPemFile(pki.admin_certificate_path));
  YJ_ASSERT_OK_AND_ASSIGN(CertificateInfo info, InspectCertificate(admin_pem));
  EXPECT_EQ(info.common_name, "root-operator");
  EXPECT_EQ(info.organizational_unit, "security");
}

TEST_F(DevPkiTest, SecondRunReusesEverythingAndWritesNothing) {
  YJ_ASSERT_OK_AND_ASSIGN(DevelopmentPki first, CreateDevelopmentPki(pki_dir_, {}));
  const std::map<std::string, Snapshot> before = SnapshotAll();
  // Different options must not cause anything to be reissued.
  DevPkiOptions options;
  options.ca_common_name = "Another name";
  options.admin_common_name = "someone-else";
  YJ_ASSERT_OK_AND_ASSIGN(DevelopmentPki second, CreateDevelopmentPki(pki_dir_, options));
  EXPECT_THAT(second.created_files, IsEmpty());
  EXPECT_EQ(second.ca_fingerprint_sha256, first.ca_fingerprint_sha256);
  EXPECT_EQ(second.admin_fingerprint_sha256, first.admin_fingerprint_sha256);
  EXPECT_TRUE(SnapshotAll() == before);
}

TEST_F(DevPkiTest, OnlyAMissingPairIsReissuedByTheSameCa) {
  YJ_ASSERT_OK_AND_ASSIGN(DevelopmentPki first, CreateDevelopmentPki(pki_dir_, {}));
  std::map<std::string, Snapshot> before = SnapshotAll();
  ASSERT_TRUE(std::filesystem::remove(first.admin_certificate_path));
  ASSERT_TRUE(std::filesystem::remove(first.admin_key_path));

  YJ_ASSERT_OK_AND_ASSIGN(DevelopmentPki second, CreateDevelopmentPki(pki_dir_, {}));
  EXPECT_THAT(second.created_files, ElementsAre(File("admin.key"), File("admin.pem")));
  EXPECT_EQ(second.ca_fingerprint_sha256, first.ca_fingerprint_sha256);
  EXPECT_NE(second.admin_fingerprint_sha256, first.admin_fingerprint_sha256);
  const std::map<std::string, Snapshot> after = SnapshotAll();
  for (const char* kept : {"ca.pem", "ca.key", "server.pem", "server.key"}) {
    EXPECT_TRUE(after.at(kept) == before.at(kept)) << kept;
  }
  YJ_ASSERT_OK_AND_ASSIGN(auto verified, CliVerify(second.ca_certificate_path,
                                                   second.admin_certificate_path, "sslclient"));
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
}

TEST_F(DevPkiTest, CaAloneIsReusedAndLeavesAreIssuedUnderIt) {
  // An operator who keeps only a CA (e.g. restored from backup) gets new leaves under it.
  YJ_ASSERT_OK_AND_ASSIGN(auto ca, CertificateAuthority::Create("Kept CA", absl::Hours(24)));
  YJ_ASSERT_OK(EnsurePrivateDirectory(pki_dir_));
  YJ_ASSERT_OK(WriteFileAtomically(File("ca.pem"), ca->certificate_pem(), 0644, IfExists::kFail));
  YJ_ASSERT_OK(WriteFileAtomically(File("ca.key"), ca->private_key_pem(), 0600, IfExists::kFail));
  YJ_ASSERT_OK_AND_ASSIGN(DevelopmentPki pki, CreateDevelopmentPki(pki_dir_, {}));
  EXPECT_EQ(pki.ca_fingerprint_sha256, ca->info().fingerprint_sha256);
  EXPECT_EQ(pki.created_files.size(), 4u);
  YJ_ASSERT_OK_AND_ASSIGN(std::string server_pem, ReadPemFile(pki.server_certificate_path));
  YJ_EXPECT_OK(ca->CheckIssued(server_pem));
}

TEST_F(DevPkiTest, AnOrphanCaKeyIsNeverReplaced) {
  YJ_ASSERT_OK(EnsurePrivateDirectory(pki_dir_));
  YJ_ASSERT_OK(WriteFileAtomically(File("ca.key"), "precious", 0600, IfExists::kFail));
  absl::StatusOr<DevelopmentPki> pki = CreateDevelopmentPki(pki_dir_, {});
  EXPECT_EQ(pki.status().code(), absl::StatusCode::kFailedPrecondition) << pki.status();
  EXPECT_THAT(pki.status().message(), HasSubstr("ca.key exists without"));
  YJ_ASSERT_OK_AND_ASSIGN(std::string key, ReadPemFile(File("ca.key")));
  EXPECT_EQ(key, "precious");
  EXPECT_FALSE(std::filesystem::exists(File("ca.pem")));
  EXPECT_FALSE(std::filesystem::exists(File("server.pem")));
}

TEST_F(DevPkiTest, ACorruptCaFailsAndIsLeftInPlace) {
  YJ_ASSERT_OK_AND_ASSIGN(DevelopmentPki first, CreateDevelopmentPki(pki_dir_, {}));
  YJ_ASSERT_OK(WriteFileAtomically(first.ca_certificate_path, "garbage", 0644, IfExists::kReplace));
  absl::StatusOr<DevelopmentPki> second = CreateDevelopmentPki(pki_dir_, {});
  EXPECT_EQ(second.status().code(), absl::StatusCode::kInvalidArgument) << second.status();
  YJ_ASSERT_OK_AND_ASSIGN(std::string ca_pem, ReadPemFile(first.ca_certificate_path));
  EXPECT_EQ(ca_pem, "garbage");
}

TEST_F(DevPkiTest, HalfALeafPairFails) {
  YJ_ASSERT_OK_AND_ASSIGN(DevelopmentPki first, CreateDevelopmentPki(pki_dir_, {}));
  ASSERT_TRUE(std::filesystem::remove(first.server_key_path));
  absl::StatusOr<DevelopmentPki> second = CreateDevelopmentPki(pki_dir_, {});
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition) << second.status();
  EXPECT_FALSE(std::filesystem::exists(first.server_key_path));
}

TEST_F(DevPkiTest, ALeafFromAnotherCaOrWithTheWrongKeyFails) {
  YJ_ASSERT_OK_AND_ASSIGN(DevelopmentPki first, CreateDevelopmentPki(pki_dir_, {}));
  const std::map<std::string, Snapshot> before = SnapshotAll();

  // admin.pem replaced by a certificate from a foreign CA.
  YJ_ASSERT_OK_AND_ASSIGN(auto other, CertificateAuthority::Create("Other", absl::Hours(1)));
  YJ_ASSERT_OK_AND_ASSIGN(IssuedCertificate foreign, other->Issue({.common_name = "admin"}));
  YJ_ASSERT_OK(WriteFileAtomically(first.admin_certificate_path, foreign.certificate_pem, 0644,
                                   IfExists::kReplace));
  absl::StatusOr<DevelopmentPki> second = CreateDevelopmentPki(pki_dir_, {});
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition) << second.status();
  EXPECT_THAT(second.status().message(), HasSubstr("not issued by the CA"));

  // admin.pem restored, but admin.key swapped for the server's key.
  YJ_ASSERT_OK(WriteFileAtomically(first.admin_certificate_path, before.at("admin.pem").content,
                                   0644, IfExists::kReplace));
  YJ_ASSERT_OK(WriteFileAtomically(first.admin_key_path, before.at("server.key").content, 0600,
                                   IfExists::kReplace));
  second = CreateDevelopmentPki(pki_dir_, {});
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition) << second.status();
  EXPECT_THAT(second.status().message(), HasSubstr("is not the private key"));
}

TEST_F(DevPkiTest, BadOptionsWriteNothing) {
  DevPkiOptions options;
  options.admin_common_name = "";
  EXPECT_EQ(CreateDevelopmentPki(pki_dir_, options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options = {};
  options.extra_server_ip_addresses = {"localhost"};
  EXPECT_EQ(CreateDevelopmentPki(pki_dir_, options).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(pki_dir_));
}

TEST_F(DevPkiTest, DirectoryThatIsAFileFails) {
  YJ_ASSERT_OK(WriteFileAtomically(pki_dir_, "not a directory", 0644, IfExists::kFail));
  EXPECT_EQ(CreateDevelopmentPki(pki_dir_, {}).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace yinjian::pki
