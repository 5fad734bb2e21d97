#include "service/audit/merkle.h"

#include <openssl/evp.h>

#include <bit>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "hsm/digest_algorithm.h"
#include "hsm/ossl_ptr.h"
#include "hsm/ossl_status.h"
#include "service/audit/rejection.h"

namespace yinjian::audit {
namespace {

constexpr uint8_t kLeafPrefix = 0x00;
constexpr uint8_t kNodePrefix = 0x01;

// SHA-256 over the concatenation of `parts`.
absl::StatusOr<Hash> Sha256(std::initializer_list<absl::Span<const uint8_t>> parts) {
  hsm::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr ||
      EVP_DigestInit_ex2(ctx.get(), hsm::FetchedDigest(hsm::DigestAlgorithm::kSha256), nullptr) !=
          1) {
    return hsm::OsslInternal("cannot start SHA-256");
  }
  for (absl::Span<const uint8_t> part : parts) {
    if (!part.empty() && EVP_DigestUpdate(ctx.get(), part.data(), part.size()) != 1) {
      return hsm::OsslInternal("SHA-256 failed");
    }
  }
  Hash out;
  unsigned int out_len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), out.data(), &out_len) != 1 || out_len != out.size()) {
    return hsm::OsslInternal("SHA-256 failed");
  }
  return out;
}

// The largest power of two strictly below n (n >= 2): RFC 6962's split point k.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

// RFC 6962 2.1.1, literally: appends PATH(m, leaves) to *out.
absl::Status AppendPath(uint64_t m, absl::Span<const Hash> leaves, std::vector<Hash>* out) {
  if (leaves.size() <= 1) return absl::OkStatus();
  const uint64_t k = SplitPoint(leaves.size());
  if (m < k) {
    RETURN_IF_ERROR(AppendPath(m, leaves.subspan(0, k), out));
    ASSIGN_OR_RETURN(Hash right, RootOf(leaves.subspan(k)));
    out->push_back(right);
  } else {
    RETURN_IF_ERROR(AppendPath(m - k, leaves.subspan(k), out));
    ASSIGN_OR_RETURN(Hash left, RootOf(leaves.subspan(0, k)));
    out->push_back(left);
  }
  return absl::OkStatus();
}

// RFC 6962 2.1.2, literally: appends SUBPROOF(m, leaves, complete) to *out.
absl::Status AppendSubproof(uint64_t m, absl::Span<const Hash> leaves, bool complete,
                            std::vector<Hash>* out) {
  const uint64_t n = leaves.size();
  if (m == n) {
    if (complete) return absl::OkStatus();
    ASSIGN_OR_RETURN(Hash root, RootOf(leaves));
    out->push_back(root);
    return absl::OkStatus();
  }
  const uint64_t k = SplitPoint(n);
  if (m <= k) {
    RETURN_IF_ERROR(AppendSubproof(m, leaves.subspan(0, k), complete, out));
    ASSIGN_OR_RETURN(Hash right, RootOf(leaves.subspan(k)));
    out->push_back(right);
  } else {
    RETURN_IF_ERROR(AppendSubproof(m - k, leaves.subspan(k), /*complete=*/false, out));
    ASSIGN_OR_RETURN(Hash left, RootOf(leaves.subspan(0, k)));
    out->push_back(left);
  }
  return absl::OkStatus();
}

// MTH(D[begin:end]) for a range the proof algorithms below ask about: `begin` is a multiple of the
// largest power of two not above end - begin, so the range splits into perfect subtrees of the
// whole log, largest first, and MTH folds them from the right (the RFC's recursion, unrolled).
absl::StatusOr<Hash> RangeHash(uint64_t begin, uint64_t end, const SubtreeHashFn& subtree) {
  std::vector<Hash> pieces;
  for (uint64_t at = begin; at < end;) {
    const uint64_t width = std::bit_floor(end - at);
    if (at % width != 0) return absl::InternalError("unaligned subtree in proof construction");
    ASSIGN_OR_RETURN(Hash piece, subtree(at, at + width));
    pieces.push_back(piece);
    at += width;
  }
  if (pieces.empty()) return absl::InternalError("empty subtree in proof construction");
  Hash hash = pieces.back();
  for (size_t i = pieces.size() - 1; i-- > 0;) {
    ASSIGN_OR_RETURN(hash, NodeHash(pieces[i], hash));
  }
  return hash;
}

// Leaves [begin, end) of the log.
struct Range {
  uint64_t begin;
  uint64_t end;
};

