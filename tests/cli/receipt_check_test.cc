// `receipt verify`: receipts built with the audit core library and a fresh P-256 key verify
// offline, and tampered ones (an edited entry byte, the wrong key, the wrong origin) are turned
// down with the audit library's reason. The last tests run the built yinjianctl with no server
// and no profile.
#include "cli/receipt_check.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cli/status_exit.h"
#include "service/audit/text_fields.h"
#include "tests/cli/test_audit_log.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace yinjian::cli {
namespace {

using ::yinjian::testing::kTestOrigin;
using ::yinjian::testing::ProcessResult;
using ::yinjian::testing::TempDir;
using ::yinjian::testing::TestEntry;
using ::yinjian::testing::TestLog;
using ::yinjian::testing::TestLogKey;

// `receipt` with one byte of its entry changed, re-encoded so the text stays well-formed.
std::string WithEditedEntry(const std::string& receipt) {
  std::vector<std::string> lines = absl::StrSplit(receipt, '\n');
  std::optional<hsm::Bytes> entry = audit::DecodeBase64(lines[1].substr(6));  // "extra "
  (*entry)[10] ^= 0x01;
  lines[1] = "extra " + audit::EncodeBase64(*entry);
  return absl::StrJoin(lines, "\n");
}

class ReceiptCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    YJ_ASSERT_OK_AND_ASSIGN(key_, TestLogKey::Generate());
    YJ_ASSERT_OK_AND_ASSIGN(log_, TestLog::Build(key_, 6, {3, 6}));
    YJ_ASSERT_OK_AND_ASSIGN(receipt_, log_.Receipt(4));
  }

  // The verdict on a receipt that must not verify.
  std::string Rejection(const std::string& receipt, const TrustedLogKey& key,
                        const std::string& origin = "") const {
    const absl::StatusOr<audit::VerifiedReceipt> verified = CheckReceipt(receipt, key, origin);
    if (verified.ok()) return "(valid)";
    EXPECT_TRUE(IsNotValid(verified.status())) << verified.status();
    return std::string(verified.status().message());
  }

  TestLogKey key_;
  TestLog log_;
  std::string receipt_;
};

TEST_F(ReceiptCheckTest, VerifiesWithThePemKeyAndTheReceiptsOwnOrigin) {
  YJ_ASSERT_OK_AND_ASSIGN(const audit::VerifiedReceipt verified,
                          CheckReceipt(receipt_, {.public_key_pem = key_.pem}, ""));
  EXPECT_EQ(verified.index, 4u);
  EXPECT_EQ(verified.checkpoint.size, 6u);
  EXPECT_EQ(verified.checkpoint.origin, kTestOrigin);
  EXPECT_EQ(std::string(verified.entry.begin(), verified.entry.end()), TestEntry(4));
}

TEST_F(ReceiptCheckTest, VerifiesWithTheVerifierKeyOrAGivenOrigin) {
  YJ_EXPECT_OK(CheckReceipt(receipt_, {.verifier_key = key_.verifier->VerifierKey()}, ""));
  YJ_EXPECT_OK(CheckReceipt(receipt_, {.public_key_pem = key_.pem}, kTestOrigin));
}

TEST_F(ReceiptCheckTest, AnEditedEntryByteDoesNotVerify) {
  EXPECT_TRUE(absl::StartsWith(Rejection(WithEditedEntry(receipt_), {.public_key_pem = key_.pem}),
                               "invalid receipt: proof-mismatch: "))
      << Rejection(WithEditedEntry(receipt_), {.public_key_pem = key_.pem});
}

TEST_F(ReceiptCheckTest, TheWrongKeyDoesNotVerify) {
  YJ_ASSERT_OK_AND_ASSIGN(const TestLogKey other, TestLogKey::Generate());
  EXPECT_TRUE(absl::StartsWith(Rejection(receipt_, {.public_key_pem = other.pem}),
                               "invalid receipt: untrusted-key: "));
  EXPECT_TRUE(absl::StartsWith(Rejection(receipt_, {.verifier_key = other.verifier->VerifierKey()}),
                               "invalid receipt: untrusted-key: "));
}

TEST_F(ReceiptCheckTest, TheWrongOriginDoesNotVerify) {
  // With a verifier key the name is the key's, so the origin line is what differs.
  EXPECT_TRUE(absl::StartsWith(
      Rejection(receipt_, {.verifier_key = key_.verifier->VerifierKey()}, "other.test/audit"),
      "invalid receipt: wrong-origin: "));
  // With a PEM key the origin is also the key name the signature must carry.
  EXPECT_TRUE(absl::StartsWith(
      Rejection(receipt_, {.public_key_pem = key_.pem}, "other.test/audit"), "invalid receipt: "));
  // A receipt from another log under the same key fails against the expected origin.
  YJ_ASSERT_OK_AND_ASSIGN(const TestLog other, TestLog::Build(key_, 6, {6}, "other.test/audit"));
  YJ_ASSERT_OK_AND_ASSIGN(const std::string foreign, other.Receipt(2));
  EXPECT_TRUE(absl::StartsWith(Rejection(foreign, {.verifier_key = key_.verifier->VerifierKey()}),
                               "invalid receipt: "));
}

