// SqliteStore's audit log (R9, R10): appending batches with their Merkle nodes and checkpoints,
// the position checks that keep the log gapless across replicas, the schema's append-only
// triggers, and the queries, on a real database file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "service/store/records.h"
#include "service/store/sqlite_migrations.h"
#include "service/store/sqlite_store.h"
#include "tests/service/store/raw_sqlite.h"
#include "tests/service/store/record_printers.h"
#include "tests/service/store/store_test_util.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::store {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Sub-microsecond times prove that records come back as stored, not as given.
absl::Time SomeTime(int64_t seconds) {
  return absl::FromUnixSeconds(1700000000 + seconds) + absl::Nanoseconds(123456789);
}
absl::Time Stored(absl::Time t) { return absl::FromUnixMicros(absl::ToUnixMicros(t)); }

// A 32-byte stand-in for a SHA-256 value, distinct per tag (at most 31 characters). The store
// neither computes nor checks hashes; the leading NUL proves they are kept as blobs.
std::string Hash(absl::string_view tag) {
  std::string hash = absl::StrCat(absl::string_view("\0", 1), tag);
  hash.resize(32, '.');
  return hash;
}

std::string NodeHash(int32_t level, int64_t index) {
  return Hash(absl::StrCat("node ", level, ",", index));
}

// Entry `index` of a made-up log: its fields cycle independently, so every filter selects a
// different subset.
AuditEntryRecord Entry(int64_t index) {
  static constexpr const char* kPrincipals[] = {"alice", "bob", "carol"};
  static constexpr const char* kOperations[] = {"Encrypt", "Decrypt", "AddPrincipal", "Sign"};
  static constexpr const char* kKeys[] = {"tax/payroll", "", "tax/pensions"};
  const bool denied = index % 5 == 4;
  return {.index = index,
          .entry = absl::StrCat(absl::string_view("\0\x01", 2), "entry ", index),
          .leaf_hash = Hash(absl::StrCat("leaf ", index)),
          .time = SomeTime(index),
          .principal = kPrincipals[index % 3],
          .department = index % 3 == 2 ? "police" : "health",
          .operation = kOperations[index % 4],
          .key = kKeys[(index / 2) % 3],
          .decision = denied ? "deny" : "allow",
          .result = denied ? "PERMISSION_DENIED" : "OK"};
}

AuditEntryRecord StoredEntry(int64_t index) {
  AuditEntryRecord entry = Entry(index);
  entry.time = Stored(entry.time);
  return entry;
}

AuditCheckpointRecord Checkpoint(int64_t size) {
  return {
      .size = size,
      .root_hash = Hash(absl::StrCat("root ", size)),
      .note = absl::StrCat("yinjian.example/audit\n", size, "\nroot\n\n\xe2\x80\x94 yinjian sig\n"),
      .created = SomeTime(1000 + size)};
}

AuditCheckpointRecord StoredCheckpoint(int64_t size) {
  AuditCheckpointRecord checkpoint = Checkpoint(size);
  checkpoint.created = Stored(checkpoint.created);
  return checkpoint;
}

// The nodes above the leaves that appending [first, new_size) completes: at each level, the
// subtrees ending after `first` and by `new_size`.
std::vector<AuditNodeRecord> NewNodes(int64_t first, int64_t new_size) {
  std::vector<AuditNodeRecord> nodes;
  for (int32_t level = 1; (int64_t{1} << level) <= new_size; ++level) {
    for (int64_t index = first >> level; index < (new_size >> level); ++index) {
      nodes.push_back({.level = level, .index = index, .hash = NodeHash(level, index)});
    }
  }
  return nodes;
}

std::vector<AuditEntryRecord> Entries(int64_t first, int64_t count) {
  std::vector<AuditEntryRecord> entries;
  for (int64_t i = first; i < first + count; ++i) entries.push_back(Entry(i));
  return entries;
}

std::vector<int64_t> Indices(const std::vector<AuditEntryRecord>& entries) {
  std::vector<int64_t> indices;
  for (const AuditEntryRecord& e : entries) indices.push_back(e.index);
  return indices;
}

