// The pieces CertificateAuthority assembles certificates from: fresh keys, subject names, an
// unsigned certificate with a random serial, X.509v3 extensions, subjectAltNames and the
// signature. Inputs are expected to have passed ValidateCertificateRequest.
#ifndef YINJIAN_SERVICE_PKI_CERTIFICATE_BUILDER_H_
#define YINJIAN_SERVICE_PKI_CERTIFICATE_BUILDER_H_

#include <openssl/x509v3.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "hsm/ossl_ptr.h"

namespace yinjian::pki {

// The organizationName every certificate Yinjian issues carries.
inline constexpr absl::string_view kIssuedOrganization = "Yinjian development";

// A fresh ECDSA P-256 key pair. INTERNAL if OpenSSL fails.
absl::StatusOr<hsm::EvpPkeyPtr> GenerateP256Key();

// O=kIssuedOrganization[, OU=organizational_unit], CN=common_name (OU left out when empty).
// INVALID_ARGUMENT if OpenSSL rejects an attribute (e.g. over its length bound).
absl::StatusOr<hsm::X509NamePtr> BuildSubjectName(absl::string_view common_name,
                                                  absl::string_view organizational_unit);

// An unsigned X.509v3 certificate for `public_key` with a random positive 128-bit serial, the
// given names and validity, and no extensions yet. INVALID_ARGUMENT for times OpenSSL cannot
// encode; INTERNAL if OpenSSL fails.
absl::StatusOr<hsm::X509Ptr> NewCertificate(const X509_NAME* subject, const X509_NAME* issuer,
                                            EVP_PKEY* public_key, absl::Time not_before,
                                            absl::Time not_after);

// Adds the extension `nid` built from OpenSSL's configuration syntax `value` (e.g.
// "critical,CA:FALSE"); `ctx` names the subject and issuer certificates for key identifiers.
// `value` must be a constant, never caller input. INTERNAL if OpenSSL rejects it.
absl::Status AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value);

// Adds a non-critical subjectAltName with the DNS names and IP literals given; nothing if both
// lists are empty. INVALID_ARGUMENT for an IP that does not parse; INTERNAL if OpenSSL fails.
absl::Status AddSubjectAltNames(X509* cert, const std::vector<std::string>& dns_names,
                                const std::vector<std::string>& ip_addresses);

// Signs `cert` with `key`: SHA-256 for EC and RSA keys, the key's own scheme for Ed25519/Ed448.
// INTERNAL if OpenSSL fails.
absl::Status SignCertificate(X509* cert, EVP_PKEY* key);

}  // namespace yinjian::pki

#endif  // YINJIAN_SERVICE_PKI_CERTIFICATE_BUILDER_H_
