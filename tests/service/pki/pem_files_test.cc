#include "service/pki/pem_files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tests/service/pki/pki_test_util.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::pki {
namespace {

using ::yinjian::testing::ModeOf;
using ::yinjian::testing::ScopedUmask;
using ::yinjian::testing::TempDir;

class PemFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
    dir_.emplace(std::move(dir));
  }

  std::vector<std::string> Entries() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir_->path())) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  static ino_t InodeOf(const std::string& path) {
    struct stat info;
    return ::stat(path.c_str(), &info) == 0 ? info.st_ino : 0;
  }

  std::optional<TempDir> dir_;
};

TEST_F(PemFilesTest, ModesAreExactWhateverTheUmask) {
  for (mode_t mask : {mode_t{0}, mode_t{022}, mode_t{077}, mode_t{0277}}) {
    ScopedUmask umask(mask);
    const std::string key = dir_->File("key-" + std::to_string(mask));
    const std::string cert = dir_->File("cert-" + std::to_string(mask));
    YJ_ASSERT_OK(WriteFileAtomically(key, "secret", kPrivateKeyFileMode, IfExists::kFail));
    YJ_ASSERT_OK(WriteFileAtomically(cert, "public", kCertificateFileMode, IfExists::kFail));
    EXPECT_EQ(ModeOf(key), 0600) << "umask " << mask;
    EXPECT_EQ(ModeOf(cert), 0644) << "umask " << mask;
  }
}

TEST_F(PemFilesTest, WritesAndReadsBackWithoutLeavingTemporaryFiles) {
  const std::string path = dir_->File("a.pem");
  YJ_ASSERT_OK(WriteFileAtomically(path, "first", 0644, IfExists::kFail));
  YJ_ASSERT_OK_AND_ASSIGN(std::string text, ReadPemFile(path));
  EXPECT_EQ(text, "first");
  const hsm::SecureBytes secret = {'k', 'e', 'y'};
  YJ_ASSERT_OK(WriteFileAtomically(dir_->File("b.key"), secret, 0600, IfExists::kFail));
  YJ_ASSERT_OK_AND_ASSIGN(hsm::SecureBytes read_secret, ReadSecretPemFile(dir_->File("b.key")));
  EXPECT_EQ(read_secret, secret);
  EXPECT_EQ(Entries(), (std::vector<std::string>{"a.pem", "b.key"}));
}

TEST_F(PemFilesTest, FailModeNeverTouchesAnExistingFile) {
  const std::string path = dir_->File("ca.key");
  YJ_ASSERT_OK(WriteFileAtomically(path, "original", 0600, IfExists::kFail));
  const ino_t inode = InodeOf(path);
  absl::Status second = WriteFileAtomically(path, "replacement", 0600, IfExists::kFail);
  EXPECT_EQ(second.code(), absl::StatusCode::kAlreadyExists) << second;
  YJ_ASSERT_OK_AND_ASSIGN(std::string text, ReadPemFile(path));
  EXPECT_EQ(text, "original");
  EXPECT_EQ(InodeOf(path), inode);
  EXPECT_EQ(Entries(), std::vector<std::string>{"ca.key"});  // the temporary file is gone
}

TEST_F(PemFilesTest, ReplaceModeSwapsInANewFile) {
  const std::string path = dir_->File("server.pem");
  YJ_ASSERT_OK(WriteFileAtomically(path, "old", 0644, IfExists::kFail));
  const ino_t inode = InodeOf(path);
  YJ_ASSERT_OK(WriteFileAtomically(path, "new", 0644, IfExists::kReplace));
  YJ_ASSERT_OK_AND_ASSIGN(std::string text, ReadPemFile(path));
  EXPECT_EQ(text, "new");
  EXPECT_NE(InodeOf(path), inode);  // renamed into place, not rewritten in place
  EXPECT_EQ(Entries(), std::vector<std::string>{"server.pem"});
}

TEST_F(PemFilesTest, MissingDirectoryIsNotFound) {
  const std::string path = dir_->File("missing/x.pem");
  EXPECT_EQ(WriteFileAtomically(path, "x", 0644, IfExists::kFail).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(ReadPemFile(dir_->File("nothing.pem")).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(PemFilesTest, ReadRejectsDirectoriesAndHugeFiles) {
  EXPECT_EQ(ReadPemFile(dir_->path().string()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  const std::string huge = dir_->File("huge.pem");
  YJ_ASSERT_OK(WriteFileAtomically(huge, std::string((1 << 20) + 1, 'x'), 0644, IfExists::kFail));
  EXPECT_EQ(ReadPemFile(huge).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(PemFilesTest, PathExistsSeesFilesAndDanglingLinks) {
  YJ_ASSERT_OK_AND_ASSIGN(bool missing, PathExists(dir_->File("none")));
  EXPECT_FALSE(missing);
  YJ_ASSERT_OK(WriteFileAtomically(dir_->File("f"), "x", 0644, IfExists::kFail));
  YJ_ASSERT_OK_AND_ASSIGN(bool file, PathExists(dir_->File("f")));
  EXPECT_TRUE(file);
  std::filesystem::create_symlink(dir_->File("nowhere"), dir_->File("link"));
  YJ_ASSERT_OK_AND_ASSIGN(bool link, PathExists(dir_->File("link")));
  EXPECT_TRUE(link);
}

TEST_F(PemFilesTest, EnsurePrivateDirectoryCreates0700AndLeavesExistingAlone) {
  ScopedUmask umask(0);
  const std::string created = dir_->File("pki");
  YJ_ASSERT_OK(EnsurePrivateDirectory(created));
  EXPECT_EQ(ModeOf(created), 0700);

  const std::string existing = dir_->File("shared");
  ASSERT_EQ(::mkdir(existing.c_str(), 0755), 0);
  YJ_ASSERT_OK(EnsurePrivateDirectory(existing));
  EXPECT_EQ(ModeOf(existing), 0755);

  YJ_ASSERT_OK(WriteFileAtomically(dir_->File("file"), "x", 0644, IfExists::kFail));
  EXPECT_EQ(EnsurePrivateDirectory(dir_->File("file")).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(EnsurePrivateDirectory(dir_->File("no/such/parent")).code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace yinjian::pki
