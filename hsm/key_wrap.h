// Key wrapping inside the HSM: export a key encrypted under another key, and import it back as a
// new object. Yinjian stores key material only in wrapped form (R1, R12).
//
// The default mechanism is CKM_AES_KEY_WRAP_PAD (0x210A), under which SoftHSM implements
// RFC 5649. PKCS#11 3.0 HSMs name RFC 5649 CKM_AES_KEY_WRAP_KWP (0x210B); pass that instead.
// Caveat (SoftHSM 2.6.1, measured): a secret key whose length is not a multiple of 8 is first
// zero-padded to one, so the blob is RFC 5649 of the padded value and unwraps to a longer key.
#ifndef YINJIAN_HSM_KEY_WRAP_H_
#define YINJIAN_HSM_KEY_WRAP_H_

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "hsm/attributes.h"
#include "hsm/objects.h"
#include "hsm/pkcs11.h"
#include "hsm/secure_bytes.h"
#include "hsm/token.h"

namespace yinjian::hsm {

inline constexpr CK_MECHANISM_TYPE kAesKeyWrapPad = CKM_AES_KEY_WRAP_PAD;
inline constexpr CK_MECHANISM_TYPE kAesKeyWrapKwp = 0x210B;

// Wraps `key` (which must be extractable) under `wrapping_key` (which must allow CKA_WRAP).
// FAILED_PRECONDITION for an unextractable key or a key that may not wrap.
absl::StatusOr<Bytes> WrapKey(Token& token, CK_OBJECT_HANDLE wrapping_key, CK_OBJECT_HANDLE key,
                              CK_MECHANISM_TYPE mechanism = kAesKeyWrapPad);

// Unwraps into a new object described by `key_template` (class, key type, usage, token or
// session). INVALID_ARGUMENT for wrapped bytes that do not unwrap under this key.
absl::StatusOr<ScopedObject> UnwrapKey(Token& token, CK_OBJECT_HANDLE unwrapping_key,
                                       absl::Span<const uint8_t> wrapped,
                                       AttributeTemplate& key_template,
                                       CK_MECHANISM_TYPE mechanism = kAesKeyWrapPad);
// The same with a mechanism that takes parameters (e.g. CKM_RSA_PKCS_OAEP and its
// CK_RSA_PKCS_OAEP_PARAMS, which must outlive the call).
absl::StatusOr<ScopedObject> UnwrapKey(Token& token, CK_OBJECT_HANDLE unwrapping_key,
                                       absl::Span<const uint8_t> wrapped,
                                       AttributeTemplate& key_template, CK_MECHANISM& mechanism);

}  // namespace yinjian::hsm

#endif  // YINJIAN_HSM_KEY_WRAP_H_