// SQLite's message if `sql` fails on a connection of its own, "" if it succeeds.
std::string RawError(testing::RawSqlite& raw, const std::string& sql) {
  char* error = nullptr;
  const int rc = sqlite3_exec(raw.db(), sql.c_str(), nullptr, nullptr, &error);
  std::string message = rc == SQLITE_OK ? "" : (error != nullptr ? error : "failed");
  sqlite3_free(error);
  return message;
}

// Everything a failed append must leave as it was.
struct LogState {
  int64_t size = -1;
  std::vector<AuditEntryRecord> entries;
  std::vector<AuditCheckpointRecord> checkpoints;
  int64_t nodes = -1;

  friend bool operator==(const LogState&, const LogState&) = default;
  friend void PrintTo(const LogState& s, std::ostream* os) {
    *os << "LogState{size=" << s.size << " entries=" << s.entries.size()
        << " checkpoints=" << s.checkpoints.size() << " nodes=" << s.nodes << "}";
  }
};

class SqliteAuditTest : public ::yinjian::store::testing::StoreFileTest {
 protected:
  // Appends Entry(first) ... Entry(first + count - 1) with their nodes and checkpoint.
  absl::Status Append(int64_t first, int64_t count) {
    return store_->AppendAudit(Entries(first, count), NewNodes(first, first + count),
                               Checkpoint(first + count));
  }

  LogState State() {
    LogState state;
    absl::StatusOr<int64_t> size = store_->AuditLogSize();
    EXPECT_TRUE(size.ok()) << size.status();
    state.size = size.value_or(-1);
    absl::StatusOr<std::vector<AuditEntryRecord>> entries = store_->ListAuditEntries(0, 1 << 20);
    EXPECT_TRUE(entries.ok()) << entries.status();
    if (entries.ok()) state.entries = *entries;
    absl::StatusOr<std::vector<AuditCheckpointRecord>> checkpoints = store_->ListAuditCheckpoints();
    EXPECT_TRUE(checkpoints.ok()) << checkpoints.status();
    if (checkpoints.ok()) state.checkpoints = *checkpoints;
    testing::RawSqlite raw(path_);
    state.nodes = raw.QueryInt("SELECT count(*) FROM audit_nodes");
    return state;
  }

  std::vector<int64_t> QueryIndices(const AuditFilter& filter) {
    absl::StatusOr<std::vector<AuditEntryRecord>> found = store_->QueryAudit(filter);
    EXPECT_TRUE(found.ok()) << found.status();
    return found.ok() ? Indices(*found) : std::vector<int64_t>{-1};
  }
};

TEST_F(SqliteAuditTest, AnEmptyLogHasNothing) {
  YJ_ASSERT_OK_AND_ASSIGN(int64_t size, store_->AuditLogSize());
  EXPECT_EQ(size, 0);
  EXPECT_EQ(store_->GetAuditEntry(0).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetAuditNode(0, 0).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->LatestAuditCheckpoint().status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetAuditCheckpoint(0).status().code(), absl::StatusCode::kNotFound);
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<AuditCheckpointRecord> checkpoints,
                          store_->ListAuditCheckpoints());
  EXPECT_THAT(checkpoints, IsEmpty());
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<AuditEntryRecord> entries, store_->ListAuditEntries(0, 10));
  EXPECT_THAT(entries, IsEmpty());
  EXPECT_THAT(QueryIndices({}), IsEmpty());
}

