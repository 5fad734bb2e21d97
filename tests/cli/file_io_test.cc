#include "cli/file_io.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::cli {
namespace {

using ::yinjian::testing::TempDir;

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

TEST(FileIoTest, SecretOutputIsCreatedWithMode0600AndIsBinarySafe) {
  YJ_ASSERT_OK_AND_ASSIGN(const TempDir dir, TempDir::Create());
  const std::string path = dir.File("plain");
  const std::string data("a\0b\xff\n", 5);
  YJ_ASSERT_OK(WriteFile(path, data, OutputSecrecy::kSecret));
  EXPECT_EQ(ModeOf(path), 0600u);
  YJ_ASSERT_OK_AND_ASSIGN(const std::string back, ReadFile(path, "--in"));
  EXPECT_EQ(back, data);
}

TEST(FileIoTest, SecretOutputOverExistingWorldReadableFileBecomes0600AndIsTruncated) {
  YJ_ASSERT_OK_AND_ASSIGN(const TempDir dir, TempDir::Create());
  YJ_ASSERT_OK_AND_ASSIGN(const std::string path, dir.WriteFile("plain", "old contents"));
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  YJ_ASSERT_OK(WriteFile(path, "new", OutputSecrecy::kSecret));
  EXPECT_EQ(ModeOf(path), 0600u);
  YJ_ASSERT_OK_AND_ASSIGN(const std::string back, ReadFile(path, "--in"));
  EXPECT_EQ(back, "new");
}

TEST(FileIoTest, PublicOutputIsNotMadeGroupOrWorldWritable) {
  YJ_ASSERT_OK_AND_ASSIGN(const TempDir dir, TempDir::Create());
  const std::string path = dir.File("sig");
  YJ_ASSERT_OK(WriteFile(path, "sig", OutputSecrecy::kPublic));
  EXPECT_EQ(ModeOf(path) & 0022u, 0u);
  EXPECT_EQ(ModeOf(path) & 0600u, 0600u);
}

TEST(FileIoTest, MissingInputIsNotFoundNamingTheFileAndFlag) {
  const auto contents = ReadFile("/nonexistent/in.bin", "--in");
  ASSERT_FALSE(contents.ok());
  EXPECT_EQ(contents.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(contents.status().message().find("--in"), absl::string_view::npos);
  EXPECT_NE(contents.status().message().find("/nonexistent/in.bin"), absl::string_view::npos);
}

TEST(FileIoTest, ReaderReturnsPiecesThenEmptyAtTheEnd) {
  YJ_ASSERT_OK_AND_ASSIGN(const TempDir dir, TempDir::Create());
  YJ_ASSERT_OK_AND_ASSIGN(const std::string path, dir.WriteFile("in", "abcdefg"));
  YJ_ASSERT_OK_AND_ASSIGN(InputReader reader, InputReader::Open(path));
  YJ_ASSERT_OK_AND_ASSIGN(const std::string first, reader.Read(3));
  EXPECT_EQ(first, "abc");
  YJ_ASSERT_OK_AND_ASSIGN(const std::string rest, reader.Read(10));
  EXPECT_EQ(rest, "defg");
  YJ_ASSERT_OK_AND_ASSIGN(const std::string end, reader.Read(10));
  EXPECT_TRUE(end.empty());
}

TEST(FileIoTest, HexRoundTripAndValidation) {
  EXPECT_EQ(ToHex(std::string("\x00\xab\xff", 3)), "00abff");
  YJ_ASSERT_OK_AND_ASSIGN(const std::string bytes, FromHex(" 00ABff\n"));
  EXPECT_EQ(bytes, std::string("\x00\xab\xff", 3));
  EXPECT_FALSE(FromHex("abc").ok());
  EXPECT_FALSE(FromHex("zz").ok());
  EXPECT_FALSE(FromHex("").ok());
}

TEST(FileIoTest, WipeClearsTheString) {
  std::string secret = "hunter2";
  Wipe(&secret);
  EXPECT_TRUE(secret.empty());
}

}  // namespace
}  // namespace yinjian::cli
