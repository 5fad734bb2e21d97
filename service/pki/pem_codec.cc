#include "service/pki/pem_codec.h"

#include <openssl/pem.h>

#include <climits>

#include "hsm/ossl_status.h"

namespace yinjian::pki {
namespace {

// A pem_password_cb that supplies no password, so an encrypted key fails instead of OpenSSL's
// default callback prompting on the terminal.
int NoPassword(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) { return 0; }

absl::StatusOr<hsm::BioPtr> ReadOnlyBio(const void* data, size_t size) {
  if (size > INT_MAX) return absl::InvalidArgumentError("input is too large");
  hsm::BioPtr bio(BIO_new_mem_buf(data, static_cast<int>(size)));
  if (!bio) return hsm::OsslInternal("allocating a memory BIO");
  return bio;
}

}  // namespace

absl::StatusOr<hsm::X509Ptr> ParseCertificatePem(absl::string_view pem) {
  absl::StatusOr<hsm::BioPtr> bio = ReadOnlyBio(pem.data(), pem.size());
  if (!bio.ok()) return bio.status();
  hsm::X509Ptr cert(PEM_read_bio_X509(bio->get(), nullptr, NoPassword, nullptr));
  if (!cert) return hsm::OsslInvalidArgument("not a PEM certificate");
  return cert;
}

absl::StatusOr<hsm::EvpPkeyPtr> ParseCsrPublicKeyPem(absl::string_view pem) {
  absl::StatusOr<hsm::BioPtr> bio = ReadOnlyBio(pem.data(), pem.size());
  if (!bio.ok()) return bio.status();
  hsm::X509ReqPtr request(PEM_read_bio_X509_REQ(bio->get(), nullptr, NoPassword, nullptr));
  if (!request) return hsm::OsslInvalidArgument("not a PEM certificate request");
  hsm::EvpPkeyPtr key(X509_REQ_get_pubkey(request.get()));
  if (!key) return hsm::OsslInvalidArgument("the certificate request has no usable public key");
  if (X509_REQ_verify(request.get(), key.get()) != 1) {
    return hsm::OsslInvalidArgument("the certificate request's signature does not verify");
  }
  return key;
}

absl::StatusOr<hsm::X509Ptr> ParseCertificateDer(absl::Span<const uint8_t> der) {
  if (der.size() > LONG_MAX) return absl::InvalidArgumentError("certificate is too large");
  const unsigned char* next = der.data();
  hsm::X509Ptr cert(d2i_X509(nullptr, &next, static_cast<long>(der.size())));
  if (!cert) return hsm::OsslInvalidArgument("not a DER certificate");
  if (next != der.data() + der.size()) {
    return absl::InvalidArgumentError("trailing bytes after the DER certificate");
  }
  return cert;
}

absl::StatusOr<std::string> CertificateToPem(const X509* cert) {
  hsm::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return hsm::OsslInternal("encoding a certificate as PEM");
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

absl::StatusOr<hsm::Bytes> CertificateToDer(const X509* cert) {
  const int size = i2d_X509(cert, nullptr);
  if (size <= 0) return hsm::OsslInternal("encoding a certificate as DER");
  hsm::Bytes der(static_cast<size_t>(size));
  unsigned char* next = der.data();
  if (i2d_X509(cert, &next) != size) return hsm::OsslInternal("encoding a certificate as DER");
  return der;
}

absl::StatusOr<hsm::EvpPkeyPtr> ParsePrivateKeyPem(absl::Span<const uint8_t> pem) {
  absl::StatusOr<hsm::BioPtr> bio = ReadOnlyBio(pem.data(), pem.size());
  if (!bio.ok()) return bio.status();
  hsm::EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio->get(), nullptr, NoPassword, nullptr));
  if (!key) return hsm::OsslInvalidArgument("not an unencrypted PEM private key");
  return key;
}

absl::StatusOr<hsm::SecureBytes> PrivateKeyToPkcs8Pem(const EVP_PKEY* key) {
  // The secure-memory BIO wipes its buffer when freed (and lives in the secure heap if the
  // process set one up), so the only lasting copy is the SecureBytes returned.
  hsm::BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return hsm::OsslInternal("encoding a private key as PKCS#8 PEM");
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return hsm::SecureBytes(data, data + size);
}

}  // namespace yinjian::pki
