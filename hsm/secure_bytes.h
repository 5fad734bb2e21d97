// Byte containers for secrets (PINs, plaintext key material, data keys): wiped on destruction,
// never printed. Use SecureBytes wherever a secret is held, even briefly. There is deliberately no
// zeroizing std::string: its short-string buffer lives inside the object and is never wiped.
#ifndef YINJIAN_HSM_SECURE_BYTES_H_
#define YINJIAN_HSM_SECURE_BYTES_H_

#include <openssl/crypto.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace yinjian::hsm {

// An allocator that wipes memory with OPENSSL_cleanse before releasing it, so reallocation and
// destruction leave no copies of the secret in freed heap memory.
template <typename T>
struct ZeroizingAllocator {
  using value_type = T;
  ZeroizingAllocator() = default;
  template <typename U>
  ZeroizingAllocator(const ZeroizingAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return std::allocator<T>().allocate(n); }
  void deallocate(T* p, std::size_t n) noexcept {
    OPENSSL_cleanse(p, n * sizeof(T));
    std::allocator<T>().deallocate(p, n);
  }
  template <typename U>
  bool operator==(const ZeroizingAllocator<U>&) const noexcept { return true; }
};

using SecureBytes = std::vector<uint8_t, ZeroizingAllocator<uint8_t>>;

// Plain (non-secret) byte strings: ciphertexts, signatures, public keys, digests.
using Bytes = std::vector<uint8_t>;

// absl::string_view, not std::string_view: Debian's Abseil keeps its own type, and every
// string in this code base converts to it.
inline Bytes ToBytes(absl::string_view s) { return Bytes(s.begin(), s.end()); }
inline std::string ToString(const Bytes& b) { return std::string(b.begin(), b.end()); }
// A view of a string's bytes, for APIs that take absl::Span<const uint8_t>.
inline absl::Span<const uint8_t> AsSpan(absl::string_view s) {
  return absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
inline std::string_view AsStringView(const Bytes& b) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}

}  // namespace yinjian::hsm

#endif  // YINJIAN_HSM_SECURE_BYTES_H_