TEST_F(SqliteAuditTest, BatchesAppendAndReadBackEveryField) {
  YJ_ASSERT_OK(Append(0, 3));
  YJ_ASSERT_OK(Append(3, 5));
  YJ_ASSERT_OK_AND_ASSIGN(int64_t size, store_->AuditLogSize());
  EXPECT_EQ(size, 8);

  std::vector<AuditEntryRecord> want;
  for (int64_t i = 0; i < 8; ++i) {
    want.push_back(StoredEntry(i));
    YJ_ASSERT_OK_AND_ASSIGN(AuditEntryRecord got, store_->GetAuditEntry(i));
    EXPECT_EQ(got, StoredEntry(i));
  }
  EXPECT_EQ(store_->GetAuditEntry(8).status().code(), absl::StatusCode::kNotFound);
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<AuditEntryRecord> all, store_->ListAuditEntries(0, 100));
  EXPECT_EQ(all, want);  // end clamped to the size
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<AuditEntryRecord> middle, store_->ListAuditEntries(2, 5));
  EXPECT_THAT(Indices(middle), ElementsAre(2, 3, 4));
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<AuditEntryRecord> none, store_->ListAuditEntries(5, 5));
  EXPECT_THAT(none, IsEmpty());

  // Every complete subtree of 8 leaves, the leaves themselves included, and nothing more.
  for (int32_t level = 1; level <= 3; ++level) {
    for (int64_t index = 0; index < (8 >> level); ++index) {
      YJ_ASSERT_OK_AND_ASSIGN(std::string hash, store_->GetAuditNode(level, index));
      EXPECT_EQ(hash, NodeHash(level, index)) << level << "," << index;
    }
  }
  YJ_ASSERT_OK_AND_ASSIGN(std::string leaf, store_->GetAuditNode(0, 6));
  EXPECT_EQ(leaf, Entry(6).leaf_hash);
  EXPECT_EQ(store_->GetAuditNode(0, 8).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetAuditNode(1, 4).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetAuditNode(4, 0).status().code(), absl::StatusCode::kNotFound);

  YJ_ASSERT_OK_AND_ASSIGN(AuditCheckpointRecord latest, store_->LatestAuditCheckpoint());
  EXPECT_EQ(latest, StoredCheckpoint(8));
  YJ_ASSERT_OK_AND_ASSIGN(AuditCheckpointRecord third, store_->GetAuditCheckpoint(3));
  EXPECT_EQ(third, StoredCheckpoint(3));
  EXPECT_EQ(store_->GetAuditCheckpoint(4).status().code(), absl::StatusCode::kNotFound);
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<AuditCheckpointRecord> checkpoints,
                          store_->ListAuditCheckpoints());
  EXPECT_THAT(checkpoints, ElementsAre(StoredCheckpoint(3), StoredCheckpoint(8)));

  // And all of it survives closing and reopening the file.
  const LogState before = State();
  store_.reset();
  YJ_ASSERT_OK_AND_ASSIGN(store_, SqliteStore::Open(path_));
  EXPECT_EQ(State(), before);
}

TEST_F(SqliteAuditTest, AppendingAnywhereButTheEndWritesNothing) {
  YJ_ASSERT_OK(Append(0, 3));
  const LogState before = State();
  for (int64_t first : {0, 2, 4, 100}) {
    const absl::Status status = Append(first, 2);
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << first << ": " << status;
  }
  EXPECT_THAT(Append(4, 1).message(), HasSubstr("has 3 entries"));
  EXPECT_EQ(State(), before);
  YJ_EXPECT_OK(Append(3, 2));
}

TEST_F(SqliteAuditTest, IndicesWithAGapOrARepeatWriteNothing) {
  YJ_ASSERT_OK(Append(0, 3));
  const LogState before = State();
  for (const std::vector<int64_t>& indices :
       {std::vector<int64_t>{3, 4, 6}, {3, 3}, {3, 5}, {4, 3}, {3, 4, 5, 4}}) {
    std::vector<AuditEntryRecord> entries;
    for (int64_t index : indices) entries.push_back(Entry(index));
    const int64_t new_size = 3 + static_cast<int64_t>(indices.size());
    const absl::Status status = store_->AppendAudit(entries, {}, Checkpoint(new_size));
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition)
        << ::testing::PrintToString(indices) << ": " << status;
  }
  EXPECT_EQ(State(), before);
}

TEST_F(SqliteAuditTest, ACheckpointMustCoverTheNewSize) {
  YJ_ASSERT_OK(Append(0, 3));
  const LogState before = State();
  for (int64_t size : {3, 4, 6, 0}) {
    const absl::Status status =
        store_->AppendAudit(Entries(3, 2), NewNodes(3, 5), Checkpoint(size));
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << size << ": " << status;
  }
  EXPECT_EQ(State(), before);
  YJ_EXPECT_OK(store_->AppendAudit(Entries(3, 2), NewNodes(3, 5), Checkpoint(5)));
}

