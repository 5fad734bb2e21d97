// SM4 authenticated encryption for data at rest: SM4-CTR then HMAC-SM3 (encrypt-then-MAC).
// OpenSSL 3.0 has no SM4-GCM, so the AEAD is composed from two GM/T primitives.
//
// Key (48 bytes):   enc_key (16, SM4) || mac_key (32, HMAC-SM3)
// Blob:             iv (16, random) || ciphertext (len(plaintext)) || tag (32)
//   ciphertext = SM4-CTR(enc_key, iv, plaintext)   (the 16-byte iv is the initial counter block,
//                                                   incremented as a 128-bit big-endian integer)
//   tag        = HMAC-SM3(mac_key, u64be(len(aad)) || aad || iv || ciphertext)
// See docs/sm4-aead.md.
#ifndef YINJIAN_HSM_SM4_AEAD_H_
#define YINJIAN_HSM_SM4_AEAD_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "hsm/secure_bytes.h"

namespace yinjian::hsm {

inline constexpr size_t kSm4AeadKeyLength = 48;
inline constexpr size_t kSm4AeadIvLength = 16;
inline constexpr size_t kSm4AeadTagLength = 32;
inline constexpr size_t kSm4AeadOverhead = kSm4AeadIvLength + kSm4AeadTagLength;

// Returns a fresh 48-byte key from RAND_priv_bytes. INTERNAL if the DRBG fails.
absl::StatusOr<SecureBytes> GenerateSm4AeadKey();

// Encrypts and authenticates `plaintext`, binding `aad` (authenticated, not encrypted). Returns
// the blob above, len(plaintext) + 48 bytes. INVALID_ARGUMENT if `key` is not 48 bytes; INTERNAL if
// OpenSSL fails. Inputs are only read.
absl::StatusOr<Bytes> Sm4AeadEncrypt(const SecureBytes& key, absl::Span<const uint8_t> plaintext,
                                     absl::Span<const uint8_t> aad);

// Checks the tag in constant time and only then decrypts. Returns the plaintext in SecureBytes
// (owned by the caller). INVALID_ARGUMENT "authentication failed" for any truncated, modified or
// mis-keyed blob or wrong `aad` (the message never says which); INVALID_ARGUMENT if `key` is not
// 48 bytes. Never returns partial plaintext.
absl::StatusOr<SecureBytes> Sm4AeadDecrypt(const SecureBytes& key, absl::Span<const uint8_t> blob,
                                           absl::Span<const uint8_t> aad);

}  // namespace yinjian::hsm

#endif  // YINJIAN_HSM_SM4_AEAD_H_
