// `audit verify`'s checks on a log built with the audit core library: a good log passes, and
// each kind of tampering is reported as the first problem, precisely.
#include "cli/log_check.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "cli/audit_output.h"
#include "cli/status_exit.h"
#include "service/audit/merkle.h"
#include "tests/cli/test_audit_log.h"
#include "tests/support/status_test_macros.h"

namespace yinjian::cli {
namespace {

using ::yinjian::testing::kTestOrigin;
using ::yinjian::testing::TestEntry;
using ::yinjian::testing::TestLog;
using ::yinjian::testing::TestLogKey;

class LogCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    YJ_ASSERT_OK_AND_ASSIGN(key_, TestLogKey::Generate());
    YJ_ASSERT_OK_AND_ASSIGN(log_, TestLog::Build(key_, 10, {1, 4, 7, 10}));
  }

  absl::StatusOr<LogCheckSummary> Check(const std::vector<ListedEntry>& entries,
                                        std::vector<ListedCheckpoint> checkpoints) const {
    const std::vector<const audit::NoteVerifier*> verifiers = {key_.verifier.get()};
    return CheckLog(entries, std::move(checkpoints), verifiers, kTestOrigin);
  }

  // The problem Check reports: it must be a NotValid verdict.
  std::string Problem(const std::vector<ListedEntry>& entries,
                      std::vector<ListedCheckpoint> checkpoints) const {
    const absl::StatusOr<LogCheckSummary> summary = Check(entries, std::move(checkpoints));
    if (summary.ok()) return "(no problem)";
    EXPECT_TRUE(IsNotValid(summary.status())) << summary.status();
    return std::string(summary.status().message());
  }

  TestLogKey key_;
  TestLog log_;
};

TEST_F(LogCheckTest, AGoodLogPasses) {
  YJ_ASSERT_OK_AND_ASSIGN(const LogCheckSummary summary, Check(log_.entries, log_.checkpoints));
  EXPECT_EQ(summary.entries, 10u);
  EXPECT_EQ(summary.checkpoints, 4u);
  ASSERT_TRUE(summary.first.has_value());
  ASSERT_TRUE(summary.latest.has_value());
  EXPECT_EQ(summary.first->size, 1u);
  EXPECT_EQ(summary.latest->size, 10u);
  YJ_ASSERT_OK_AND_ASSIGN(const audit::Hash root, log_.RootAt(10));
  EXPECT_EQ(summary.latest->root, root);
  EXPECT_EQ(UncoveredEntries(summary), 0u);
  EXPECT_TRUE(absl::StartsWith(LogSummaryText(summary), "audit log valid\n"));
  EXPECT_TRUE(absl::StrContains(LogSummaryJson(summary), "\"entries\":10,\"checkpoints\":4,"));
}

TEST_F(LogCheckTest, EntriesAfterTheLatestCheckpointAreCountedNotRejected) {
  YJ_ASSERT_OK_AND_ASSIGN(const TestLog log, TestLog::Build(key_, 12, {4, 10}));
  YJ_ASSERT_OK_AND_ASSIGN(const LogCheckSummary summary, Check(log.entries, log.checkpoints));
  EXPECT_EQ(summary.entries, 12u);
  EXPECT_EQ(UncoveredEntries(summary), 2u);
}

TEST_F(LogCheckTest, AnEmptyLogPasses) {
  YJ_ASSERT_OK_AND_ASSIGN(const LogCheckSummary summary, Check({}, {}));
  EXPECT_EQ(summary.entries, 0u);
  EXPECT_FALSE(summary.latest.has_value());
}

TEST_F(LogCheckTest, AFlippedEntryByteBreaksTheNextCheckpoint) {
  std::vector<ListedEntry> entries = log_.entries;
  entries[5].entry = TestEntry(5, "fin-apq");  // one byte of the principal
  EXPECT_EQ(Problem(entries, log_.checkpoints),
            "checkpoint of size 7: root does not match the entries");
}

TEST_F(LogCheckTest, AReorderedPairIsCaughtByItsIndexField) {
  std::vector<ListedEntry> entries = log_.entries;
  std::swap(entries[5].entry, entries[6].entry);  // the server still lists them as 5 and 6
  EXPECT_EQ(Problem(entries, log_.checkpoints), "entry 5: index field says 6");
}

TEST_F(LogCheckTest, AMissingEntryIsNamed) {
  std::vector<ListedEntry> entries = log_.entries;
  entries.erase(entries.begin() + 3);
  EXPECT_EQ(Problem(entries, log_.checkpoints), "entry 3: the server listed entry 4 in its place");
}

TEST_F(LogCheckTest, AnEntryThatIsNotJsonIsNamed) {
  std::vector<ListedEntry> entries = log_.entries;
  entries[2].entry = "not json";
  EXPECT_TRUE(absl::StartsWith(Problem(entries, log_.checkpoints), "entry 2: not a JSON object"));
  entries[2].entry = "{\"v\":1}";
  EXPECT_EQ(Problem(entries, log_.checkpoints), "entry 2: no index field");
  entries[2].entry = "{\"index\":\"2\"}";
  EXPECT_EQ(Problem(entries, log_.checkpoints), "entry 2: index field says \"2\"");
}

