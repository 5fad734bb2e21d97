// The audit log's Merkle tree, exactly as RFC 6962 section 2.1 (and RFC 9162 section 2.1)
// defines it, with SHA-256:
//
//   LeafHash(d)   = SHA-256(0x00 || d)
//   NodeHash(l,r) = SHA-256(0x01 || l || r)
//   MTH({})       = SHA-256("")            (e3b0c442...b855)
//   MTH({d0})     = LeafHash(d0)
//   MTH(D[n])     = NodeHash(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two below n
//
// Byte-level example (the RFC 6962 reference tree, leaves d0 = "" and d1 = 0x00):
//   LeafHash(d0) = SHA-256(00)
//                = 6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d
//   LeafHash(d1) = SHA-256(00 00)
//                = 96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7
//   MTH(d0, d1)  = SHA-256(01 || 6e34...a01d || 96a2...cfc7)
//                = fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125
//
// Inclusion proofs are RFC 6962 PATH(m, D[n]) (2.1.1) and consistency proofs PROOF(m, D[n])
// (2.1.2): lists of 32-byte hashes, the one nearest the leaf first. Verification follows the
// algorithms of RFC 9162 sections 2.1.3.2 and 2.1.4.2 step by step.
//
// Two ways to produce proofs:
//  - from every leaf hash (InclusionProof, ConsistencyProof): the RFC's recursive definitions,
//    O(n) hashing; fine for small logs and the reference the other is tested against;
//  - from perfect-subtree hashes (the *FromSubtrees variants): O(log n) calls to a SubtreeHashFn
//    and O(log n) hashing, so a store that keeps interior node hashes (or caches them) can serve
//    proofs for large logs.
// Appending is O(log n) through CompactRange (compact_range.h).
//
// Verification failures are Rejected() statuses (INVALID_ARGUMENT with a Rejection payload, see
// rejection.h). Every function may also fail with INTERNAL if OpenSSL cannot compute SHA-256
// (only if its default provider is missing).
#ifndef YINJIAN_SERVICE_AUDIT_MERKLE_H_
#define YINJIAN_SERVICE_AUDIT_MERKLE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace yinjian::audit {

inline constexpr size_t kHashSize = 32;
using Hash = std::array<uint8_t, kHashSize>;

// SHA-256(0x00 || entry).
absl::StatusOr<Hash> LeafHash(absl::Span<const uint8_t> entry);

// SHA-256(0x01 || left || right).
absl::StatusOr<Hash> NodeHash(const Hash& left, const Hash& right);

// The root of the empty tree, SHA-256 of the empty string.
absl::StatusOr<Hash> EmptyRoot();

// MTH over all of `leaf_hashes` (already leaf-hashed, in log order). O(n).
absl::StatusOr<Hash> RootOf(absl::Span<const Hash> leaf_hashes);

// Returns the hash of the perfect subtree covering leaves [begin, end): end - begin is a power of
// two, begin is a multiple of it, and end is at most the size of the tree being proven. For a
// single leaf (end == begin + 1) that is the leaf hash. An implementation typically reads a stored
// interior node, or computes RootOf(leaf_hashes[begin, end)); any error it returns is passed
// through unchanged by the functions that call it.
using SubtreeHashFn = std::function<absl::StatusOr<Hash>(uint64_t begin, uint64_t end)>;

// PATH(index, D[size]) over the first `size` of `leaf_hashes`. INVALID_ARGUMENT unless
// index < size <= leaf_hashes.size(). Empty for a tree of one leaf.
absl::StatusOr<std::vector<Hash>> InclusionProof(absl::Span<const Hash> leaf_hashes, uint64_t index,
                                                 uint64_t size);

// The same proof, built from at most ~2 log2(size) calls to `subtree`. INVALID_ARGUMENT unless
// index < size.
absl::StatusOr<std::vector<Hash>> InclusionProofFromSubtrees(uint64_t index, uint64_t size,
                                                             const SubtreeHashFn& subtree);

// PROOF(old_size, D[new_size]) over the first `new_size` of `leaf_hashes`; empty if old_size is 0
// or equals new_size (RFC 6962 defines the proof for 0 < old_size < new_size only; an empty tree
// and an identical tree need no proof). INVALID_ARGUMENT unless
// old_size <= new_size <= leaf_hashes.size().
absl::StatusOr<std::vector<Hash>> ConsistencyProof(absl::Span<const Hash> leaf_hashes,
                                                   uint64_t old_size, uint64_t new_size);

// The same proof, built from at most ~2 log2(new_size) calls to `subtree`. INVALID_ARGUMENT
// unless old_size <= new_size.
absl::StatusOr<std::vector<Hash>> ConsistencyProofFromSubtrees(uint64_t old_size, uint64_t new_size,
                                                               const SubtreeHashFn& subtree);

// OK if `proof` shows that `leaf_hash` is leaf `index` of the tree of `size` leaves with `root`
// (RFC 9162 2.1.3.2). Rejections: kIndexOutOfRange if index >= size; kProofMismatch if the proof
// is too long or too short for (index, size) or does not lead to `root`. As in the RFC, `index`
// and `size` only shape the computation: a proof binds the leaf's position, but another size
// whose proofs have the same shape (leaf 0 of 5 and of 6 leaves) verifies too, so `size` and
// `root` must come together from a signed checkpoint.
absl::Status VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t size,
                             absl::Span<const Hash> proof, const Hash& root);

// OK if `proof` shows that the tree of `new_size` leaves with `new_root` extends the tree of
// `old_size` leaves with `old_root` (RFC 9162 2.1.4.2). Rejections, all kProofMismatch: new_size
// below old_size (a truncated log); equal sizes with different roots (a forked log) or a non-empty
// proof; old_size 0 with an old_root other than EmptyRoot() or a non-empty proof; otherwise an
// empty, too long or too short proof, or one that does not lead to both roots.
absl::Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                               const Hash& new_root, absl::Span<const Hash> proof);

}  // namespace yinjian::audit

#endif  // YINJIAN_SERVICE_AUDIT_MERKLE_H_
