#include "cli/certificate_signing_request.h"

#include <openssl/pem.h>

#include <climits>

#include "common/status_macros.h"
#include "hsm/ossl_status.h"
#include "service/pki/certificate_builder.h"
#include "service/pki/certificate_request.h"
#include "service/pki/pem_codec.h"

namespace yinjian::cli {
namespace {

absl::StatusOr<hsm::X509NamePtr> CommonNameOnly(absl::string_view common_name) {
  hsm::X509NamePtr name(X509_NAME_new());
  if (!name) return hsm::OsslInternal("allocating a subject name");
  if (common_name.size() > INT_MAX ||
      X509_NAME_add_entry_by_NID(name.get(), NID_commonName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.data()),
                                 static_cast<int>(common_name.size()), -1, 0) != 1) {
    return hsm::OsslInvalidArgument("certificate request common name");
  }
  return name;
}

absl::StatusOr<std::string> RequestToPem(X509_REQ* request) {
  hsm::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_REQ(bio.get(), request) != 1) {
    return hsm::OsslInternal("encoding a certificate request as PEM");
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

}  // namespace

absl::StatusOr<KeyAndCsr> GenerateKeyAndCsr(absl::string_view common_name) {
  // The same checks the server's CA applies, so a bad name fails before a key is made.
  RETURN_IF_ERROR(pki::ValidateNameAttribute("principal name", common_name, /*required=*/true));
  ASSIGN_OR_RETURN(hsm::EvpPkeyPtr key, pki::GenerateP256Key());
  ASSIGN_OR_RETURN(const hsm::X509NamePtr subject, CommonNameOnly(common_name));
  hsm::X509ReqPtr request(X509_REQ_new());
  if (!request) return hsm::OsslInternal("allocating a certificate request");
  // Version 1 (encoded as 0) is the only PKCS#10 version.
  if (X509_REQ_set_version(request.get(), X509_REQ_VERSION_1) != 1 ||
      X509_REQ_set_subject_name(request.get(), subject.get()) != 1 ||
      X509_REQ_set_pubkey(request.get(), key.get()) != 1) {
    return hsm::OsslInternal("filling in a certificate request");
  }
  if (X509_REQ_sign(request.get(), key.get(), EVP_sha256()) <= 0) {
    return hsm::OsslInternal("signing a certificate request");
  }
  ASSIGN_OR_RETURN(std::string csr_pem, RequestToPem(request.get()));
  return KeyAndCsr{.key = std::move(key), .csr_pem = std::move(csr_pem)};
}

absl::Status CheckCertificateMatchesKey(absl::string_view certificate_pem, const EVP_PKEY* key) {
  ASSIGN_OR_RETURN(const hsm::X509Ptr certificate, pki::ParseCertificatePem(certificate_pem));
  const EVP_PKEY* certified = X509_get0_pubkey(certificate.get());
  if (certified == nullptr || EVP_PKEY_eq(certified, key) != 1) {
    hsm::ClearOsslErrors();
    return absl::InvalidArgumentError("the certificate is not for the key generated for it");
  }
  return absl::OkStatus();
}

}  // namespace yinjian::cli