TEST_F(LogCheckTest, ACheckpointWithAWrongRootIsNamed) {
  std::vector<ListedCheckpoint> checkpoints = log_.checkpoints;
  // Properly signed, but over the root of another tree.
  YJ_ASSERT_OK_AND_ASSIGN(const audit::Hash wrong_root, log_.RootAt(6));
  YJ_ASSERT_OK_AND_ASSIGN(checkpoints[2].note, key_.SignCheckpoint(kTestOrigin, 7, wrong_root));
  checkpoints[2].root_hash = std::string(wrong_root.begin(), wrong_root.end());
  EXPECT_EQ(Problem(log_.entries, checkpoints),
            "checkpoint of size 7: root does not match the entries");
}

TEST_F(LogCheckTest, ACheckpointSignedByAForeignKeyIsNamed) {
  YJ_ASSERT_OK_AND_ASSIGN(const TestLogKey foreign, TestLogKey::Generate());
  std::vector<ListedCheckpoint> checkpoints = log_.checkpoints;
  YJ_ASSERT_OK_AND_ASSIGN(const audit::Hash root, log_.RootAt(7));
  YJ_ASSERT_OK_AND_ASSIGN(checkpoints[2].note, foreign.SignCheckpoint(kTestOrigin, 7, root));
  EXPECT_TRUE(absl::StartsWith(Problem(log_.entries, checkpoints),
                               "checkpoint of size 7: signature: untrusted-key: "))
      << Problem(log_.entries, checkpoints);
}

TEST_F(LogCheckTest, AnEditedCheckpointNoteFailsItsSignature) {
  std::vector<ListedCheckpoint> checkpoints = log_.checkpoints;
  checkpoints[1].note = absl::StrReplaceAll(checkpoints[1].note, {{"\n4\n", "\n5\n"}});
  EXPECT_TRUE(absl::StartsWith(Problem(log_.entries, checkpoints),
                               "checkpoint of size 4: signature: bad-signature: "))
      << Problem(log_.entries, checkpoints);
}

TEST_F(LogCheckTest, ACheckpointOfAnotherLogIsNamed) {
  YJ_ASSERT_OK_AND_ASSIGN(const TestLog other,
                          TestLog::Build(key_, 10, {1, 4, 7, 10}, "other.test/audit"));
  const std::vector<const audit::NoteVerifier*> verifiers = {key_.verifier.get()};
  const absl::StatusOr<LogCheckSummary> summary =
      CheckLog(other.entries, other.checkpoints, verifiers, kTestOrigin);
  ASSERT_FALSE(summary.ok());
  // Signed by the right key, but for another log.
  EXPECT_TRUE(absl::StartsWith(summary.status().message(), "checkpoint of size 1: wrong-origin: "))
      << summary.status();
}

TEST_F(LogCheckTest, AStoredRootThatDiffersFromTheNoteIsNamed) {
  std::vector<ListedCheckpoint> checkpoints = log_.checkpoints;
  checkpoints[3].root_hash[0] ^= 1;
  EXPECT_EQ(Problem(log_.entries, checkpoints),
            "checkpoint of size 10: its root_hash field differs from its signed note");
}

TEST_F(LogCheckTest, ACheckpointBeyondTheEntriesIsNamed) {
  std::vector<ListedEntry> entries = log_.entries;
  entries.resize(8);
  EXPECT_EQ(Problem(entries, log_.checkpoints),
            "checkpoint of size 10: beyond the 8 entries listed");
}

TEST_F(LogCheckTest, CheckpointsOutOfOrderAreNamed) {
  std::vector<ListedCheckpoint> checkpoints = log_.checkpoints;
  std::swap(checkpoints[1], checkpoints[2]);
  EXPECT_EQ(Problem(log_.entries, checkpoints), "checkpoint of size 4: listed out of size order");
}

TEST_F(LogCheckTest, ConsistencyProofsAreChecked) {
  YJ_ASSERT_OK_AND_ASSIGN(const LogCheckSummary summary, Check(log_.entries, log_.checkpoints));
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<audit::Hash> proof,
                          audit::ConsistencyProof(log_.leaf_hashes, 1, 10));
  YJ_EXPECT_OK(CheckConsistencyProof(*summary.first, *summary.latest, proof));

  proof.back()[0] ^= 1;
  const absl::Status bad = CheckConsistencyProof(*summary.first, *summary.latest, proof);
  EXPECT_TRUE(IsNotValid(bad)) << bad;
  EXPECT_TRUE(absl::StartsWith(bad.message(), "consistency proof from size 1 to size 10: ")) << bad;
}

}  // namespace
}  // namespace yinjian::cli
