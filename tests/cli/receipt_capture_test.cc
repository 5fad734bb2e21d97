// --receipt-out: what is saved from a call's trailing metadata, and (through the built binary and
// the test server, which sends a receipt with every call) that it travels intact, also from a
// failed call, and that --deferred-receipt asks for and saves only the index.
#include "cli/receipt_capture.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "cli/status_exit.h"
#include "tests/cli/test_pki.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace yinjian::cli {
namespace {

using ::yinjian::testing::ProcessResult;
using ::yinjian::testing::RunningServer;
using ::yinjian::testing::TempDir;
using ::yinjian::testing::TestPki;

constexpr char kReceipt[] = "c2sp.org/tlog-proof@v1\nextra e30=\nindex 3\n\n\xE2\x80\x94 x\n";

class ReceiptCaptureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
    dir_ = std::make_unique<TempDir>(std::move(dir));
  }

  std::string Contents(const std::string& path) const {
    absl::StatusOr<std::vector<uint8_t>> bytes = dir_->ReadFile(path);
    return bytes.ok() ? std::string(bytes->begin(), bytes->end()) : "(unreadable)";
  }

  static int Mode(const std::string& path) {
    struct stat info;
    return ::stat(path.c_str(), &info) == 0 ? int(info.st_mode & 07777) : -1;
  }

  std::unique_ptr<TempDir> dir_;
};

TEST_F(ReceiptCaptureTest, ReadsTheTrailers) {
  const std::string text = kReceipt;
  const std::multimap<grpc::string_ref, grpc::string_ref> trailers = {
      {"yinjian-receipt-bin", text}, {"yinjian-receipt-index", "3"}, {"other", "x"}};
  const CallReceipt receipt = ReceiptFromTrailers(trailers);
  EXPECT_EQ(receipt.text, text);
  EXPECT_EQ(receipt.index, "3");
  const CallReceipt none = ReceiptFromTrailers({});
  EXPECT_FALSE(none.text.has_value());
  EXPECT_FALSE(none.index.has_value());
}

TEST_F(ReceiptCaptureTest, SavesTheReceiptWithMode0644) {
  const std::string path = dir_->File("r");
  ::umask(077);  // the mode is exact whatever the umask
  YJ_ASSERT_OK_AND_ASSIGN(const std::string notice,
                          SaveReceipt({.out = path}, {.text = kReceipt, .index = "3"}, true));
  ::umask(022);
  EXPECT_EQ(notice, "");
  EXPECT_EQ(Contents(path), kReceipt);
  EXPECT_EQ(Mode(path), 0644);
}

TEST_F(ReceiptCaptureTest, DeferredSavesTheIndexOnly) {
  const std::string path = dir_->File("r");
  YJ_ASSERT_OK_AND_ASSIGN(const std::string notice,
                          SaveReceipt({.out = path, .deferred = true}, {.index = "42"}, true));
  EXPECT_EQ(notice, "receipt deferred: index 42");
  EXPECT_EQ(Contents(path), "42\n");
}

TEST_F(ReceiptCaptureTest, NoReceiptFromASuccessfulCallIsTheServersFault) {
  const std::string path = dir_->File("r");
  for (const ReceiptOptions& options :
       {ReceiptOptions{.out = path}, ReceiptOptions{.out = path, .deferred = true}}) {
    const absl::StatusOr<std::string> saved = SaveReceipt(options, {}, true);
    ASSERT_FALSE(saved.ok());
    EXPECT_EQ(ExitCodeFor(saved.status()), kExitRpcError) << saved.status();
  }
  const absl::StatusOr<std::string> malformed =
      SaveReceipt({.out = path, .deferred = true}, {.index = "12x"}, true);
  EXPECT_FALSE(malformed.ok());
  EXPECT_EQ(Contents(path), "(unreadable)");  // nothing was written
}

