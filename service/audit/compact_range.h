// Appending to the audit log's Merkle tree in O(log n), from the tree's right edge alone.
//
// The frontier of a tree of n leaves holds one perfect-subtree hash per set bit of n, largest
// (leftmost) first: for n = 6 (binary 110) the hashes of leaves [0,4) and [4,6); for n = 7 those
// and [6,7). Its root is the frontier folded from the right with NodeHash:
//   root(7) = NodeHash(H[0,4), NodeHash(H[4,6), H[6,7)))
// which is exactly RFC 6962's MTH. Appending a leaf pushes its hash and merges the two last
// entries once per trailing one-bit of the old size, like incrementing a binary counter.
//
// The service stores the frontier (or reads it through a SubtreeHashFn) next to the leaf hashes,
// so appending never reads the whole log.
#ifndef YINJIAN_SERVICE_AUDIT_COMPACT_RANGE_H_
#define YINJIAN_SERVICE_AUDIT_COMPACT_RANGE_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "service/audit/merkle.h"

namespace yinjian::audit {

// A perfect subtree of the log: leaves [begin, end).
struct SubtreeRange {
  uint64_t begin = 0;
  uint64_t end = 0;
  bool operator==(const SubtreeRange&) const = default;
};

// A value type: copy it to keep a snapshot. Not thread-safe.
class CompactRange {
 public:
  // The empty tree.
  CompactRange() = default;

  // A range from a stored frontier (see above). INVALID_ARGUMENT unless frontier.size() is the
  // number of set bits of `size`. Whether the hashes really belong to that log is the caller's to
  // know: the root computed from them is what a checkpoint will commit to.
  static absl::StatusOr<CompactRange> Create(uint64_t size, std::vector<Hash> frontier);

  // A range whose frontier is read through `subtree`, one call per FrontierRanges(size) entry.
  // Errors from `subtree` are returned unchanged.
  static absl::StatusOr<CompactRange> Load(uint64_t size, const SubtreeHashFn& subtree);

  // The perfect subtrees that make up the frontier of a tree of `size` leaves, in frontier order.
  static std::vector<SubtreeRange> FrontierRanges(uint64_t size);

  uint64_t size() const { return size_; }
  const std::vector<Hash>& frontier() const { return frontier_; }

  // Appends one leaf hash (LeafHash of the entry). OUT_OF_RANGE if the tree already holds
  // 2^64 - 1 leaves. On failure the range is unchanged.
  absl::Status Append(const Hash& leaf_hash);

  // MTH of the leaves appended so far (EmptyRoot() for none).
  absl::StatusOr<Hash> Root() const;

 private:
  CompactRange(uint64_t size, std::vector<Hash> frontier)
      : size_(size), frontier_(std::move(frontier)) {}

  uint64_t size_ = 0;
  std::vector<Hash> frontier_;
};

}  // namespace yinjian::audit

#endif  // YINJIAN_SERVICE_AUDIT_COMPACT_RANGE_H_
