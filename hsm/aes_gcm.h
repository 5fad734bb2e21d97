// AES-GCM in the HSM (CKM_AES_GCM). The 96-bit IV is random per message; the output is
// IV (12) || ciphertext || tag (16). Decryption returns plaintext only if the tag verifies.
#ifndef YINJIAN_HSM_AES_GCM_H_
#define YINJIAN_HSM_AES_GCM_H_

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "hsm/pkcs11.h"
#include "hsm/secure_bytes.h"
#include "hsm/token.h"

namespace yinjian::hsm {

inline constexpr size_t kGcmIvBytes = 12;
inline constexpr size_t kGcmTagBytes = 16;

// Encrypts with an AES key that allows CKA_ENCRYPT; `aad` is authenticated, not encrypted.
absl::StatusOr<Bytes> AesGcmEncrypt(Token& token, CK_OBJECT_HANDLE key,
                                    absl::Span<const uint8_t> plaintext,
                                    absl::Span<const uint8_t> aad);

// Decrypts IV || ciphertext || tag. INVALID_ARGUMENT "authentication failed" for a wrong tag,
// key or AAD, and for truncated input; no plaintext is ever returned in those cases.
absl::StatusOr<SecureBytes> AesGcmDecrypt(Token& token, CK_OBJECT_HANDLE key,
                                          absl::Span<const uint8_t> iv_ciphertext_tag,
                                          absl::Span<const uint8_t> aad);

}  // namespace yinjian::hsm

#endif  // YINJIAN_HSM_AES_GCM_H_
