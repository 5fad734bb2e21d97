#include "service/pki/certificate_builder.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <climits>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "hsm/ossl_status.h"
#include "service/pki/certificate_request.h"

namespace yinjian::pki {
namespace {

constexpr int kSerialBits = 128;

absl::Status AddNameEntry(X509_NAME* name, int nid, absl::string_view value) {
  if (value.size() > INT_MAX ||
      X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(value.data()),
                                 static_cast<int>(value.size()), -1, 0) != 1) {
    return hsm::OsslInvalidArgument(absl::StrCat("certificate ", OBJ_nid2ln(nid)));
  }
  return absl::OkStatus();
}

absl::StatusOr<hsm::Asn1IntegerPtr> RandomSerial() {
  hsm::BignumPtr serial(BN_new());
  if (!serial) return hsm::OsslInternal("allocating a serial number");
  do {  // zero is not a positive serial; the chance of drawing it is 2^-128
    if (BN_rand(serial.get(), kSerialBits, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1) {
      return hsm::OsslInternal("drawing a random serial number");
    }
  } while (BN_is_zero(serial.get()));
  hsm::Asn1IntegerPtr integer(BN_to_ASN1_INTEGER(serial.get(), nullptr));
  if (!integer) return hsm::OsslInternal("encoding a serial number");
  return integer;
}

absl::Status SetTime(ASN1_TIME* field, absl::Time time) {
  // ASN1_TIME_set picks UTCTime before 2050 and GeneralizedTime after, as RFC 5280 requires.
  if (ASN1_TIME_set(field, absl::ToTimeT(time)) == nullptr) {
    return hsm::OsslInvalidArgument("certificate validity time");
  }
  return absl::OkStatus();
}

absl::Status PushName(GENERAL_NAMES* names, int type, ASN1_STRING* value) {
  hsm::GeneralNamePtr name(GENERAL_NAME_new());
  if (!name) {
    ASN1_STRING_free(value);
    return hsm::OsslInternal("allocating a subjectAltName entry");
  }
  GENERAL_NAME_set0_value(name.get(), type, value);  // name owns value from here on
  if (sk_GENERAL_NAME_push(names, name.get()) == 0) {
    return hsm::OsslInternal("adding a subjectAltName entry");
  }
  name.release();  // names owns it now
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<hsm::EvpPkeyPtr> GenerateP256Key() {
  hsm::EvpPkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return hsm::OsslInternal("generating a P-256 key");
  return key;
}

absl::StatusOr<hsm::X509NamePtr> BuildSubjectName(absl::string_view common_name,
                                                  absl::string_view organizational_unit) {
  hsm::X509NamePtr name(X509_NAME_new());
  if (!name) return hsm::OsslInternal("allocating a certificate name");
  RETURN_IF_ERROR(AddNameEntry(name.get(), NID_organizationName, kIssuedOrganization));
  if (!organizational_unit.empty()) {
    RETURN_IF_ERROR(AddNameEntry(name.get(), NID_organizationalUnitName, organizational_unit));
  }
  RETURN_IF_ERROR(AddNameEntry(name.get(), NID_commonName, common_name));
  return name;
}

absl::StatusOr<hsm::X509Ptr> NewCertificate(const X509_NAME* subject, const X509_NAME* issuer,
                                            EVP_PKEY* public_key, absl::Time not_before,
                                            absl::Time not_after) {
  hsm::X509Ptr cert(X509_new());
  if (!cert) return hsm::OsslInternal("allocating a certificate");
  ASSIGN_OR_RETURN(hsm::Asn1IntegerPtr serial, RandomSerial());
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      X509_set_serialNumber(cert.get(), serial.get()) != 1 ||
      X509_set_subject_name(cert.get(), subject) != 1 ||
      X509_set_issuer_name(cert.get(), issuer) != 1 ||
      X509_set_pubkey(cert.get(), public_key) != 1) {
    return hsm::OsslInternal("filling in a certificate");
  }
  RETURN_IF_ERROR(SetTime(X509_getm_notBefore(cert.get()), not_before));
  RETURN_IF_ERROR(SetTime(X509_getm_notAfter(cert.get()), not_after));
  return cert;
}

absl::Status AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  hsm::X509ExtensionPtr extension(X509V3_EXT_nconf_nid(nullptr, ctx, nid, value));
  if (!extension) return hsm::OsslInternal(absl::StrCat("building ", OBJ_nid2ln(nid)));
  if (X509_add_ext(cert, extension.get(), -1) != 1) {  // copies the extension
    return hsm::OsslInternal(absl::StrCat("adding ", OBJ_nid2ln(nid)));
  }
  return absl::OkStatus();
}

absl::Status AddSubjectAltNames(X509* cert, const std::vector<std::string>& dns_names,
                                const std::vector<std::string>& ip_addresses) {
  if (dns_names.empty() && ip_addresses.empty()) return absl::OkStatus();
  hsm::GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) return hsm::OsslInternal("allocating a subjectAltName");
  for (const std::string& dns_name : dns_names) {
    ASN1_IA5STRING* value = ASN1_IA5STRING_new();
    if (value == nullptr ||
        ASN1_STRING_set(value, dns_name.data(), static_cast<int>(dns_name.size())) != 1) {
      ASN1_IA5STRING_free(value);
      return hsm::OsslInternal("encoding a DNS name");
    }
    RETURN_IF_ERROR(PushName(names.get(), GEN_DNS, value));
  }
  for (const std::string& ip_address : ip_addresses) {
    ASSIGN_OR_RETURN(std::vector<uint8_t> octets, ParseIpAddress(ip_address));
    ASN1_OCTET_STRING* value = ASN1_OCTET_STRING_new();
    if (value == nullptr ||
        ASN1_OCTET_STRING_set(value, octets.data(), static_cast<int>(octets.size())) != 1) {
      ASN1_OCTET_STRING_free(value);
      return hsm::OsslInternal("encoding an IP address");
    }
    RETURN_IF_ERROR(PushName(names.get(), GEN_IPADD, value));
  }
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), /*crit=*/0, X509V3_ADD_APPEND) !=
      1) {
    return hsm::OsslInternal("adding a subjectAltName");
  }
  return absl::OkStatus();
}

absl::Status SignCertificate(X509* cert, EVP_PKEY* key) {
  const bool prehashes = !EVP_PKEY_is_a(key, "ED25519") && !EVP_PKEY_is_a(key, "ED448");
  if (X509_sign(cert, key, prehashes ? EVP_sha256() : nullptr) <= 0) {
    return hsm::OsslInternal("signing a certificate");
  }
  return absl::OkStatus();
}

}  // namespace yinjian::pki