TEST_F(SqliteAuditTest, ACheckpointOfTheCurrentSizeIsKeptIfEqualAndRefusedIfNot) {
  YJ_ASSERT_OK(Append(0, 3));
  // No entries: a checkpoint of the size as it is. Re-sent with the same root (another note or
  // time), the stored one stays.
  AuditCheckpointRecord again = Checkpoint(3);
  again.note = "re-signed";
  again.created = SomeTime(5000);
  YJ_EXPECT_OK(store_->AppendAudit({}, {}, again));
  YJ_ASSERT_OK_AND_ASSIGN(AuditCheckpointRecord kept, store_->GetAuditCheckpoint(3));
  EXPECT_EQ(kept, StoredCheckpoint(3));

  const LogState before = State();
  AuditCheckpointRecord forged = Checkpoint(3);
  forged.root_hash = Hash("another root");
  const absl::Status status = store_->AppendAudit({}, {}, forged);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_EQ(State(), before);
}

TEST_F(SqliteAuditTest, ANodeTheNewSizeDoesNotCompleteIsRefusedWithTheBatch) {
  YJ_ASSERT_OK(Append(0, 3));
  const LogState before = State();
  // Entries 3 and 4 complete (1, 1) and (2, 0), but not (1, 2) nor (3, 0). The entries, written
  // first inside the transaction, are rolled back with the rest.
  for (const AuditNodeRecord& node : {AuditNodeRecord{.level = 1, .index = 2, .hash = Hash("x")},
                                      AuditNodeRecord{.level = 3, .index = 0, .hash = Hash("x")}}) {
    std::vector<AuditNodeRecord> nodes = NewNodes(3, 5);
    nodes.push_back(node);
    const absl::Status status = store_->AppendAudit(Entries(3, 2), nodes, Checkpoint(5));
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
    EXPECT_THAT(status.message(), HasSubstr("not complete"));
  }
  EXPECT_EQ(State(), before);
}

TEST_F(SqliteAuditTest, AConflictingNodeIsRefusedAndAnEqualOneKept) {
  YJ_ASSERT_OK(Append(0, 2));  // node (1, 0)
  const LogState before = State();
  std::vector<AuditNodeRecord> nodes = NewNodes(2, 4);  // (1, 1) and (2, 0)
  nodes.push_back({.level = 1, .index = 0, .hash = Hash("a different (1, 0)")});
  const absl::Status status = store_->AppendAudit(Entries(2, 2), nodes, Checkpoint(4));
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(status.message(), HasSubstr("different hash"));
  EXPECT_EQ(State(), before);

  // The same node re-sent with the batch is simply kept.
  nodes.back().hash = NodeHash(1, 0);
  YJ_ASSERT_OK(store_->AppendAudit(Entries(2, 2), nodes, Checkpoint(4)));
  for (const auto& [level, index] : {std::pair<int32_t, int64_t>{1, 0}, {1, 1}, {2, 0}}) {
    YJ_ASSERT_OK_AND_ASSIGN(std::string hash, store_->GetAuditNode(level, index));
    EXPECT_EQ(hash, NodeHash(level, index));
  }
  EXPECT_EQ(State().nodes, 3);
}

TEST_F(SqliteAuditTest, AConflictingNodeIsRefusedEvenWithoutTheSchemasTrigger) {
  YJ_ASSERT_OK(Append(0, 2));
  {
    testing::RawSqlite raw(path_);
    ASSERT_TRUE(raw.Exec("DROP TRIGGER audit_nodes_no_replace"));
  }
  const LogState before = State();
  std::vector<AuditNodeRecord> nodes = NewNodes(2, 4);
  nodes.push_back({.level = 1, .index = 0, .hash = Hash("a different (1, 0)")});
  const absl::Status status = store_->AppendAudit(Entries(2, 2), nodes, Checkpoint(4));
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(status.message(), HasSubstr("different hash"));
  EXPECT_EQ(State(), before);
}

