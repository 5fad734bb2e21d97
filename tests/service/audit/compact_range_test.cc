#include "service/audit/compact_range.h"

#include <gtest/gtest.h>

#include <bit>
#include <random>
#include <vector>

#include "service/audit/merkle.h"
#include "tests/service/audit/audit_test_util.h"
#include "tests/support/status_test_macros.h"

namespace yinjian::audit {
namespace {

std::vector<Hash> RandomLeaves(size_t count) {
  std::mt19937_64 rng(32);
  std::vector<Hash> leaves(count);
  for (Hash& leaf : leaves) {
    for (uint8_t& byte : leaf) byte = static_cast<uint8_t>(rng());
  }
  return leaves;
}

TEST(CompactRangeTest, EmptyRangeHasTheEmptyRoot) {
  CompactRange range;
  EXPECT_EQ(range.size(), 0u);
  EXPECT_TRUE(range.frontier().empty());
  YJ_ASSERT_OK_AND_ASSIGN(Hash root, range.Root());
  YJ_ASSERT_OK_AND_ASSIGN(Hash empty, EmptyRoot());
  EXPECT_EQ(root, empty);
}

TEST(CompactRangeTest, ReferenceTreeRoots) {
  const std::vector<Hash> roots = fixtures::ReferenceRootHashes();
  CompactRange range;
  for (const hsm::Bytes& input : fixtures::ReferenceLeafInputs()) {
    YJ_ASSERT_OK_AND_ASSIGN(Hash leaf, LeafHash(input));
    YJ_ASSERT_OK(range.Append(leaf));
    YJ_ASSERT_OK_AND_ASSIGN(Hash root, range.Root());
    EXPECT_EQ(root, roots[range.size()]) << "size " << range.size();
  }
}

// The incremental root equals RootOf for every size 0..300, and the frontier is exactly the
// perfect subtrees FrontierRanges names.
TEST(CompactRangeTest, IncrementalRootMatchesRootOfEverySize) {
  const std::vector<Hash> leaves = RandomLeaves(300);
  CompactRange range;
  for (size_t size = 0; size <= leaves.size(); ++size) {
    ASSERT_EQ(range.size(), size);
    YJ_ASSERT_OK_AND_ASSIGN(Hash incremental, range.Root());
    YJ_ASSERT_OK_AND_ASSIGN(Hash full, RootOf(absl::MakeConstSpan(leaves).subspan(0, size)));
    ASSERT_EQ(incremental, full) << "size " << size;
    const std::vector<SubtreeRange> ranges = CompactRange::FrontierRanges(size);
    ASSERT_EQ(range.frontier().size(), ranges.size());
    ASSERT_EQ(ranges.size(), static_cast<size_t>(std::popcount(size)));
    for (size_t i = 0; i < ranges.size(); ++i) {
      YJ_ASSERT_OK_AND_ASSIGN(Hash subtree, RootOf(absl::MakeConstSpan(leaves).subspan(
                                                ranges[i].begin, ranges[i].end - ranges[i].begin)));
      ASSERT_EQ(range.frontier()[i], subtree) << "size " << size << " piece " << i;
    }
    if (size < leaves.size()) YJ_ASSERT_OK(range.Append(leaves[size]));
  }
}

TEST(CompactRangeTest, FrontierRanges) {
  EXPECT_TRUE(CompactRange::FrontierRanges(0).empty());
  EXPECT_EQ(CompactRange::FrontierRanges(1), (std::vector<SubtreeRange>{{0, 1}}));
  EXPECT_EQ(CompactRange::FrontierRanges(6), (std::vector<SubtreeRange>{{0, 4}, {4, 6}}));
  EXPECT_EQ(CompactRange::FrontierRanges(7), (std::vector<SubtreeRange>{{0, 4}, {4, 6}, {6, 7}}));
  EXPECT_EQ(CompactRange::FrontierRanges(8), (std::vector<SubtreeRange>{{0, 8}}));
  EXPECT_EQ(CompactRange::FrontierRanges(uint64_t{1} << 63).size(), 1u);
  EXPECT_EQ(CompactRange::FrontierRanges(~uint64_t{0}).size(), 64u);
}

// A range restored from a stored frontier (or loaded through a subtree callback) continues
// exactly where the original left off.
TEST(CompactRangeTest, ResumesFromAStoredFrontier) {
  const std::vector<Hash> leaves = RandomLeaves(100);
  CompactRange original;
  for (size_t i = 0; i < 37; ++i) YJ_ASSERT_OK(original.Append(leaves[i]));

  YJ_ASSERT_OK_AND_ASSIGN(CompactRange restored,
                          CompactRange::Create(original.size(), original.frontier()));
  int calls = 0;
  YJ_ASSERT_OK_AND_ASSIGN(
      CompactRange loaded,
      CompactRange::Load(37, [&](uint64_t begin, uint64_t end) -> absl::StatusOr<Hash> {
        ++calls;
        return RootOf(absl::MakeConstSpan(leaves).subspan(begin, end - begin));
      }));
  EXPECT_EQ(calls, 3);  // 37 = 32 + 4 + 1
  for (size_t i = 37; i < leaves.size(); ++i) {
    YJ_ASSERT_OK(restored.Append(leaves[i]));
    YJ_ASSERT_OK(loaded.Append(leaves[i]));
  }
  YJ_ASSERT_OK_AND_ASSIGN(Hash full, RootOf(leaves));
  YJ_ASSERT_OK_AND_ASSIGN(Hash restored_root, restored.Root());
  YJ_ASSERT_OK_AND_ASSIGN(Hash loaded_root, loaded.Root());
  EXPECT_EQ(restored_root, full);
  EXPECT_EQ(loaded_root, full);
}

TEST(CompactRangeTest, CreateRejectsAFrontierOfTheWrongLength) {
  const std::vector<Hash> leaves = RandomLeaves(3);
  EXPECT_EQ(CompactRange::Create(6, leaves).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CompactRange::Create(0, {leaves[0]}).status().code(),
            absl::StatusCode::kInvalidArgument);
  YJ_EXPECT_OK(CompactRange::Create(7, leaves));
}

TEST(CompactRangeTest, LoadPassesStoreErrorsThrough) {
  const absl::StatusOr<CompactRange> range =
      CompactRange::Load(5, [](uint64_t, uint64_t) -> absl::StatusOr<Hash> {
        return absl::DataLossError("node missing");
      });
  EXPECT_EQ(range.status().code(), absl::StatusCode::kDataLoss);
}

TEST(CompactRangeTest, AFullLogRefusesMoreLeaves) {
  const std::vector<Hash> frontier = RandomLeaves(64);
  YJ_ASSERT_OK_AND_ASSIGN(CompactRange range, CompactRange::Create(~uint64_t{0}, frontier));
  EXPECT_EQ(range.Append(frontier[0]).code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(range.size(), ~uint64_t{0});
  EXPECT_EQ(range.frontier(), frontier);
}

}  // namespace
}  // namespace yinjian::audit
