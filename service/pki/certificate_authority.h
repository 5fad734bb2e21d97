// A small certificate authority for development and small deployments: an ECDSA P-256 key and a
// self-signed CA certificate, issuing TLS server and client certificates for mutual TLS (R3).
// Production deployments bring their own CA and never need this class.
//
//   ASSIGN_OR_RETURN(auto ca, CertificateAuthority::Create("Yinjian development CA", kTenYears));
//   ASSIGN_OR_RETURN(IssuedCertificate admin, ca->Issue({.common_name = "admin"}));
#ifndef YINJIAN_SERVICE_PKI_CERTIFICATE_AUTHORITY_H_
#define YINJIAN_SERVICE_PKI_CERTIFICATE_AUTHORITY_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "hsm/ossl_ptr.h"
#include "hsm/secure_bytes.h"
#include "service/pki/certificate_info.h"
#include "service/pki/certificate_request.h"

namespace yinjian::pki {

struct IssuedCertificate {
  std::string certificate_pem;
  hsm::SecureBytes private_key_pem;  // unencrypted PKCS#8 PEM of a fresh P-256 key
  std::string fingerprint_sha256;    // lowercase hex SHA-256 of the certificate's DER
};

class CertificateAuthority {
 public:
  // A new P-256 CA key and a self-signed certificate (subject O=Yinjian development,
  // CN=`common_name`; critical basicConstraints CA:TRUE with pathlen 0; critical keyUsage
  // keyCertSign and cRLSign; subjectKeyIdentifier), valid from five minutes ago (for clock skew)
  // for `validity`. INVALID_ARGUMENT for a bad name (see ValidateNameAttribute) or a validity that
  // is not positive; INTERNAL if OpenSSL fails.
  static absl::StatusOr<std::unique_ptr<CertificateAuthority>> Create(std::string common_name,
                                                                      absl::Duration validity);

  // A CA from a saved certificate and its unencrypted private key (any PEM form OpenSSL reads).
  // INVALID_ARGUMENT if either does not parse, the key does not belong to the certificate, or
  // the certificate is not a CA (basicConstraints CA:TRUE, keyCertSign if keyUsage is present)
  // or lacks a subjectKeyIdentifier (issued certificates refer to it).
  static absl::StatusOr<std::unique_ptr<CertificateAuthority>> Load(
      absl::string_view certificate_pem, absl::Span<const uint8_t> private_key_pem);

  CertificateAuthority(const CertificateAuthority&) = delete;
  CertificateAuthority& operator=(const CertificateAuthority&) = delete;

  const std::string& certificate_pem() const { return certificate_pem_; }
  // The CA key as unencrypted PKCS#8 PEM: store it only in a file of mode 0600.
  hsm::SecureBytes private_key_pem() const { return private_key_pem_; }
  // Subject, validity and fingerprint of the CA certificate.
  const CertificateInfo& info() const { return info_; }

  // A certificate for a fresh P-256 key, signed by this CA: random 128-bit serial, the request's
  // subject (O=Yinjian development, OU if given, CN), subjectAltName with its DNS names and IPs,
  // critical keyUsage digitalSignature, extendedKeyUsage serverAuth or clientAuth, critical
  // basicConstraints CA:FALSE, subject and authority key identifiers. Valid from five minutes ago
  // for request.validity, cut short so it never outlives the CA. INVALID_ARGUMENT for a request
  // ValidateCertificateRequest rejects; FAILED_PRECONDITION if the CA has expired; INTERNAL if
  // OpenSSL fails. Safe to call from several threads at once.
  absl::StatusOr<IssuedCertificate> Issue(const CertificateRequest& request) const;

  // As Issue, for the public key of a PKCS#10 request (its self-signature is checked; its subject
  // and extensions are ignored: `request` decides them). private_key_pem stays empty: the key
  // never left the requester. INVALID_ARGUMENT also for a CSR that does not parse or verify.
  absl::StatusOr<IssuedCertificate> IssueForCsr(const CertificateRequest& request,
                                                absl::string_view csr_pem) const;

  // OK if `certificate_pem` names this CA as issuer and carries a valid signature by its key;
  // INVALID_ARGUMENT otherwise (including a certificate that does not parse). Does not check
  // validity times or extensions: this answers "is it ours?", not "is it acceptable?".
  absl::Status CheckIssued(absl::string_view certificate_pem) const;

 private:
  absl::StatusOr<hsm::X509Ptr> IssueFor(const CertificateRequest& request, EVP_PKEY* key) const;
  static absl::StatusOr<std::unique_ptr<CertificateAuthority>> FromParts(hsm::X509Ptr certificate,
                                                                         hsm::EvpPkeyPtr key);
  CertificateAuthority(hsm::X509Ptr certificate, hsm::EvpPkeyPtr key, std::string certificate_pem,
                       hsm::SecureBytes private_key_pem, CertificateInfo info);

  const hsm::X509Ptr certificate_;
  const hsm::EvpPkeyPtr key_;
  const std::string certificate_pem_;
  const hsm::SecureBytes private_key_pem_;
  const CertificateInfo info_;
};

}  // namespace yinjian::pki

#endif  // YINJIAN_SERVICE_PKI_CERTIFICATE_AUTHORITY_H_
