// Yinjian's self-describing ciphertext, format version 1 (docs/formats.md has the byte table and
// a worked example):
//
//   "YJC" (59 4A 43) | 0x01 format version | u8 algorithm
//   | u8 len + department | u8 len + key name | u32be key version (1..2^31-1)
//   | algorithm payload, to the end of the input
//
// Algorithm payloads: AES-256-GCM  iv(12) || ciphertext || tag(16)
//                     SM4-CTR-HMAC-SM3  iv(16) || ciphertext || tag(32)   (docs/sm4-aead.md)
//
// The header names the key that decrypts, so Decrypt needs only the ciphertext and the caller's
// encryption context. The header is not secret but it is authenticated: the AEAD's associated
// data is AssociatedData(header bytes, context).
//
// This is byte layout only: no cryptography happens here.
#ifndef YINJIAN_SERVICE_FORMAT_CIPHERTEXT_FORMAT_H_
#define YINJIAN_SERVICE_FORMAT_CIPHERTEXT_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "service/format/encryption_context.h"

namespace yinjian::format {

inline constexpr char kCiphertextMagic[] = "YJC";  // 3 bytes; the terminator is not written
inline constexpr uint8_t kCiphertextFormatVersion = 0x01;

// Every ParseCiphertext error message starts with this, followed by ": " and a short reason.
inline constexpr char kMalformedCiphertext[] = "malformed ciphertext";

// The algorithm byte. Values are part of the format: never renumber, only add.
enum class Algorithm : uint8_t {
  kAes256Gcm = 0x01,       // in the HSM
  kSm4CtrHmacSm3 = 0x02,   // in software, hsm/sm4_aead.h
};

// Shortest valid payload for `algorithm` (IV plus tag, empty plaintext): 28 for AES-256-GCM,
// 48 for SM4-CTR-HMAC-SM3, 0 for a value outside the enum.
size_t MinimumPayloadLength(Algorithm algorithm);

// The most a ciphertext can exceed its plaintext by: the largest header (magic, version,
// algorithm, two length-prefixed names of 64 and 128 bytes, the version number) plus the largest
// algorithm overhead (SM4: 16-byte IV and 32-byte tag). Limits on ciphertexts are the plaintext
// limit plus this.
inline constexpr size_t kMaxHeaderLength = 3 + 1 + 1 + (1 + 64) + (1 + 128) + 4;
inline constexpr size_t kMaxCiphertextOverhead = kMaxHeaderLength + 16 + 32;

struct CiphertextHeader {
  Algorithm algorithm;
  std::string department;
  std::string key;
  int32_t version;

  friend bool operator==(const CiphertextHeader&, const CiphertextHeader&) = default;
};

// The header bytes for `header`; the caller appends the payload. INVALID_ARGUMENT (with the
// names.h message) if the department or key name is invalid, if the version is below 1, or if the
// algorithm is not one of the enum's values.
absl::StatusOr<std::string> EncodeHeader(const CiphertextHeader& header);

struct ParsedCiphertext {
  CiphertextHeader header;
  absl::string_view header_bytes;  // the exact header as it appears in the input
  absl::string_view payload;       // everything after the header
};

// Splits a ciphertext into header and payload. The string_views point into `ciphertext`, which
// must outlive the result. Strict: a wrong magic, unknown format version or algorithm, a name
// failing names.h, a version of 0 or above 2^31-1, a truncated header or a payload shorter than
// MinimumPayloadLength are all INVALID_ARGUMENT "malformed ciphertext: <reason>", and the message
// never contains input bytes. Never reads outside `ciphertext`. Authenticates nothing: only the
// AEAD, given AssociatedData below, can say the ciphertext is genuine.
absl::StatusOr<ParsedCiphertext> ParseCiphertext(absl::string_view ciphertext);

// The associated data given to the AEAD: header_bytes || CanonicalContext(context).
//
// The header is included so that it is authenticated too. Otherwise a payload could be moved
// under another header (another key name, version or algorithm id) and the header would steer
// Decrypt to a key of the attacker's choosing unnoticed; with the header in the AAD, any such
// move fails the tag check. Both parts are self-delimiting (length-prefixed fields), so the
// concatenation is unambiguous.
std::string AssociatedData(absl::string_view header_bytes, const EncryptionContext& context);

}  // namespace yinjian::format

#endif  // YINJIAN_SERVICE_FORMAT_CIPHERTEXT_FORMAT_H_
