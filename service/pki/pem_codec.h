// Converting certificates and private keys between OpenSSL objects and PEM/DER bytes. Private
// keys only ever pass through SecureBytes and are never decrypted with a prompted password.
#ifndef YINJIAN_SERVICE_PKI_PEM_CODEC_H_
#define YINJIAN_SERVICE_PKI_PEM_CODEC_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "hsm/ossl_ptr.h"
#include "hsm/secure_bytes.h"

namespace yinjian::pki {

// The first "CERTIFICATE" PEM block in `pem` (text before it is skipped; later blocks are
// ignored). INVALID_ARGUMENT if there is none or it does not decode.
absl::StatusOr<hsm::X509Ptr> ParseCertificatePem(absl::string_view pem);

// A certificate from exactly `der` (trailing bytes are rejected). INVALID_ARGUMENT otherwise.
absl::StatusOr<hsm::X509Ptr> ParseCertificateDer(absl::Span<const uint8_t> der);

// The public key of the first "CERTIFICATE REQUEST" PEM block in `pem`, after checking the
// request's self-signature (proof that the requester holds the private key). INVALID_ARGUMENT if
// there is none, it does not decode, or the signature does not verify.
absl::StatusOr<hsm::EvpPkeyPtr> ParseCsrPublicKeyPem(absl::string_view pem);

// `cert` as one PEM block, or its DER encoding. INTERNAL only if OpenSSL cannot encode it.
absl::StatusOr<std::string> CertificateToPem(const X509* cert);
absl::StatusOr<hsm::Bytes> CertificateToDer(const X509* cert);

// An unencrypted private key from PEM (PKCS#8 "PRIVATE KEY" or a traditional form such as
// "EC PRIVATE KEY"). INVALID_ARGUMENT if it is missing, malformed or encrypted: no password is
// ever asked for.
absl::StatusOr<hsm::EvpPkeyPtr> ParsePrivateKeyPem(absl::Span<const uint8_t> pem);

// `key` as an unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"), built in OpenSSL's secure
// memory BIO and returned in SecureBytes. INTERNAL only if OpenSSL cannot encode it.
absl::StatusOr<hsm::SecureBytes> PrivateKeyToPkcs8Pem(const EVP_PKEY* key);

}  // namespace yinjian::pki

#endif  // YINJIAN_SERVICE_PKI_PEM_CODEC_H_