TEST_F(ReceiptCaptureTest, AFailedCallWithoutAReceiptSavesNothingQuietly) {
  const std::string path = dir_->File("r");
  YJ_ASSERT_OK_AND_ASSIGN(const std::string notice, SaveReceipt({.out = path}, {}, false));
  EXPECT_EQ(notice, "");
  EXPECT_EQ(Contents(path), "(unreadable)");
  // ...but one that brought a receipt saves it.
  YJ_EXPECT_OK(SaveReceipt({.out = path}, {.text = kReceipt}, false).status());
  EXPECT_EQ(Contents(path), kReceipt);
}

TEST_F(ReceiptCaptureTest, BadOptionsAreUsageErrors) {
  for (const ReceiptOptions& options :
       {ReceiptOptions{.out = "-"}, ReceiptOptions{.out = "", .deferred = true}}) {
    const absl::Status checked = CheckReceiptOptions(options);
    EXPECT_EQ(checked.code(), absl::StatusCode::kInvalidArgument) << checked;
    EXPECT_EQ(ExitCodeFor(checked), kExitUsage);
  }
  YJ_EXPECT_OK(CheckReceiptOptions({}));
  YJ_EXPECT_OK(CheckReceiptOptions({.out = "r", .deferred = true}));
}

// Through the binary, against the test server.
class ReceiptOutBinaryTest : public ReceiptCaptureTest {
 protected:
  void SetUp() override {
    ReceiptCaptureTest::SetUp();
    ::unsetenv("YINJIAN_PROFILE");
    YJ_ASSERT_OK_AND_ASSIGN(pki_, testing::MakeTestPki(*dir_));
    YJ_ASSERT_OK_AND_ASSIGN(server_, testing::StartRandomOnlyServer(*dir_, pki_));
  }

  absl::StatusOr<ProcessResult> Random(const std::string& n, std::vector<std::string> extra) {
    std::vector<std::string> args = {YINJIANCTL_BINARY,
                                     "--server",
                                     server_.address,
                                     "--ca",
                                     pki_.ca_cert,
                                     "--cert",
                                     pki_.client_cert,
                                     "--key",
                                     pki_.client_key,
                                     "random",
                                     n};
    args.insert(args.end(), extra.begin(), extra.end());
    return testing::RunProcess(args);
  }

  TestPki pki_;
  RunningServer server_;
};

TEST_F(ReceiptOutBinaryTest, SavesTheReceiptAndPrintsOnlyTheResult) {
  const std::string path = dir_->File("call.receipt");
  YJ_ASSERT_OK_AND_ASSIGN(const ProcessResult result, Random("4", {"--receipt-out", path}));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "abababab\n");
  EXPECT_EQ(result.err, "");
  EXPECT_EQ(Contents(path), testing::kFakeReceipt);
  EXPECT_EQ(Mode(path), 0644);
}

TEST_F(ReceiptOutBinaryTest, SavesTheReceiptOfAFailedCallToo) {
  const std::string path = dir_->File("failed.receipt");
  YJ_ASSERT_OK_AND_ASSIGN(const ProcessResult result, Random("5000", {"--receipt-out", path}));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "yinjianctl: RESOURCE_EXHAUSTED: too many bytes\n");
  EXPECT_EQ(Contents(path), testing::kFakeReceipt);
}

TEST_F(ReceiptOutBinaryTest, DeferredAsksForAndSavesTheIndex) {
  const std::string path = dir_->File("deferred");
  YJ_ASSERT_OK_AND_ASSIGN(const ProcessResult result,
                          Random("4", {"--receipt-out", path, "--deferred-receipt"}));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "abababab\n");
  EXPECT_EQ(result.err, "receipt deferred: index 7\n");
  EXPECT_EQ(Contents(path), "7\n");
}

TEST_F(ReceiptOutBinaryTest, MisusedFlagsAreUsageErrorsBeforeAnyCall) {
  YJ_ASSERT_OK_AND_ASSIGN(const ProcessResult alone, Random("4", {"--deferred-receipt"}));
  EXPECT_EQ(alone.exit_code, 2);
  YJ_ASSERT_OK_AND_ASSIGN(const ProcessResult dash, Random("4", {"--receipt-out", "-"}));
  EXPECT_EQ(dash.exit_code, 2);
  EXPECT_EQ(dash.out, "");
}

}  // namespace
}  // namespace yinjian::cli
