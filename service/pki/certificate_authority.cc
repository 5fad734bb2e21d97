#include "service/pki/certificate_authority.h"

#include <openssl/x509v3.h>

#include <algorithm>
#include <utility>

#include "common/status_macros.h"
#include "hsm/ossl_status.h"
#include "service/pki/certificate_builder.h"
#include "service/pki/pem_codec.h"

namespace yinjian::pki {
namespace {

// Certificates start this far in the past so a peer whose clock runs slightly behind accepts them.
constexpr absl::Duration kBackdate = absl::Minutes(5);

}  // namespace

CertificateAuthority::CertificateAuthority(hsm::X509Ptr certificate, hsm::EvpPkeyPtr key,
                                           std::string certificate_pem,
                                           hsm::SecureBytes private_key_pem, CertificateInfo info)
    : certificate_(std::move(certificate)),
      key_(std::move(key)),
      certificate_pem_(std::move(certificate_pem)),
      private_key_pem_(std::move(private_key_pem)),
      info_(std::move(info)) {}

absl::StatusOr<std::unique_ptr<CertificateAuthority>> CertificateAuthority::FromParts(
    hsm::X509Ptr certificate, hsm::EvpPkeyPtr key) {
  ASSIGN_OR_RETURN(std::string certificate_pem, CertificateToPem(certificate.get()));
  ASSIGN_OR_RETURN(hsm::SecureBytes private_key_pem, PrivateKeyToPkcs8Pem(key.get()));
  ASSIGN_OR_RETURN(CertificateInfo info, InspectX509(certificate.get()));
  return std::unique_ptr<CertificateAuthority>(
      new CertificateAuthority(std::move(certificate), std::move(key), std::move(certificate_pem),
                               std::move(private_key_pem), std::move(info)));
}

absl::StatusOr<std::unique_ptr<CertificateAuthority>> CertificateAuthority::Create(
    std::string common_name, absl::Duration validity) {
  RETURN_IF_ERROR(ValidateNameAttribute("CA common name", common_name, /*required=*/true));
  if (validity <= absl::ZeroDuration() || validity == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError("CA validity must be positive and finite");
  }
  ASSIGN_OR_RETURN(hsm::EvpPkeyPtr key, GenerateP256Key());
  ASSIGN_OR_RETURN(hsm::X509NamePtr name, BuildSubjectName(common_name, ""));
  const absl::Time now = absl::Now();
  ASSIGN_OR_RETURN(hsm::X509Ptr cert, NewCertificate(name.get(), name.get(), key.get(),
                                                     now - kBackdate, now + validity));
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  RETURN_IF_ERROR(
      AddExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE,pathlen:0"));
  RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_key_usage, "critical,keyCertSign,cRLSign"));
  RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  RETURN_IF_ERROR(SignCertificate(cert.get(), key.get()));
  return FromParts(std::move(cert), std::move(key));
}

absl::StatusOr<std::unique_ptr<CertificateAuthority>> CertificateAuthority::Load(
    absl::string_view certificate_pem, absl::Span<const uint8_t> private_key_pem) {
  ASSIGN_OR_RETURN(hsm::X509Ptr cert, ParseCertificatePem(certificate_pem));
  ASSIGN_OR_RETURN(hsm::EvpPkeyPtr key, ParsePrivateKeyPem(private_key_pem));
  if (EVP_PKEY_eq(X509_get0_pubkey(cert.get()), key.get()) != 1) {
    hsm::ClearOsslErrors();
    return absl::InvalidArgumentError("the private key does not belong to the CA certificate");
  }
  if (X509_check_ca(cert.get()) != 1) {  // 1: a v3 CA (CA:TRUE, keyCertSign if keyUsage given)
    return absl::InvalidArgumentError("the certificate is not a CA certificate");
  }
  if (X509_get0_subject_key_id(cert.get()) == nullptr) {
    return absl::InvalidArgumentError("the CA certificate has no subjectKeyIdentifier");
  }
  return FromParts(std::move(cert), std::move(key));
}

absl::StatusOr<hsm::X509Ptr> CertificateAuthority::IssueFor(const CertificateRequest& request,
                                                           EVP_PKEY* key) const {
  RETURN_IF_ERROR(ValidateCertificateRequest(request));
  const absl::Time now = absl::Now();
  const absl::Time not_before = std::max(now - kBackdate, info_.not_before);
  const absl::Time not_after = std::min(now + request.validity, info_.not_after);
  if (not_after <= now) return absl::FailedPreconditionError("the CA certificate has expired");

  ASSIGN_OR_RETURN(hsm::X509NamePtr subject,
                   BuildSubjectName(request.common_name, request.organizational_unit));
  ASSIGN_OR_RETURN(hsm::X509Ptr cert,
                   NewCertificate(subject.get(), X509_get_subject_name(certificate_.get()),
                                  key, not_before, not_after));
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, certificate_.get(), cert.get(), nullptr, nullptr, 0);
  RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE"));
  RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature"));
  RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_ext_key_usage,
                               request.server ? "serverAuth" : "clientAuth"));
  RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always"));
  RETURN_IF_ERROR(AddSubjectAltNames(cert.get(), request.dns_names, request.ip_addresses));
  RETURN_IF_ERROR(SignCertificate(cert.get(), key_.get()));
  return cert;
}

absl::StatusOr<IssuedCertificate> CertificateAuthority::Issue(
    const CertificateRequest& request) const {
  RETURN_IF_ERROR(ValidateCertificateRequest(request));
  ASSIGN_OR_RETURN(hsm::EvpPkeyPtr key, GenerateP256Key());
  ASSIGN_OR_RETURN(hsm::X509Ptr cert, IssueFor(request, key.get()));
  IssuedCertificate issued;
  ASSIGN_OR_RETURN(issued.certificate_pem, CertificateToPem(cert.get()));
  ASSIGN_OR_RETURN(issued.private_key_pem, PrivateKeyToPkcs8Pem(key.get()));
  ASSIGN_OR_RETURN(issued.fingerprint_sha256, FingerprintSha256(cert.get()));
  return issued;
}

absl::StatusOr<IssuedCertificate> CertificateAuthority::IssueForCsr(
    const CertificateRequest& request, absl::string_view csr_pem) const {
  ASSIGN_OR_RETURN(hsm::EvpPkeyPtr key, ParseCsrPublicKeyPem(csr_pem));
  ASSIGN_OR_RETURN(hsm::X509Ptr cert, IssueFor(request, key.get()));
  IssuedCertificate issued;
  ASSIGN_OR_RETURN(issued.certificate_pem, CertificateToPem(cert.get()));
  ASSIGN_OR_RETURN(issued.fingerprint_sha256, FingerprintSha256(cert.get()));
  return issued;
}

absl::Status CertificateAuthority::CheckIssued(absl::string_view certificate_pem) const {
  ASSIGN_OR_RETURN(hsm::X509Ptr cert, ParseCertificatePem(certificate_pem));
  // X509_check_issued compares names and key identifiers; X509_verify checks the signature.
  if (X509_check_issued(certificate_.get(), cert.get()) != X509_V_OK ||
      X509_verify(cert.get(), X509_get0_pubkey(certificate_.get())) != 1) {
    hsm::ClearOsslErrors();
    return absl::InvalidArgumentError("the certificate was not issued by this CA");
  }
  return absl::OkStatus();
}

}  // namespace yinjian::pki
