#include "service/audit/merkle.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "service/audit/rejection.h"
#include "tests/service/audit/audit_test_util.h"
#include "tests/support/status_test_macros.h"

namespace yinjian::audit {
namespace {

using fixtures::HashFromHex;
using fixtures::ReferenceLeafInputs;
using fixtures::ReferenceNodeHashes;
using fixtures::ReferenceRootHashes;

std::vector<Hash> LeafHashesOf(const std::vector<hsm::Bytes>& inputs) {
  std::vector<Hash> hashes;
  for (const hsm::Bytes& input : inputs) {
    absl::StatusOr<Hash> hash = LeafHash(input);
    EXPECT_TRUE(hash.ok()) << hash.status();
    hashes.push_back(hash.value_or(Hash{}));
  }
  return hashes;
}

std::vector<Hash> ReferenceLeafHashes() { return LeafHashesOf(ReferenceLeafInputs()); }

// A SubtreeHashFn over `leaves` that insists on being asked only for perfect subtrees of a tree of
// `size` leaves, and counts its calls.
SubtreeHashFn CheckedSubtrees(const std::vector<Hash>& leaves, uint64_t size, int* calls) {
  return [&leaves, size, calls](uint64_t begin, uint64_t end) -> absl::StatusOr<Hash> {
    ++*calls;
    const uint64_t width = end - begin;
    if (end <= begin || end > size || !std::has_single_bit(width) || begin % width != 0) {
      return absl::InternalError(absl::StrCat("not a perfect subtree: [", begin, ",", end, ")"));
    }
    return RootOf(absl::MakeConstSpan(leaves).subspan(begin, width));
  };
}

// ---------------------------------------------------------------------------------------------
// Known answers: the RFC 6962 reference tree.

TEST(MerkleKnownAnswerTest, HashesHaveTheRfc6962Prefixes) {
  YJ_ASSERT_OK_AND_ASSIGN(Hash empty, EmptyRoot());
  EXPECT_EQ(empty, HashFromHex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
  // SHA-256(00) and SHA-256(00 00): the leaf prefix is one zero byte.
  YJ_ASSERT_OK_AND_ASSIGN(Hash leaf0, LeafHash({}));
  EXPECT_EQ(leaf0, HashFromHex("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"));
  const uint8_t zero = 0;
  YJ_ASSERT_OK_AND_ASSIGN(Hash leaf1, LeafHash(absl::MakeConstSpan(&zero, 1)));
  EXPECT_EQ(leaf1, HashFromHex("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"));
  // SHA-256(01 || leaf0 || leaf1).
  YJ_ASSERT_OK_AND_ASSIGN(Hash node, NodeHash(leaf0, leaf1));
  EXPECT_EQ(node, HashFromHex("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"));
}

TEST(MerkleKnownAnswerTest, RootsOfSizesZeroToEight) {
  const std::vector<Hash> leaves = ReferenceLeafHashes();
  const std::vector<Hash> roots = ReferenceRootHashes();
  for (size_t size = 0; size <= leaves.size(); ++size) {
    YJ_ASSERT_OK_AND_ASSIGN(Hash root, RootOf(absl::MakeConstSpan(leaves).subspan(0, size)));
    EXPECT_EQ(root, roots[size]) << "size " << size;
  }
}

TEST(MerkleKnownAnswerTest, EveryPerfectSubtree) {
  const std::vector<Hash> leaves = ReferenceLeafHashes();
  const std::vector<std::vector<Hash>> nodes = ReferenceNodeHashes();
  for (size_t level = 0; level < nodes.size(); ++level) {
    for (size_t i = 0; i < nodes[level].size(); ++i) {
      const size_t width = size_t{1} << level;
      YJ_ASSERT_OK_AND_ASSIGN(Hash hash,
                              RootOf(absl::MakeConstSpan(leaves).subspan(i * width, width)));
      EXPECT_EQ(hash, nodes[level][i]) << "level " << level << " index " << i;
    }
  }
}

// The reference hash of leaves [begin, end) as the proofs below use them: a perfect subtree, a
// prefix (a published root), or MTH(d4, d5, d6), the one other range a proof in this tree needs.
Hash ReferenceRangeHash(uint64_t begin, uint64_t end) {
  const uint64_t width = end - begin;
  if (std::has_single_bit(width) && begin % width == 0) {
    return ReferenceNodeHashes()[std::countr_zero(width)][begin / width];
  }
  if (begin == 0) return ReferenceRootHashes()[end];
  EXPECT_EQ(begin, 4u);
  EXPECT_EQ(end, 7u);
  absl::StatusOr<Hash> hash = NodeHash(ReferenceNodeHashes()[1][2], ReferenceNodeHashes()[0][6]);
  EXPECT_TRUE(hash.ok());
  return hash.value_or(Hash{});
}

// "0-1 2-4" -> the reference hashes of [0,1) and [2,4).
std::vector<Hash> ReferenceProof(const std::string& ranges) {
  std::vector<Hash> proof;
  for (absl::string_view range : absl::StrSplit(ranges, ' ', absl::SkipEmpty())) {
    const std::vector<absl::string_view> ends = absl::StrSplit(range, '-');
    uint64_t begin = 0;
    uint64_t end = 0;
    EXPECT_TRUE(ends.size() == 2 && absl::SimpleAtoi(ends[0], &begin) &&
                absl::SimpleAtoi(ends[1], &end))
        << range;
    proof.push_back(ReferenceRangeHash(begin, end));
  }
  return proof;
}

TEST(MerkleKnownAnswerTest, TheOneImperfectRangeIsConsistentWithTheReferenceRoot) {
  YJ_ASSERT_OK_AND_ASSIGN(Hash root7,
                          NodeHash(ReferenceNodeHashes()[2][0], ReferenceRangeHash(4, 7)));
  EXPECT_EQ(root7, ReferenceRootHashes()[7]);
}

// Every inclusion proof in trees of 1 to 8 leaves: RFC 6962 PATH(m, D[n]) expanded into the
// subtrees it lists, leaf side first. Cross-checked against the node lists in
// transparency-dev/merkle proof/proof_test.go and the hash vectors in proof/verify_test.go.
struct InclusionCase {
  uint64_t index;
  uint64_t size;
  const char* ranges;
};
constexpr InclusionCase kInclusionCases[] = {
    {0, 1, ""},
    {0, 2, "1-2"},
    {1, 2, "0-1"},
    {0, 3, "1-2 2-3"},
    {1, 3, "0-1 2-3"},
    {2, 3, "0-2"},
    {0, 4, "1-2 2-4"},
    {1, 4, "0-1 2-4"},
    {2, 4, "3-4 0-2"},
    {3, 4, "2-3 0-2"},
    {0, 5, "1-2 2-4 4-5"},
    {1, 5, "0-1 2-4 4-5"},
    {2, 5, "3-4 0-2 4-5"},
    {3, 5, "2-3 0-2 4-5"},
    {4, 5, "0-4"},
    {0, 6, "1-2 2-4 4-6"},
    {1, 6, "0-1 2-4 4-6"},
    {2, 6, "3-4 0-2 4-6"},
    {3, 6, "2-3 0-2 4-6"},
    {4, 6, "5-6 0-4"},
    {5, 6, "4-5 0-4"},
    {0, 7, "1-2 2-4 4-7"},
    {1, 7, "0-1 2-4 4-7"},
    {2, 7, "3-4 0-2 4-7"},
    {3, 7, "2-3 0-2 4-7"},
    {4, 7, "5-6 6-7 0-4"},
    {5, 7, "4-5 6-7 0-4"},
    {6, 7, "4-6 0-4"},
    {0, 8, "1-2 2-4 4-8"},
    {1, 8, "0-1 2-4 4-8"},
    {2, 8, "3-4 0-2 4-8"},
    {3, 8, "2-3 0-2 4-8"},
    {4, 8, "5-6 6-8 0-4"},
    {5, 8, "4-5 6-8 0-4"},
    {6, 8, "7-8 4-6 0-4"},
    {7, 8, "6-7 4-6 0-4"},
};

// Every consistency proof between trees of 1 to 8 leaves: RFC 6962 PROOF(m, D[n]).
struct ConsistencyCase {
  uint64_t old_size;
  uint64_t new_size;
  const char* ranges;
};
constexpr ConsistencyCase kConsistencyCases[] = {
    {1, 1, ""},
    {1, 2, "1-2"},
    {2, 2, ""},
    {1, 3, "1-2 2-3"},
    {2, 3, "2-3"},
    {3, 3, ""},
    {1, 4, "1-2 2-4"},
    {2, 4, "2-4"},
    {3, 4, "2-3 3-4 0-2"},
    {4, 4, ""},
    {1, 5, "1-2 2-4 4-5"},
    {2, 5, "2-4 4-5"},
    {3, 5, "2-3 3-4 0-2 4-5"},
    {4, 5, "4-5"},
    {5, 5, ""},
    {1, 6, "1-2 2-4 4-6"},
    {2, 6, "2-4 4-6"},
    {3, 6, "2-3 3-4 0-2 4-6"},
    {4, 6, "4-6"},
    {5, 6, "4-5 5-6 0-4"},
    {6, 6, ""},
    {1, 7, "1-2 2-4 4-7"},
    {2, 7, "2-4 4-7"},
    {3, 7, "2-3 3-4 0-2 4-7"},
    {4, 7, "4-7"},
    {5, 7, "4-5 5-6 6-7 0-4"},
    {6, 7, "4-6 6-7 0-4"},
    {7, 7, ""},
    {1, 8, "1-2 2-4 4-8"},
    {2, 8, "2-4 4-8"},
    {3, 8, "2-3 3-4 0-2 4-8"},
    {4, 8, "4-8"},
    {5, 8, "4-5 5-6 6-8 0-4"},
    {6, 8, "4-6 6-8 0-4"},
    {7, 8, "6-7 7-8 4-6 0-4"},
    {8, 8, ""},
};

TEST(MerkleKnownAnswerTest, EveryInclusionProofUpToEightLeaves) {
  const std::vector<Hash> leaves = ReferenceLeafHashes();
  const std::vector<Hash> roots = ReferenceRootHashes();
  for (const InclusionCase& c : kInclusionCases) {
    SCOPED_TRACE(absl::StrCat("leaf ", c.index, " of ", c.size));
    const std::vector<Hash> expected = ReferenceProof(c.ranges);
    YJ_ASSERT_OK_AND_ASSIGN(std::vector<Hash> from_leaves, InclusionProof(leaves, c.index, c.size));
    EXPECT_EQ(from_leaves, expected);
    int calls = 0;
    YJ_ASSERT_OK_AND_ASSIGN(
        std::vector<Hash> from_subtrees,
        InclusionProofFromSubtrees(c.index, c.size, CheckedSubtrees(leaves, c.size, &calls)));
    EXPECT_EQ(from_subtrees, expected);
    YJ_EXPECT_OK(VerifyInclusion(leaves[c.index], c.index, c.size, expected, roots[c.size]));
  }
}

TEST(MerkleKnownAnswerTest, EveryConsistencyProofUpToEightLeaves) {
  const std::vector<Hash> leaves = ReferenceLeafHashes();
  const std::vector<Hash> roots = ReferenceRootHashes();
  for (const ConsistencyCase& c : kConsistencyCases) {
    SCOPED_TRACE(absl::StrCat(c.old_size, " -> ", c.new_size));
    const std::vector<Hash> expected = ReferenceProof(c.ranges);
    YJ_ASSERT_OK_AND_ASSIGN(std::vector<Hash> from_leaves,
                            ConsistencyProof(leaves, c.old_size, c.new_size));
    EXPECT_EQ(from_leaves, expected);
    int calls = 0;
    YJ_ASSERT_OK_AND_ASSIGN(
        std::vector<Hash> from_subtrees,
        ConsistencyProofFromSubtrees(c.old_size, c.new_size,
                                     CheckedSubtrees(leaves, c.new_size, &calls)));
    EXPECT_EQ(from_subtrees, expected);
    YJ_EXPECT_OK(
        VerifyConsistency(c.old_size, c.new_size, roots[c.old_size], roots[c.new_size], expected));
  }
}

// The literal hash vectors published with the reference tree (transparency-dev/merkle
// proof/verify_test.go; leaf numbers there are 1-based).
TEST(MerkleKnownAnswerTest, PublishedProofVectors) {
  const std::vector<Hash> leaves = ReferenceLeafHashes();
  const std::vector<Hash> roots = ReferenceRootHashes();
  struct Vector {
    uint64_t a;
    uint64_t b;
    std::vector<const char*> proof;
  };
  const std::vector<Vector> inclusion = {
      {0,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {5,
       8,
       {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
      {1,
       5,
       {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  const std::vector<Vector> consistency = {
      {1,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {6,
       8,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2,
       5,
       {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
      {6,
       7,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
  };
  auto hashes = [](const std::vector<const char*>& hex) {
    std::vector<Hash> out;
    for (const char* h : hex) out.push_back(HashFromHex(h));
    return out;
  };
  for (const Vector& v : inclusion) {
    YJ_ASSERT_OK_AND_ASSIGN(std::vector<Hash> proof, InclusionProof(leaves, v.a, v.b));
    EXPECT_EQ(proof, hashes(v.proof)) << v.a << " of " << v.b;
    YJ_EXPECT_OK(VerifyInclusion(leaves[v.a], v.a, v.b, hashes(v.proof), roots[v.b]));
  }
  for (const Vector& v : consistency) {
    YJ_ASSERT_OK_AND_ASSIGN(std::vector<Hash> proof, ConsistencyProof(leaves, v.a, v.b));
    EXPECT_EQ(proof, hashes(v.proof)) << v.a << " -> " << v.b;
    YJ_EXPECT_OK(VerifyConsistency(v.a, v.b, roots[v.a], roots[v.b], hashes(v.proof)));
  }
}

// ---------------------------------------------------------------------------------------------
// Tampering: every corruption of a valid proof is rejected.

void ExpectProofMismatch(const absl::Status& status, const std::string& what) {
  EXPECT_EQ(RejectionOf(status), Rejection::kProofMismatch) << what << ": " << status;
}

// Proof lengths for other tree sizes, from the subtree generator with a dummy store.
size_t InclusionProofLength(uint64_t index, uint64_t size) {
  const SubtreeHashFn zeros = [](uint64_t, uint64_t) -> absl::StatusOr<Hash> { return Hash{}; };
  absl::StatusOr<std::vector<Hash>> proof = InclusionProofFromSubtrees(index, size, zeros);
  return proof.ok() ? proof->size() : SIZE_MAX;
}
size_t ConsistencyProofLength(uint64_t old_size, uint64_t new_size) {
  const SubtreeHashFn zeros = [](uint64_t, uint64_t) -> absl::StatusOr<Hash> { return Hash{}; };
  absl::StatusOr<std::vector<Hash>> proof = ConsistencyProofFromSubtrees(old_size, new_size, zeros);
  return proof.ok() ? proof->size() : SIZE_MAX;
}

Hash FlipBit(Hash hash, size_t bit) {
  hash[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  return hash;
}

// Checks that VerifyInclusion rejects every single-bit flip of every proof hash, of the leaf and
// of the root, a changed index or size, and a shortened, lengthened or reordered proof.
void ExpectInclusionTamperingDetected(const Hash& leaf, uint64_t index, uint64_t size,
                                      const std::vector<Hash>& proof, const Hash& root) {
  YJ_ASSERT_OK(VerifyInclusion(leaf, index, size, proof, root));
  for (size_t i = 0; i < proof.size(); ++i) {
    for (size_t bit = 0; bit < kHashSize * 8; ++bit) {
      std::vector<Hash> bad = proof;
      bad[i] = FlipBit(bad[i], bit);
      ExpectProofMismatch(VerifyInclusion(leaf, index, size, bad, root),
                          absl::StrCat("proof[", i, "] bit ", bit));
    }
  }
  for (size_t bit = 0; bit < kHashSize * 8; bit += 7) {
    ExpectProofMismatch(VerifyInclusion(FlipBit(leaf, bit), index, size, proof, root), "leaf bit");
    ExpectProofMismatch(VerifyInclusion(leaf, index, size, proof, FlipBit(root, bit)), "root bit");
  }
  for (uint64_t other : {index - 1, index + 1, index ^ 2, index ^ 1}) {
    if (other == index) continue;
    const absl::Status status = VerifyInclusion(leaf, other, size, proof, root);
    EXPECT_FALSE(status.ok()) << "index " << other;
    if (other < size) ExpectProofMismatch(status, absl::StrCat("index ", other));
  }
  // A proof does not encode the tree size (that is the signed checkpoint's job): another size is
  // caught when it changes the shape of the proof, which is always the case for these.
  for (uint64_t other : {size - 1, size + 1, size * 2, size / 2}) {
    if (other == size) continue;
    const absl::Status status = VerifyInclusion(leaf, index, other, proof, root);
    if (index >= other) {
      EXPECT_EQ(RejectionOf(status), Rejection::kIndexOutOfRange) << "size " << other;
    } else if (InclusionProofLength(index, other) != proof.size()) {
      ExpectProofMismatch(status, absl::StrCat("size ", other));
    }
  }
  if (!proof.empty()) {
    ExpectProofMismatch(VerifyInclusion(leaf, index, size,
                                        absl::MakeConstSpan(proof).first(proof.size() - 1), root),
                        "truncated");
    ExpectProofMismatch(
        VerifyInclusion(leaf, index, size, absl::MakeConstSpan(proof).subspan(1), root),
        "first hash removed");
  }
  std::vector<Hash> longer = proof;
  longer.push_back(root);
  ExpectProofMismatch(VerifyInclusion(leaf, index, size, longer, root), "trailing root");
  longer = proof;
  longer.insert(longer.begin(), leaf);
  ExpectProofMismatch(VerifyInclusion(leaf, index, size, longer, root), "preceding leaf");
  if (proof.size() >= 2 && proof[0] != proof[1]) {
    std::vector<Hash> swapped = proof;
    std::swap(swapped[0], swapped[1]);
    ExpectProofMismatch(VerifyInclusion(leaf, index, size, swapped, root), "reordered proof");
  }
}

// As above for VerifyConsistency, including a forked new root and swapped roots.
void ExpectConsistencyTamperingDetected(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                                        const Hash& new_root, const std::vector<Hash>& proof) {
  YJ_ASSERT_OK(VerifyConsistency(old_size, new_size, old_root, new_root, proof));
  for (size_t i = 0; i < proof.size(); ++i) {
    for (size_t bit = 0; bit < kHashSize * 8; ++bit) {
      std::vector<Hash> bad = proof;
      bad[i] = FlipBit(bad[i], bit);
      ExpectProofMismatch(VerifyConsistency(old_size, new_size, old_root, new_root, bad),
                          absl::StrCat("proof[", i, "] bit ", bit));
    }
  }
  for (size_t bit = 0; bit < kHashSize * 8; bit += 7) {
    ExpectProofMismatch(
        VerifyConsistency(old_size, new_size, FlipBit(old_root, bit), new_root, proof),
        "old root bit");
    ExpectProofMismatch(
        VerifyConsistency(old_size, new_size, old_root, FlipBit(new_root, bit), proof),
        "new root (fork) bit");
  }
  ExpectProofMismatch(VerifyConsistency(old_size, new_size, new_root, old_root, proof),
                      "swapped roots");
  for (uint64_t other : {old_size - 1, old_size + 1, old_size ^ 2}) {
    if (other == old_size || other > new_size) continue;
    if (other == 0 || other == new_size ||
        ConsistencyProofLength(other, new_size) != proof.size()) {
      ExpectProofMismatch(VerifyConsistency(other, new_size, old_root, new_root, proof),
                          absl::StrCat("old size ", other));
    }
  }
  for (uint64_t other : {new_size - 1, new_size + 1, new_size * 2, new_size / 2}) {
    if (other == new_size) continue;
    if (other <= old_size || ConsistencyProofLength(old_size, other) != proof.size()) {
      ExpectProofMismatch(VerifyConsistency(old_size, other, old_root, new_root, proof),
                          absl::StrCat("new size ", other));
    }
  }
  ExpectProofMismatch(VerifyConsistency(old_size, new_size, old_root, new_root, {}), "empty");
  ExpectProofMismatch(VerifyConsistency(old_size, new_size, old_root, new_root,
                                        absl::MakeConstSpan(proof).first(proof.size() - 1)),
                      "truncated");
  std::vector<Hash> longer = proof;
  longer.push_back(new_root);
  ExpectProofMismatch(VerifyConsistency(old_size, new_size, old_root, new_root, longer),
                      "trailing root");
  longer = proof;
  longer.insert(longer.begin(), proof[0]);
  ExpectProofMismatch(VerifyConsistency(old_size, new_size, old_root, new_root, longer),
                      "repeated first hash");
}

TEST(MerkleTamperTest, ReferenceProofsRejectEveryCorruption) {
  const std::vector<Hash> leaves = ReferenceLeafHashes();
  const std::vector<Hash> roots = ReferenceRootHashes();
  for (const InclusionCase& c : kInclusionCases) {
    SCOPED_TRACE(absl::StrCat("leaf ", c.index, " of ", c.size));
    ExpectInclusionTamperingDetected(leaves[c.index], c.index, c.size, ReferenceProof(c.ranges),
                                     roots[c.size]);
  }
  for (const ConsistencyCase& c : kConsistencyCases) {
    if (c.old_size == c.new_size) continue;  // empty proofs: covered by EdgeCases
    SCOPED_TRACE(absl::StrCat(c.old_size, " -> ", c.new_size));
    ExpectConsistencyTamperingDetected(c.old_size, c.new_size, roots[c.old_size], roots[c.new_size],
                                       ReferenceProof(c.ranges));
  }
}

TEST(MerkleTamperTest, FlippedBitInAnEntryIsDetected) {
  const std::vector<hsm::Bytes> inputs = ReferenceLeafInputs();
  const std::vector<Hash> leaves = ReferenceLeafHashes();
  const Hash root = ReferenceRootHashes()[8];
  for (uint64_t index = 1; index < inputs.size(); ++index) {  // leaf 0 is empty: no bit to flip
    YJ_ASSERT_OK_AND_ASSIGN(std::vector<Hash> proof, InclusionProof(leaves, index, 8));
    for (size_t bit = 0; bit < inputs[index].size() * 8; ++bit) {
      hsm::Bytes entry = inputs[index];
      entry[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
      YJ_ASSERT_OK_AND_ASSIGN(Hash tampered, LeafHash(entry));
      ExpectProofMismatch(VerifyInclusion(tampered, index, 8, proof, root), "entry bit");
    }
  }
}

TEST(MerkleTamperTest, ReorderedEntriesAreDetected) {
  const std::vector<Hash> leaves = ReferenceLeafHashes();
  const Hash root = ReferenceRootHashes()[8];
  for (uint64_t i = 0; i < 8; ++i) {
    for (uint64_t j = i + 1; j < 8; ++j) {
      std::vector<Hash> reordered = leaves;
      std::swap(reordered[i], reordered[j]);
      YJ_ASSERT_OK_AND_ASSIGN(Hash reordered_root, RootOf(reordered));
      EXPECT_NE(reordered_root, root) << i << " <-> " << j;
      // Each entry's proof in the reordered log does not hold in the original.
      YJ_ASSERT_OK_AND_ASSIGN(std::vector<Hash> proof, InclusionProof(reordered, j, 8));
      ExpectProofMismatch(VerifyInclusion(reordered[j], j, 8, proof, root), "moved entry");
      // And the reordered log is not an extension of the original's prefix.
      YJ_ASSERT_OK_AND_ASSIGN(std::vector<Hash> consistency, ConsistencyProof(reordered, j, 8));
      YJ_ASSERT_OK_AND_ASSIGN(Hash old_root, RootOf(absl::MakeConstSpan(leaves).subspan(0, j)));
      ExpectProofMismatch(VerifyConsistency(j, 8, old_root, reordered_root, consistency),
                          "reordered log");
    }
  }
}

TEST(MerkleTamperTest, TruncatedAndForkedLogsAreDetected) {
  const std::vector<Hash> leaves = ReferenceLeafHashes();
  const std::vector<Hash> roots = ReferenceRootHashes();
  // Truncated: a later tree head with fewer leaves than one already seen.
  for (uint64_t old_size = 1; old_size <= 8; ++old_size) {
    for (uint64_t new_size = 0; new_size < old_size; ++new_size) {
      ExpectProofMismatch(
          VerifyConsistency(old_size, new_size, roots[old_size], roots[new_size], {}), "truncated");
    }
  }
  // Forked: the same size with another root, or a new tree that rewrote an old entry.
  std::vector<Hash> forked = leaves;
  forked[2] = leaves[7];
  for (uint64_t size = 3; size <= 8; ++size) {
    YJ_ASSERT_OK_AND_ASSIGN(Hash forked_root, RootOf(absl::MakeConstSpan(forked).subspan(0, size)));
    ExpectProofMismatch(VerifyConsistency(size, size, roots[size], forked_root, {}), "fork");
    for (uint64_t old_size = 3; old_size < size; ++old_size) {
      YJ_ASSERT_OK_AND_ASSIGN(std::vector<Hash> proof, ConsistencyProof(forked, old_size, size));
      ExpectProofMismatch(VerifyConsistency(old_size, size, roots[old_size], forked_root, proof),
                          "rewritten history");
    }
  }
}

// RFC 9162's verifiers take the tree size as an input they cannot check beyond the proof's shape:
// leaf 0's proof in a tree of 5 has the same shape as in a tree of 6. Receipts are safe because
// the size comes from the signed checkpoint (see proof_text_test).
TEST(MerkleEdgeCaseTest, TreeSizeIsBoundOnlyThroughTheProofShape) {
  const std::vector<Hash> leaves = ReferenceLeafHashes();
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<Hash> proof, InclusionProof(leaves, 0, 5));
  YJ_EXPECT_OK(VerifyInclusion(leaves[0], 0, 6, proof, ReferenceRootHashes()[5]));
}

TEST(MerkleEdgeCaseTest, TrivialConsistency) {
  YJ_ASSERT_OK_AND_ASSIGN(Hash empty, EmptyRoot());
  const Hash root = ReferenceRootHashes()[5];
  YJ_EXPECT_OK(VerifyConsistency(0, 0, empty, empty, {}));
  YJ_EXPECT_OK(VerifyConsistency(0, 5, empty, root, {}));
  YJ_EXPECT_OK(VerifyConsistency(5, 5, root, root, {}));
  ExpectProofMismatch(VerifyConsistency(0, 5, root, root, {}), "non-empty old root");
  ExpectProofMismatch(VerifyConsistency(0, 5, empty, root, {empty}), "proof from empty");
  ExpectProofMismatch(VerifyConsistency(5, 5, root, root, {root}), "proof between equals");
  ExpectProofMismatch(VerifyConsistency(5, 5, root, empty, {}), "fork");
}

TEST(MerkleEdgeCaseTest, InclusionIndexOutOfRange) {
  const Hash root = ReferenceRootHashes()[1];
  const Hash leaf = ReferenceNodeHashes()[0][0];
  YJ_EXPECT_OK(VerifyInclusion(leaf, 0, 1, {}, root));
  for (auto [index, size] : std::vector<std::pair<uint64_t, uint64_t>>{{0, 0}, {1, 1}, {2, 1}}) {
    EXPECT_EQ(RejectionOf(VerifyInclusion(leaf, index, size, {}, root)),
              Rejection::kIndexOutOfRange);
  }
}

TEST(MerkleEdgeCaseTest, ProofGenerationRejectsBadArguments) {
  const std::vector<Hash> leaves = ReferenceLeafHashes();
  int calls = 0;
  const SubtreeHashFn subtrees = CheckedSubtrees(leaves, 8, &calls);
  EXPECT_EQ(InclusionProof(leaves, 8, 8).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(InclusionProof(leaves, 0, 9).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(InclusionProofFromSubtrees(3, 3, subtrees).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ConsistencyProof(leaves, 5, 4).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ConsistencyProof(leaves, 1, 9).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ConsistencyProofFromSubtrees(5, 4, subtrees).status().code(),
            absl::StatusCode::kInvalidArgument);
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<Hash> empty, ConsistencyProof(leaves, 0, 8));
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(calls, 0);
}

TEST(MerkleEdgeCaseTest, SubtreeErrorsPassThrough) {
  const SubtreeHashFn failing = [](uint64_t, uint64_t) -> absl::StatusOr<Hash> {
    return absl::UnavailableError("store is down");
  };
  EXPECT_EQ(InclusionProofFromSubtrees(3, 8, failing).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(ConsistencyProofFromSubtrees(3, 8, failing).status().code(),
            absl::StatusCode::kUnavailable);
}

// ---------------------------------------------------------------------------------------------
// Randomised cross-checks on larger trees.

std::vector<Hash> RandomLeaves(std::mt19937_64& rng, size_t count) {
  std::vector<Hash> leaves(count);
  for (Hash& leaf : leaves) {
    for (uint8_t& byte : leaf) byte = static_cast<uint8_t>(rng());
  }
  return leaves;
}

// Every proof in every tree of up to 40 leaves: both generators agree and the proof verifies.
TEST(MerkleRandomTest, GeneratorsAgreeOnAllSmallTrees) {
  std::mt19937_64 rng(6962);
  const std::vector<Hash> leaves = RandomLeaves(rng, 40);
  std::vector<Hash> roots;
  for (size_t size = 0; size <= leaves.size(); ++size) {
    YJ_ASSERT_OK_AND_ASSIGN(Hash root, RootOf(absl::MakeConstSpan(leaves).subspan(0, size)));
    roots.push_back(root);
  }
  for (uint64_t size = 1; size <= leaves.size(); ++size) {
    for (uint64_t index = 0; index < size; ++index) {
      int calls = 0;
      YJ_ASSERT_OK_AND_ASSIGN(std::vector<Hash> a, InclusionProof(leaves, index, size));
      YJ_ASSERT_OK_AND_ASSIGN(
          std::vector<Hash> b,
          InclusionProofFromSubtrees(index, size, CheckedSubtrees(leaves, size, &calls)));
      ASSERT_EQ(a, b) << index << " of " << size;
      EXPECT_LE(calls, 2 * std::bit_width(size));
      YJ_ASSERT_OK(VerifyInclusion(leaves[index], index, size, a, roots[size]));
    }
    for (uint64_t old_size = 0; old_size <= size; ++old_size) {
      int calls = 0;
      YJ_ASSERT_OK_AND_ASSIGN(std::vector<Hash> a, ConsistencyProof(leaves, old_size, size));
      YJ_ASSERT_OK_AND_ASSIGN(
          std::vector<Hash> b,
          ConsistencyProofFromSubtrees(old_size, size, CheckedSubtrees(leaves, size, &calls)));
      ASSERT_EQ(a, b) << old_size << " -> " << size;
      EXPECT_LE(calls, 2 * std::bit_width(size));
      YJ_ASSERT_OK(VerifyConsistency(old_size, size, roots[old_size], roots[size], a));
    }
  }
}

// Random trees of up to 300 leaves: the generators agree, valid proofs verify and every
// corruption (bit flips, other indices and sizes, truncation, reordering, forks) is rejected.
TEST(MerkleRandomTest, RandomTreesUpTo300Leaves) {
  std::mt19937_64 rng(9162);
  const std::vector<Hash> leaves = RandomLeaves(rng, 300);
  for (int round = 0; round < 40; ++round) {
    const uint64_t size = 1 + rng() % 300;
    YJ_ASSERT_OK_AND_ASSIGN(Hash root, RootOf(absl::MakeConstSpan(leaves).subspan(0, size)));
    for (int sample = 0; sample < 12; ++sample) {
      const uint64_t index = rng() % size;
      SCOPED_TRACE(absl::StrCat("leaf ", index, " of ", size));
      int calls = 0;
      YJ_ASSERT_OK_AND_ASSIGN(std::vector<Hash> a, InclusionProof(leaves, index, size));
      YJ_ASSERT_OK_AND_ASSIGN(
          std::vector<Hash> b,
          InclusionProofFromSubtrees(index, size, CheckedSubtrees(leaves, size, &calls)));
      ASSERT_EQ(a, b);
      if (sample < 3) {
        ExpectInclusionTamperingDetected(leaves[index], index, size, a, root);
      } else {
        YJ_ASSERT_OK(VerifyInclusion(leaves[index], index, size, a, root));
      }
    }
    for (int sample = 0; sample < 12; ++sample) {
      const uint64_t old_size = 1 + rng() % size;
      SCOPED_TRACE(absl::StrCat(old_size, " -> ", size));
      YJ_ASSERT_OK_AND_ASSIGN(Hash old_root,
                              RootOf(absl::MakeConstSpan(leaves).subspan(0, old_size)));
      int calls = 0;
      YJ_ASSERT_OK_AND_ASSIGN(std::vector<Hash> a, ConsistencyProof(leaves, old_size, size));
      YJ_ASSERT_OK_AND_ASSIGN(
          std::vector<Hash> b,
          ConsistencyProofFromSubtrees(old_size, size, CheckedSubtrees(leaves, size, &calls)));
      ASSERT_EQ(a, b);
      if (old_size == size) continue;
      if (sample < 3) {
        ExpectConsistencyTamperingDetected(old_size, size, old_root, root, a);
      } else {
        YJ_ASSERT_OK(VerifyConsistency(old_size, size, old_root, root, a));
      }
      // A log that reordered two of the old entries is not consistent with the old tree head.
      std::vector<Hash> reordered(leaves.begin(), leaves.begin() + size);
      const uint64_t i = rng() % old_size;
      const uint64_t j = rng() % size;
      if (i == j) continue;
      std::swap(reordered[i], reordered[j]);
      YJ_ASSERT_OK_AND_ASSIGN(Hash reordered_root, RootOf(reordered));
      YJ_ASSERT_OK_AND_ASSIGN(std::vector<Hash> proof, ConsistencyProof(reordered, old_size, size));
      ExpectProofMismatch(VerifyConsistency(old_size, size, old_root, reordered_root, proof),
                          "reordered");
    }
  }
}

}  // namespace
}  // namespace yinjian::audit
