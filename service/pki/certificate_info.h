// What the service reads from a certificate: who it names, who issued it, when it is valid and its
// SHA-256 fingerprint, which is how principals are bound to client certificates (R7).
#ifndef YINJIAN_SERVICE_PKI_CERTIFICATE_INFO_H_
#define YINJIAN_SERVICE_PKI_CERTIFICATE_INFO_H_

#include <openssl/x509.h>

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace yinjian::pki {

struct CertificateInfo {
  std::string common_name;          // subject CN as UTF-8 (the first, if several); may be empty
  std::string organizational_unit;  // subject OU (the first, if several); may be empty
  std::string fingerprint_sha256;   // lowercase hex SHA-256 of the certificate's DER encoding
  absl::Time not_before;
  absl::Time not_after;
  std::string issuer_common_name;  // issuer CN; may be empty
};

// Reads the first certificate in `pem` (see ParseCertificatePem). INVALID_ARGUMENT for anything
// that is not a certificate, or whose names or validity times do not decode.
absl::StatusOr<CertificateInfo> InspectCertificate(absl::string_view pem);

// As InspectCertificate, for exactly one DER-encoded certificate (e.g. a TLS peer's).
absl::StatusOr<CertificateInfo> InspectCertificateDer(absl::Span<const uint8_t> der);

// As InspectCertificate, for a certificate already parsed (e.g. SSL_get0_peer_certificate()).
absl::StatusOr<CertificateInfo> InspectX509(const X509* cert);

// Lowercase hex of SHA-256 over `cert`'s DER encoding: the same digest as
// `openssl x509 -noout -fingerprint -sha256`, without the colons. INTERNAL only if OpenSSL fails.
absl::StatusOr<std::string> FingerprintSha256(const X509* cert);

}  // namespace yinjian::pki

#endif  // YINJIAN_SERVICE_PKI_CERTIFICATE_INFO_H_