TEST_F(ReceiptCheckTest, MalformedTextIsAnInvalidReceipt) {
  EXPECT_TRUE(absl::StartsWith(Rejection("hello\n", {.public_key_pem = key_.pem}),
                               "invalid receipt: malformed: "));
  EXPECT_TRUE(absl::StartsWith(Rejection(receipt_.substr(0, 40), {.public_key_pem = key_.pem}),
                               "invalid receipt: malformed: "));
}

TEST_F(ReceiptCheckTest, UnusableKeysAreUsageErrors) {
  for (const TrustedLogKey& key :
       {TrustedLogKey{}, TrustedLogKey{.public_key_pem = key_.pem, .verifier_key = "x+1+AA=="},
        TrustedLogKey{.public_key_pem = "not a pem"}, TrustedLogKey{.verifier_key = "nonsense"}}) {
    const absl::StatusOr<audit::VerifiedReceipt> verified = CheckReceipt(receipt_, key, "");
    ASSERT_FALSE(verified.ok());
    EXPECT_EQ(verified.status().code(), absl::StatusCode::kInvalidArgument) << verified.status();
    EXPECT_FALSE(IsNotValid(verified.status()));
  }
}

TEST_F(ReceiptCheckTest, OutputShowsTheEntryIndentedOrVerbatim) {
  YJ_ASSERT_OK_AND_ASSIGN(const audit::VerifiedReceipt verified,
                          CheckReceipt(receipt_, {.public_key_pem = key_.pem}, ""));
  const std::string text = VerifiedReceiptText(verified);
  EXPECT_TRUE(absl::StartsWith(text, "valid receipt\nindex            4\n")) << text;
  EXPECT_TRUE(absl::StrContains(text, "checkpoint size  6\n")) << text;
  EXPECT_TRUE(absl::StrContains(text, "{\n  \"certificate\": \"3f1c\",\n")) << text;
  EXPECT_TRUE(absl::StrContains(text, "  \"index\": 4,\n")) << text;
  const std::string json = VerifiedReceiptJson(verified);
  EXPECT_TRUE(absl::StartsWith(json, "{\"index\":4,\"checkpoint_size\":6,\"origin\":\"yinjian."))
      << json;
  EXPECT_TRUE(absl::EndsWith(json, absl::StrCat(",\"entry\":", TestEntry(4), "}\n"))) << json;
  EXPECT_EQ(EntryAsJsonValue("not \"json\""), "\"not \\\"json\\\"\"");
}

// The built binary, offline: no server, no profile.
class ReceiptVerifyBinaryTest : public ReceiptCheckTest {
 protected:
  void SetUp() override {
    ReceiptCheckTest::SetUp();
    ::unsetenv("YINJIAN_PROFILE");
    YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
    dir_ = std::make_unique<TempDir>(std::move(dir));
    YJ_ASSERT_OK_AND_ASSIGN(receipt_file_, dir_->WriteFile("r.receipt", receipt_));
    YJ_ASSERT_OK_AND_ASSIGN(pem_file_, dir_->WriteFile("log.pem", key_.pem));
  }

  absl::StatusOr<ProcessResult> Run(std::vector<std::string> args) const {
    args.insert(args.begin(), YINJIANCTL_BINARY);
    return testing::RunProcess(args);
  }

  std::unique_ptr<TempDir> dir_;
  std::string receipt_file_;
  std::string pem_file_;
};

TEST_F(ReceiptVerifyBinaryTest, AValidReceiptExitsZero) {
  YJ_ASSERT_OK_AND_ASSIGN(const ProcessResult result,
                          Run({"receipt", "verify", receipt_file_, "--log-key", pem_file_}));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(absl::StrContains(result.out, "\"principal\": \"fin-app\"")) << result.out;
  EXPECT_EQ(result.err, "");

  YJ_ASSERT_OK_AND_ASSIGN(const ProcessResult json,
                          Run({"--output", "json", "receipt", "verify", receipt_file_,
                               "--verifier-key", key_.verifier->VerifierKey()}));
  EXPECT_EQ(json.exit_code, 0) << json.err;
  EXPECT_TRUE(absl::StrContains(json.out, absl::StrCat("\"entry\":", TestEntry(4), "}\n")))
      << json.out;
}

TEST_F(ReceiptVerifyBinaryTest, ATamperedReceiptExitsOneWithOneLine) {
  YJ_ASSERT_OK_AND_ASSIGN(const std::string tampered,
                          dir_->WriteFile("t.receipt", WithEditedEntry(receipt_)));
  YJ_ASSERT_OK_AND_ASSIGN(const ProcessResult result,
                          Run({"receipt", "verify", tampered, "--log-key", pem_file_}));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_TRUE(absl::StartsWith(result.err, "yinjianctl: invalid receipt: proof-mismatch: "))
      << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
}

TEST_F(ReceiptVerifyBinaryTest, KeyFlagsAreExclusiveAndRequired) {
  YJ_ASSERT_OK_AND_ASSIGN(const ProcessResult none, Run({"receipt", "verify", receipt_file_}));
  EXPECT_EQ(none.exit_code, 2);
  YJ_ASSERT_OK_AND_ASSIGN(const ProcessResult both,
                          Run({"receipt", "verify", receipt_file_, "--log-key", pem_file_,
                               "--verifier-key", key_.verifier->VerifierKey()}));
  EXPECT_EQ(both.exit_code, 2);
}

}  // namespace
}  // namespace yinjian::cli
