#include "service/backup/share_envelope.h"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "hsm/ossl_ptr.h"
#include "service/pki/pem_codec.h"

namespace yinjian::backup {
namespace {

struct CmsFree {
  void operator()(CMS_ContentInfo* cms) const { CMS_ContentInfo_free(cms); }
};

absl::StatusOr<hsm::X509Ptr> Certificate(absl::string_view certificate_pem) {
  absl::StatusOr<hsm::X509Ptr> certificate = pki::ParseCertificatePem(certificate_pem);
  if (!certificate.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("a custodian certificate is not a PEM X.509 "
                     "certificate: ",
                     certificate.status().message()));
  }
  const EVP_PKEY* key = X509_get0_pubkey(certificate->get());
  if (key == nullptr || !(EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "EC"))) {
    return absl::InvalidArgumentError(
        "a custodian certificate must hold an RSA or EC key (CMS encrypts to those)");
  }
  return certificate;
}

}  // namespace

absl::Status CheckCustodianCertificate(absl::string_view certificate_pem) {
  return Certificate(certificate_pem).status();
}

absl::StatusOr<std::string> SealShare(absl::string_view share, absl::string_view certificate_pem) {
  ASSIGN_OR_RETURN(hsm::X509Ptr certificate, Certificate(certificate_pem));
  STACK_OF(X509)* recipients = sk_X509_new_null();
  if (recipients == nullptr || sk_X509_push(recipients, certificate.get()) != 1) {
    sk_X509_free(recipients);
    return absl::ResourceExhaustedError("out of memory");
  }
  hsm::BioPtr in(BIO_new_mem_buf(share.data(), static_cast<int>(share.size())));
  std::unique_ptr<CMS_ContentInfo, CmsFree> cms(
      in == nullptr ? nullptr : CMS_encrypt(recipients, in.get(), EVP_aes_256_gcm(), CMS_BINARY));
  sk_X509_free(recipients);  // the certificate itself is still owned by `certificate`
  if (cms == nullptr) {
    ERR_clear_error();
    return absl::InvalidArgumentError("CMS could not encrypt a share to a custodian certificate");
  }
  hsm::BioPtr out(BIO_new(BIO_s_mem()));
  if (out == nullptr || PEM_write_bio_CMS_stream(out.get(), cms.get(), nullptr, 0) != 1) {
    ERR_clear_error();
    return absl::InternalError("cannot write a sealed share");
  }
  char* data = nullptr;
  const long length = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<size_t>(length));
}

}  // namespace yinjian::backup
