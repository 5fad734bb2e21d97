#include "hsm/pin.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::hsm {
namespace {

std::string WritePinFile(const std::string& dir, const std::string& content, mode_t mode) {
  std::string path = dir + "/pin";
  std::ofstream(path) << content;
  chmod(path.c_str(), mode);
  return path;
}

class PinTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<testing::TempDir> dir = testing::TempDir::Create();
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_.emplace(std::move(*dir));
  }
  std::string dir() { return dir_->path().string(); }
  std::optional<testing::TempDir> dir_;
};

TEST_F(PinTest, ReadsFileAndDropsOneTrailingNewline) {
  YJ_ASSERT_OK_AND_ASSIGN(SecureBytes pin, ReadPin({.file = WritePinFile(dir(), "1234\n", 0600)}));
  EXPECT_EQ(std::string(pin.begin(), pin.end()), "1234");
}

TEST_F(PinTest, RefusesFilesOthersCanRead) {
  absl::StatusOr<SecureBytes> pin = ReadPin({.file = WritePinFile(dir(), "secret-pin", 0644)});
  EXPECT_EQ(pin.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(std::string(pin.status().message()).find("secret-pin"), std::string::npos);
}

TEST_F(PinTest, MissingAndEmptyFiles) {
  EXPECT_EQ(ReadPin({.file = dir() + "/nope"}).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ReadPin({.file = WritePinFile(dir(), "\n", 0600)}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(PinTest, ReadsEnvironmentVariable) {
  setenv("YINJIAN_TEST_PIN", "9876", 1);
  YJ_ASSERT_OK_AND_ASSIGN(SecureBytes pin, ReadPin({.env_var = "YINJIAN_TEST_PIN"}));
  EXPECT_EQ(std::string(pin.begin(), pin.end()), "9876");
  unsetenv("YINJIAN_TEST_PIN");
  EXPECT_EQ(ReadPin({.env_var = "YINJIAN_TEST_PIN"}).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(PinTest, ExactlyOneSource) {
  EXPECT_EQ(ReadPin({}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadPin({.file = "/x", .env_var = "Y"}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace yinjian::hsm