TEST_F(SqliteAuditTest, MalformedArgumentsAreInvalid) {
  YJ_ASSERT_OK(Append(0, 2));
  std::vector<AuditEntryRecord> entries = Entries(2, 1);
  entries[0].leaf_hash.pop_back();
  EXPECT_EQ(store_->AppendAudit(entries, {}, Checkpoint(3)).code(),
            absl::StatusCode::kInvalidArgument);
  AuditCheckpointRecord no_root = Checkpoint(3);
  no_root.root_hash.clear();
  EXPECT_EQ(store_->AppendAudit(Entries(2, 1), {}, no_root).code(),
            absl::StatusCode::kInvalidArgument);
  for (const AuditNodeRecord& node :
       {AuditNodeRecord{.level = 1, .index = 0, .hash = "short"},
        AuditNodeRecord{.level = -1, .index = 0, .hash = Hash("n")},
        AuditNodeRecord{.level = 63, .index = 0, .hash = Hash("n")},
        AuditNodeRecord{.level = 1, .index = -1, .hash = Hash("n")}}) {
    EXPECT_EQ(store_->AppendAudit(Entries(2, 1), {node}, Checkpoint(3)).code(),
              absl::StatusCode::kInvalidArgument)
        << node.level << "," << node.index;
  }
  EXPECT_EQ(store_->GetAuditEntry(-1).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ListAuditEntries(-1, 2).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GetAuditNode(-1, 0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GetAuditNode(0, -1).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GetAuditCheckpoint(-1).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->QueryAudit({.limit = -1}).status().code(), absl::StatusCode::kInvalidArgument);
  YJ_ASSERT_OK_AND_ASSIGN(int64_t size, store_->AuditLogSize());
  EXPECT_EQ(size, 2);
}

TEST_F(SqliteAuditTest, TheSchemaRefusesEveryChangeToWhatIsWritten) {
  YJ_ASSERT_OK(Append(0, 4));
  const LogState before = State();
  testing::RawSqlite raw(path_);
  for (const char* sql : {
           "UPDATE audit_entries SET result = 'OK' WHERE idx = 0",
           "UPDATE audit_entries SET principal = 'mallory'",
           "DELETE FROM audit_entries WHERE idx = 3",
           "DELETE FROM audit_entries",
           "INSERT OR REPLACE INTO audit_entries VALUES "
           "(0, x'00', zeroblob(32), 0, 'mallory', 'x', 'x', '', 'allow', 'OK')",
           "UPDATE audit_nodes SET hash = zeroblob(32)",
           "DELETE FROM audit_nodes WHERE level = 2",
           "REPLACE INTO audit_nodes VALUES (1, 0, zeroblob(32))",
           "UPDATE audit_checkpoints SET note = 'forged'",
           "DELETE FROM audit_checkpoints",
           "INSERT OR REPLACE INTO audit_checkpoints SELECT size, root_hash, 'forged', created_us "
           "FROM audit_checkpoints WHERE size = 4",
       }) {
    EXPECT_THAT(RawError(raw, sql), HasSubstr("the audit log is append-only")) << sql;
  }
  EXPECT_EQ(State(), before);
  // Appending stays possible, by hand too (and the hand-made entry is what audit verify flags).
  EXPECT_EQ(RawError(raw,
                     "INSERT INTO audit_entries VALUES "
                     "(4, x'00', zeroblob(32), 0, 'mallory', 'x', 'x', '', 'allow', 'OK')"),
            "");
}

class SqliteAuditQueryTest : public SqliteAuditTest {
 protected:
  void SetUp() override {
    SqliteAuditTest::SetUp();
    YJ_ASSERT_OK(Append(0, kEntries));
  }

  // The indices of Entry(0 .. kEntries - 1) for which `match` holds.
  template <typename Match>
  static std::vector<int64_t> Expected(Match match) {
    std::vector<int64_t> indices;
    for (int64_t i = 0; i < kEntries; ++i) {
      if (match(StoredEntry(i))) indices.push_back(i);
    }
    return indices;
  }

  static constexpr int64_t kEntries = 30;
};

TEST_F(SqliteAuditQueryTest, EachFieldFilters) {
  std::vector<int64_t> want =
      Expected([](const AuditEntryRecord& e) { return e.principal == "bob"; });
  ASSERT_THAT(want, ::testing::SizeIs(10));
  EXPECT_EQ(QueryIndices({.principal = "bob"}), want);
  EXPECT_EQ(QueryIndices({.department = "police"}),
            Expected([](const AuditEntryRecord& e) { return e.department == "police"; }));
  EXPECT_EQ(QueryIndices({.key = "tax/pensions"}),
            Expected([](const AuditEntryRecord& e) { return e.key == "tax/pensions"; }));
  EXPECT_EQ(QueryIndices({.operation = "Sign"}),
            Expected([](const AuditEntryRecord& e) { return e.operation == "Sign"; }));
  EXPECT_EQ(QueryIndices({.decision = "deny"}),
            Expected([](const AuditEntryRecord& e) { return e.decision == "deny"; }));
  // Fields combine with AND.
  EXPECT_EQ(QueryIndices({.principal = "alice", .key = "tax/payroll", .decision = "allow"}),
            Expected([](const AuditEntryRecord& e) {
              return e.principal == "alice" && e.key == "tax/payroll" && e.decision == "allow";
            }));
  EXPECT_THAT(QueryIndices({.principal = "nobody"}), IsEmpty());
  // Values are bound, never spliced into the SQL.
  EXPECT_THAT(QueryIndices({.principal = "alice' OR '1' = '1"}), IsEmpty());
  // No filter: everything, in index order.
  EXPECT_EQ(QueryIndices({}), Expected([](const AuditEntryRecord&) { return true; }));
}

TEST_F(SqliteAuditQueryTest, TimeRangesIncludeFromAndExcludeTo) {
  const absl::Time t5 = Stored(Entry(5).time);
  const absl::Time t9 = Stored(Entry(9).time);
  EXPECT_THAT(QueryIndices({.from = t5, .to = t9}), ElementsAre(5, 6, 7, 8));
  EXPECT_THAT(QueryIndices({.to = t5}), ElementsAre(0, 1, 2, 3, 4));
  EXPECT_EQ(QueryIndices({.from = t9}),
            Expected([](const AuditEntryRecord& e) { return e.index >= 9; }));
  // The bounds compare with the stored (microsecond) times, to the nanosecond.
  EXPECT_THAT(QueryIndices({.from = t5 + absl::Nanoseconds(1), .to = t9 + absl::Nanoseconds(1)}),
              ElementsAre(6, 7, 8, 9));
  EXPECT_THAT(QueryIndices({.from = t5 - absl::Nanoseconds(1), .to = t5}), IsEmpty());
  EXPECT_THAT(QueryIndices({.from = t5, .to = t5 + absl::Nanoseconds(1)}), ElementsAre(5));
  EXPECT_THAT(QueryIndices({.from = t9, .to = t5}), IsEmpty());
  // With another field.
  EXPECT_THAT(QueryIndices({.principal = "alice", .from = t5, .to = t9}), ElementsAre(6));
}

TEST_F(SqliteAuditQueryTest, AfterIndexAndLimitPage) {
  const std::vector<int64_t> all =
      Expected([](const AuditEntryRecord& e) { return e.principal == "carol"; });
  std::vector<int64_t> paged;
  AuditFilter page{.principal = "carol", .limit = 3};
  for (int pages = 0; pages < 10; ++pages) {
    YJ_ASSERT_OK_AND_ASSIGN(std::vector<AuditEntryRecord> found, store_->QueryAudit(page));
    EXPECT_LE(found.size(), 3u);
    if (found.empty()) break;
    for (const AuditEntryRecord& e : found) paged.push_back(e.index);
    page.after_index = found.back().index;
  }
  EXPECT_EQ(paged, all);
  EXPECT_THAT(QueryIndices({.after_index = 26}), ElementsAre(27, 28, 29));
  EXPECT_THAT(QueryIndices({.after_index = 29}), IsEmpty());
  EXPECT_THAT(QueryIndices({.limit = 2}), ElementsAre(0, 1));
  EXPECT_THAT(QueryIndices({.limit = 0}), IsEmpty());
}

// One writer of the concurrency test: read the size, append a batch there, and on
// FAILED_PRECONDITION (the other writer got there first) read the size again and retry.
absl::Status AppendAsWriter(Store& store, int writer, int batches, int& retries) {
  for (int batch = 0; batch < batches; ++batch) {
    const int64_t count = 1 + (writer + batch) % 3;
    for (;;) {
      absl::StatusOr<int64_t> size = store.AuditLogSize();
      if (!size.ok()) return size.status();
      std::vector<AuditEntryRecord> entries = Entries(*size, count);
      for (int64_t i = 0; i < count; ++i) {
        entries[i].entry = absl::StrCat("writer ", writer, " batch ", batch, " item ", i);
      }
      const absl::Status appended =
          store.AppendAudit(entries, NewNodes(*size, *size + count), Checkpoint(*size + count));
      if (appended.ok()) break;
      if (!absl::IsFailedPrecondition(appended) || ++retries > 100000) return appended;
    }
  }
  return absl::OkStatus();
}

TEST_F(SqliteAuditTest, TwoStoresAppendingToOneFileLeaveNoGapsAndLoseNothing) {
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteStore> second, SqliteStore::Open(path_));
  // Two writer threads per store, like request threads of two replicas, released at once.
  constexpr int kWriters = 4;
  constexpr int kBatches = 40;
  absl::Status results[kWriters];
  int retries[kWriters] = {};
  absl::Notification start;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    Store& store = w % 2 == 0 ? static_cast<Store&>(*store_) : *second;
    writers.emplace_back([&, w] {
      start.WaitForNotification();
      results[w] = AppendAsWriter(store, w, kBatches, retries[w]);
    });
  }
  start.Notify();
  for (std::thread& writer : writers) writer.join();
  for (const absl::Status& result : results) YJ_ASSERT_OK(result);
  RecordProperty("retries", absl::StrJoin(retries, ","));

  std::vector<std::string> want;
  for (int w = 0; w < kWriters; ++w) {
    for (int batch = 0; batch < kBatches; ++batch) {
      for (int64_t i = 0; i < 1 + (w + batch) % 3; ++i) {
        want.push_back(absl::StrCat("writer ", w, " batch ", batch, " item ", i));
      }
    }
  }
  YJ_ASSERT_OK_AND_ASSIGN(int64_t size, second->AuditLogSize());
  ASSERT_EQ(size, static_cast<int64_t>(want.size()));
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<AuditEntryRecord> entries, store_->ListAuditEntries(0, size));
  std::vector<std::string> got;
  for (int64_t i = 0; i < size; ++i) {
    EXPECT_EQ(entries[i].index, i);
    got.push_back(entries[i].entry);
  }
  std::sort(want.begin(), want.end());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, want);  // each exactly once

  // One checkpoint per successful append, the last at the final size.
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<AuditCheckpointRecord> checkpoints,
                          store_->ListAuditCheckpoints());
  EXPECT_EQ(checkpoints.size(), static_cast<size_t>(kWriters * kBatches));
  EXPECT_EQ(checkpoints.back().size, size);
  testing::RawSqlite raw(path_);
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM audit_nodes WHERE level = 1"), size / 2);
}

