// The encryption context: caller-chosen key/value pairs bound to a ciphertext as authenticated
// data. Decrypt succeeds only with the same pairs, byte for byte; they are never stored in the
// ciphertext and never encrypted.
//
// Canonical encoding (what the AEAD authenticates), all integers big-endian:
//   u32 pair count, then per pair in byte-wise ascending key order:
//   u32 key length, key bytes, u32 value length, value bytes.
// Every field is length-prefixed, so distinct contexts never encode alike ({"a":"bc"} and
// {"ab":"c"} differ). An empty context is 00 00 00 00. See docs/formats.md.
#ifndef YINJIAN_SERVICE_FORMAT_ENCRYPTION_CONTEXT_H_
#define YINJIAN_SERVICE_FORMAT_ENCRYPTION_CONTEXT_H_

#include <cstddef>
#include <map>
#include <string>

#include "absl/status/status.h"

namespace yinjian::format {

// std::map orders std::string keys with char_traits<char>::compare, which compares bytes as
// unsigned char: the byte-wise order the encoding requires, whatever the platform's char sign.
using EncryptionContext = std::map<std::string, std::string>;

inline constexpr size_t kMaxContextPairs = 64;
inline constexpr size_t kMaxContextKeyLength = 256;     // bytes, at least 1
inline constexpr size_t kMaxContextValueLength = 4096;  // bytes, may be 0

// OK if `context` has at most 64 pairs, every key is 1..256 bytes and every value 0..4096 bytes,
// and all keys and values are well-formed UTF-8 (no overlong forms, surrogates or code points
// above U+10FFFF). INVALID_ARGUMENT naming the limit broken otherwise; the message never repeats
// the context's contents.
absl::Status ValidateContext(const EncryptionContext& context);

// The canonical encoding above. Cannot fail; callers validate with ValidateContext first (the
// encoding itself is well defined for any context whose sizes fit in 32 bits).
std::string CanonicalContext(const EncryptionContext& context);

}  // namespace yinjian::format

#endif  // YINJIAN_SERVICE_FORMAT_ENCRYPTION_CONTEXT_H_
