// Reading a public key out of the HSM as SubjectPublicKeyInfo DER (EC, Ed25519, RSA).
#ifndef YINJIAN_HSM_PUBLIC_KEY_EXPORT_H_
#define YINJIAN_HSM_PUBLIC_KEY_EXPORT_H_

#include "absl/status/statusor.h"
#include "hsm/pkcs11.h"
#include "hsm/secure_bytes.h"
#include "hsm/token.h"

namespace yinjian::hsm {

// SPKI DER of a public-key object. FAILED_PRECONDITION for any other object class (including a
// private key) and for key types other than CKK_EC, CKK_EC_EDWARDS and CKK_RSA; NOT_FOUND for a
// stale handle.
absl::StatusOr<Bytes> ExportPublicKeySpki(Token& token, CK_OBJECT_HANDLE public_key);

}  // namespace yinjian::hsm

#endif  // YINJIAN_HSM_PUBLIC_KEY_EXPORT_H_
