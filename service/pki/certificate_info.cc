#include "service/pki/certificate_info.h"

#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <ctime>
#include <memory>

#include "absl/strings/escaping.h"
#include "common/status_macros.h"
#include "hsm/ossl_status.h"
#include "service/pki/pem_codec.h"

namespace yinjian::pki {
namespace {

struct OpensslFree {
  void operator()(unsigned char* ptr) const { OPENSSL_free(ptr); }
};

// The first `nid` attribute of `name` as UTF-8, or "" if there is none.
absl::StatusOr<std::string> NameAttribute(const X509_NAME* name, int nid) {
  const int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0) return std::string();
  const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* raw_utf8 = nullptr;
  const int size = ASN1_STRING_to_UTF8(&raw_utf8, value);
  std::unique_ptr<unsigned char, OpensslFree> utf8(raw_utf8);
  if (size < 0) return hsm::OsslInvalidArgument("certificate name attribute does not decode");
  return std::string(reinterpret_cast<const char*>(utf8.get()), static_cast<size_t>(size));
}

absl::StatusOr<absl::Time> ToTime(const ASN1_TIME* time) {
  struct tm broken_down = {};
  if (time == nullptr || ASN1_TIME_to_tm(time, &broken_down) != 1) {
    return hsm::OsslInvalidArgument("certificate validity time does not decode");
  }
  return absl::FromTM(broken_down, absl::UTCTimeZone());
}

}  // namespace

absl::StatusOr<std::string> FingerprintSha256(const X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (X509_digest(cert, EVP_sha256(), digest, &size) != 1) {
    return hsm::OsslInternal("hashing a certificate");
  }
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), size));
}

absl::StatusOr<CertificateInfo> InspectX509(const X509* cert) {
  const X509_NAME* subject = X509_get_subject_name(cert);
  CertificateInfo info;
  ASSIGN_OR_RETURN(info.common_name, NameAttribute(subject, NID_commonName));
  ASSIGN_OR_RETURN(info.organizational_unit, NameAttribute(subject, NID_organizationalUnitName));
  ASSIGN_OR_RETURN(info.issuer_common_name,
                   NameAttribute(X509_get_issuer_name(cert), NID_commonName));
  ASSIGN_OR_RETURN(info.not_before, ToTime(X509_get0_notBefore(cert)));
  ASSIGN_OR_RETURN(info.not_after, ToTime(X509_get0_notAfter(cert)));
  ASSIGN_OR_RETURN(info.fingerprint_sha256, FingerprintSha256(cert));
  return info;
}

absl::StatusOr<CertificateInfo> InspectCertificate(absl::string_view pem) {
  ASSIGN_OR_RETURN(hsm::X509Ptr cert, ParseCertificatePem(pem));
  return InspectX509(cert.get());
}

absl::StatusOr<CertificateInfo> InspectCertificateDer(absl::Span<const uint8_t> der) {
  ASSIGN_OR_RETURN(hsm::X509Ptr cert, ParseCertificateDer(der));
  return InspectX509(cert.get());
}

}  // namespace yinjian::pki
