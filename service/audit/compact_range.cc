#include "service/audit/compact_range.h"

#include <bit>
#include <limits>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace yinjian::audit {

absl::StatusOr<CompactRange> CompactRange::Create(uint64_t size, std::vector<Hash> frontier) {
  if (frontier.size() != static_cast<size_t>(std::popcount(size))) {
    return absl::InvalidArgumentError(absl::StrCat("a tree of ", size, " leaves has a frontier of ",
                                                   std::popcount(size), " hashes, not ",
                                                   frontier.size()));
  }
  return CompactRange(size, std::move(frontier));
}

absl::StatusOr<CompactRange> CompactRange::Load(uint64_t size, const SubtreeHashFn& subtree) {
  std::vector<Hash> frontier;
  for (const SubtreeRange& range : FrontierRanges(size)) {
    ASSIGN_OR_RETURN(Hash hash, subtree(range.begin, range.end));
    frontier.push_back(hash);
  }
  return CompactRange(size, std::move(frontier));
}

std::vector<SubtreeRange> CompactRange::FrontierRanges(uint64_t size) {
  std::vector<SubtreeRange> ranges;
  uint64_t begin = 0;
  for (uint64_t rest = size; rest != 0;) {
    const uint64_t width = std::bit_floor(rest);
    ranges.push_back({begin, begin + width});
    begin += width;
    rest -= width;
  }
  return ranges;
}

absl::Status CompactRange::Append(const Hash& leaf_hash) {
  if (size_ == std::numeric_limits<uint64_t>::max()) {
    return absl::OutOfRangeError("the audit log is full");
  }
  // Merge on a copy so a failed hash leaves *this untouched.
  std::vector<Hash> frontier = frontier_;
  frontier.push_back(leaf_hash);
  for (uint64_t carry = size_; (carry & 1) == 1; carry >>= 1) {
    const Hash right = frontier.back();
    frontier.pop_back();
    ASSIGN_OR_RETURN(frontier.back(), NodeHash(frontier.back(), right));
  }
  frontier_ = std::move(frontier);
  ++size_;
  return absl::OkStatus();
}

absl::StatusOr<Hash> CompactRange::Root() const {
  if (frontier_.empty()) return EmptyRoot();
  Hash root = frontier_.back();
  for (size_t i = frontier_.size() - 1; i-- > 0;) {
    ASSIGN_OR_RETURN(root, NodeHash(frontier_[i], root));
  }
  return root;
}

}  // namespace yinjian::audit