// Hashes `ranges` through RangeHash in reverse order: the proof algorithms walk from the root
// down, proofs list hashes from the leaf up.
absl::StatusOr<std::vector<Hash>> HashRangesLeafFirst(const std::vector<Range>& ranges,
                                                      const SubtreeHashFn& subtree) {
  std::vector<Hash> proof;
  proof.reserve(ranges.size());
  for (auto it = ranges.rbegin(); it != ranges.rend(); ++it) {
    ASSIGN_OR_RETURN(Hash hash, RangeHash(it->begin, it->end, subtree));
    proof.push_back(hash);
  }
  return proof;
}

// Right-shifts fn and sn together until fn's lowest bit is set or fn is 0 (RFC 9162's inner loop).
void ShiftWhileEven(uint64_t& fn, uint64_t& sn) {
  while ((fn & 1) == 0 && fn != 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

// RFC 9162 2.1.4.2 for 0 < old_size < new_size and a non-empty proof.
absl::Status VerifyConsistencyPath(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                                   const Hash& new_root, absl::Span<const Hash> proof) {
  // RFC 9162 2.1.4.2. When old_size is a power of two the old root is itself the first node.
  const bool old_is_perfect = std::has_single_bit(old_size);
  auto node = [&](size_t i) -> const Hash& {
    return old_is_perfect ? (i == 0 ? old_root : proof[i - 1]) : proof[i];
  };
  const size_t nodes = proof.size() + (old_is_perfect ? 1 : 0);
  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = node(0);
  Hash sr = node(0);
  for (size_t i = 1; i < nodes; ++i) {
    const Hash& c = node(i);
    if (sn == 0) {
      return Rejected(Rejection::kProofMismatch,
                      absl::StrCat("consistency proof of ", proof.size(),
                                   " hashes is too long for sizes ", old_size, " to ", new_size));
    }
    if ((fn & 1) == 1 || fn == sn) {
      ASSIGN_OR_RETURN(fr, NodeHash(c, fr));
      ASSIGN_OR_RETURN(sr, NodeHash(c, sr));
      ShiftWhileEven(fn, sn);
    } else {
      ASSIGN_OR_RETURN(sr, NodeHash(sr, c));
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return Rejected(Rejection::kProofMismatch,
                    absl::StrCat("consistency proof of ", proof.size(),
                                 " hashes is too short for sizes ", old_size, " to ", new_size));
  }
  if (fr != old_root) {
    return Rejected(Rejection::kProofMismatch, "consistency proof does not lead to the old root");
  }
  if (sr != new_root) {
    return Rejected(Rejection::kProofMismatch, "consistency proof does not lead to the new root");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Hash> LeafHash(absl::Span<const uint8_t> entry) {
  return Sha256({absl::MakeConstSpan(&kLeafPrefix, 1), entry});
}

absl::StatusOr<Hash> NodeHash(const Hash& left, const Hash& right) {
  return Sha256({absl::MakeConstSpan(&kNodePrefix, 1), left, right});
}

absl::StatusOr<Hash> EmptyRoot() { return Sha256({}); }

absl::StatusOr<Hash> RootOf(absl::Span<const Hash> leaf_hashes) {
  if (leaf_hashes.empty()) return EmptyRoot();
  if (leaf_hashes.size() == 1) return leaf_hashes[0];
  const uint64_t k = SplitPoint(leaf_hashes.size());
  ASSIGN_OR_RETURN(Hash left, RootOf(leaf_hashes.subspan(0, k)));
  ASSIGN_OR_RETURN(Hash right, RootOf(leaf_hashes.subspan(k)));
  return NodeHash(left, right);
}

absl::StatusOr<std::vector<Hash>> InclusionProof(absl::Span<const Hash> leaf_hashes, uint64_t index,
                                                 uint64_t size) {
  if (index >= size || size > leaf_hashes.size()) {
    return absl::InvalidArgumentError(absl::StrCat("no inclusion proof for leaf ", index,
                                                   " in a tree of ", size, " leaves (",
                                                   leaf_hashes.size(), " known)"));
  }
  std::vector<Hash> proof;
  RETURN_IF_ERROR(AppendPath(index, leaf_hashes.subspan(0, size), &proof));
  return proof;
}

absl::StatusOr<std::vector<Hash>> InclusionProofFromSubtrees(uint64_t index, uint64_t size,
                                                             const SubtreeHashFn& subtree) {
  if (index >= size) {
    return absl::InvalidArgumentError(
        absl::StrCat("no inclusion proof for leaf ", index, " in a tree of ", size, " leaves"));
  }
  // Walk from the root towards the leaf, noting the sibling of each node on the way.
  std::vector<Range> siblings;
  uint64_t lo = 0;
  uint64_t hi = size;
  while (hi - lo > 1) {
    const uint64_t split = lo + SplitPoint(hi - lo);
    if (index < split) {
      siblings.push_back({split, hi});
      hi = split;
    } else {
      siblings.push_back({lo, split});
      lo = split;
    }
  }
  return HashRangesLeafFirst(siblings, subtree);
}

absl::StatusOr<std::vector<Hash>> ConsistencyProof(absl::Span<const Hash> leaf_hashes,
                                                   uint64_t old_size, uint64_t new_size) {
  if (old_size > new_size || new_size > leaf_hashes.size()) {
    return absl::InvalidArgumentError(absl::StrCat("no consistency proof from ", old_size, " to ",
                                                   new_size, " leaves (", leaf_hashes.size(),
                                                   " known)"));
  }
  std::vector<Hash> proof;
  if (old_size == 0 || old_size == new_size) return proof;
  RETURN_IF_ERROR(AppendSubproof(old_size, leaf_hashes.subspan(0, new_size), true, &proof));
  return proof;
}

absl::StatusOr<std::vector<Hash>> ConsistencyProofFromSubtrees(uint64_t old_size, uint64_t new_size,
                                                               const SubtreeHashFn& subtree) {
  if (old_size > new_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("no consistency proof from ", old_size, " to ", new_size, " leaves"));
  }
  if (old_size == 0 || old_size == new_size) return std::vector<Hash>();
  // SUBPROOF unrolled: `outer` collects the hashes appended after each recursive step (so in
  // root-to-leaf order); the innermost step may contribute MTH of the old tree's last subtree.
  std::vector<Range> outer;
  uint64_t lo = 0;
  uint64_t hi = new_size;
  uint64_t m = old_size;
  bool complete = true;
  while (m != hi - lo) {
    const uint64_t k = SplitPoint(hi - lo);
    if (m <= k) {
      outer.push_back({lo + k, hi});
      hi = lo + k;
    } else {
      outer.push_back({lo, lo + k});
      lo += k;
      m -= k;
      complete = false;
    }
  }
  if (!complete) outer.push_back({lo, hi});  // hashed first: it is the innermost element
  return HashRangesLeafFirst(outer, subtree);
}

absl::Status VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t size,
                             absl::Span<const Hash> proof, const Hash& root) {
  if (index >= size) {
    return Rejected(Rejection::kIndexOutOfRange,
                    absl::StrCat("leaf index ", index, " is not below the tree size ", size));
  }
  uint64_t fn = index;
  uint64_t sn = size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) {
      return Rejected(Rejection::kProofMismatch,
                      absl::StrCat("inclusion proof of ", proof.size(),
                                   " hashes is too long for leaf ", index, " of ", size));
    }
    if ((fn & 1) == 1 || fn == sn) {
      ASSIGN_OR_RETURN(r, NodeHash(p, r));
      ShiftWhileEven(fn, sn);
    } else {
      ASSIGN_OR_RETURN(r, NodeHash(r, p));
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return Rejected(Rejection::kProofMismatch,
                    absl::StrCat("inclusion proof of ", proof.size(),
                                 " hashes is too short for leaf ", index, " of ", size));
  }
  if (r != root) {
    return Rejected(Rejection::kProofMismatch, "inclusion proof does not lead to the root hash");
  }
  return absl::OkStatus();
}

absl::Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                               const Hash& new_root, absl::Span<const Hash> proof) {
  if (old_size > new_size) {
    return Rejected(Rejection::kProofMismatch,
                    absl::StrCat("tree size went down from ", old_size, " to ", new_size,
                                 ": the log was truncated"));
  }
  if (old_size == new_size) {
    if (!proof.empty()) {
      return Rejected(Rejection::kProofMismatch,
                      "consistency proof between equal sizes is not empty");
    }
    if (old_root != new_root) {
      return Rejected(
          Rejection::kProofMismatch,
          absl::StrCat("two different root hashes for tree size ", old_size, ": the log forked"));
    }
    return absl::OkStatus();
  }
  if (old_size == 0) {
    if (!proof.empty()) {
      return Rejected(Rejection::kProofMismatch,
                      "consistency proof from the empty tree is not empty");
    }
    ASSIGN_OR_RETURN(Hash empty_root, EmptyRoot());
    if (old_root != empty_root) {
      return Rejected(Rejection::kProofMismatch, "old root hash is not the empty tree's");
    }
    return absl::OkStatus();
  }
  if (proof.empty()) return Rejected(Rejection::kProofMismatch, "consistency proof is empty");
  return VerifyConsistencyPath(old_size, new_size, old_root, new_root, proof);
}

}  // namespace yinjian::audit