TEST_F(SqliteAuditTest, AStep2DatabaseUpgradesToAnEmptyLog) {
  const std::string old_path = dir_->File("step2.db");
  {
    YJ_ASSERT_OK_AND_ASSIGN(
        std::unique_ptr<SqliteStore> old,
        SqliteStore::OpenWithMigrations(old_path, {}, SqliteMigrations().subspan(0, 2)));
    ASSERT_EQ(old->SchemaVersion(), 2);
    YJ_ASSERT_OK(old->CreateDepartment({.name = "tax", .created = SomeTime(0)}));
    YJ_ASSERT_OK(old->CreatePrincipal({.name = "alice",
                                       .department = "tax",
                                       .roles = {"auditor"},
                                       .state = kPrincipalEnabled,
                                       .created = SomeTime(1)}));
  }
  {
    testing::RawSqlite raw(old_path);
    EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM sqlite_master WHERE name LIKE 'audit%'"), 0);
  }
  YJ_ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteStore> upgraded, SqliteStore::Open(old_path));
  EXPECT_EQ(upgraded->SchemaVersion(), int32_t(SqliteMigrations().size()));
  YJ_ASSERT_OK_AND_ASSIGN(PrincipalRecord alice, upgraded->GetPrincipal("alice"));
  EXPECT_EQ(alice.roles, std::vector<std::string>{"auditor"});
  YJ_ASSERT_OK_AND_ASSIGN(int64_t size, upgraded->AuditLogSize());
  EXPECT_EQ(size, 0);
  YJ_ASSERT_OK(upgraded->AppendAudit(Entries(0, 2), NewNodes(0, 2), Checkpoint(2)));
  YJ_ASSERT_OK_AND_ASSIGN(AuditEntryRecord first, upgraded->GetAuditEntry(0));
  EXPECT_EQ(first, StoredEntry(0));

  testing::RawSqlite raw(old_path);
  EXPECT_EQ(raw.QueryText("SELECT name FROM schema_migrations WHERE version = 3"), "audit_log");
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                         "AND tbl_name LIKE 'audit%'"),
            9);
}

}  // namespace
}  // namespace yinjian::store
