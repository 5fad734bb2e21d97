#include "service/pki/dev_pki.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "service/pki/certificate_authority.h"
#include "service/pki/certificate_info.h"
#include "service/pki/pem_codec.h"
#include "service/pki/pem_files.h"

namespace yinjian::pki {
namespace {

std::string Join(const std::string& dir, const char* file) {
  return (std::filesystem::path(dir) / file).string();
}

// Which files of a certificate/key pair exist. FAILED_PRECONDITION if only one does.
absl::StatusOr<bool> PairExists(const std::string& certificate_path, const std::string& key_path) {
  ASSIGN_OR_RETURN(bool certificate_exists, PathExists(certificate_path));
  ASSIGN_OR_RETURN(bool key_exists, PathExists(key_path));
  if (certificate_exists != key_exists) {
    return absl::FailedPreconditionError(
        absl::StrCat(certificate_exists ? certificate_path : key_path, " exists without ",
                     certificate_exists ? key_path : certificate_path,
                     "; restore the missing file or remove both to issue a new pair"));
  }
  return certificate_exists;
}

// Writes a new key (0600) and then its certificate (0644); removes the key again if the
// certificate cannot be written, so a failed run leaves no half pair behind.
absl::Status WritePair(const std::string& certificate_path, const std::string& certificate_pem,
                       const std::string& key_path, const hsm::SecureBytes& key_pem,
                       std::vector<std::string>& created_files) {
  RETURN_IF_ERROR(WriteFileAtomically(key_path, key_pem, kPrivateKeyFileMode, IfExists::kFail));
  if (absl::Status written = WriteFileAtomically(certificate_path, certificate_pem,
                                                 kCertificateFileMode, IfExists::kFail);
      !written.ok()) {
    ::unlink(key_path.c_str());
    return written;
  }
  created_files.push_back(key_path);
  created_files.push_back(certificate_path);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<CertificateAuthority>> LoadOrCreateCa(const DevPkiOptions& options,
                                                                     DevelopmentPki& pki) {
  ASSIGN_OR_RETURN(bool exists, PairExists(pki.ca_certificate_path, pki.ca_key_path));
  if (exists) {
    ASSIGN_OR_RETURN(std::string certificate_pem, ReadPemFile(pki.ca_certificate_path));
    ASSIGN_OR_RETURN(hsm::SecureBytes key_pem, ReadSecretPemFile(pki.ca_key_path));
    absl::StatusOr<std::unique_ptr<CertificateAuthority>> ca =
        CertificateAuthority::Load(certificate_pem, key_pem);
    if (!ca.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("existing CA in ", pki.ca_certificate_path,
                                                     " does not load: ", ca.status().message()));
    }
    return ca;
  }
  ASSIGN_OR_RETURN(std::unique_ptr<CertificateAuthority> ca,
                   CertificateAuthority::Create(options.ca_common_name, options.ca_validity));
  RETURN_IF_ERROR(WritePair(pki.ca_certificate_path, ca->certificate_pem(), pki.ca_key_path,
                            ca->private_key_pem(), pki.created_files));
  return ca;
}

// Keeps an existing pair that belongs to `ca`, or issues and writes a new one; returns the
// certificate's fingerprint.
absl::StatusOr<std::string> EnsureLeaf(const CertificateAuthority& ca,
                                       const std::string& certificate_path,
                                       const std::string& key_path,
                                       const CertificateRequest& request,
                                       std::vector<std::string>& created_files) {
  ASSIGN_OR_RETURN(bool exists, PairExists(certificate_path, key_path));
  if (!exists) {
    ASSIGN_OR_RETURN(IssuedCertificate issued, ca.Issue(request));
    RETURN_IF_ERROR(WritePair(certificate_path, issued.certificate_pem, key_path,
                              issued.private_key_pem, created_files));
    return issued.fingerprint_sha256;
  }
  ASSIGN_OR_RETURN(std::string certificate_pem, ReadPemFile(certificate_path));
  ASSIGN_OR_RETURN(hsm::SecureBytes key_pem, ReadSecretPemFile(key_path));
  if (!ca.CheckIssued(certificate_pem).ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        certificate_path, " was not issued by the CA in this directory; remove it and ", key_path,
        " to issue a new pair"));
  }
  ASSIGN_OR_RETURN(hsm::X509Ptr certificate, ParseCertificatePem(certificate_pem));
  absl::StatusOr<hsm::EvpPkeyPtr> key = ParsePrivateKeyPem(key_pem);
  if (!key.ok() || EVP_PKEY_eq(X509_get0_pubkey(certificate.get()), key->get()) != 1) {
    return absl::FailedPreconditionError(
        absl::StrCat(key_path, " is not the private key of ", certificate_path));
  }
  return FingerprintSha256(certificate.get());
}

}  // namespace

absl::StatusOr<DevelopmentPki> CreateDevelopmentPki(const std::string& dir,
                                                    const DevPkiOptions& options) {
  CertificateRequest server_request{
      .common_name = kServerCommonName,
      .server = true,
      .dns_names = {"localhost"},
      .ip_addresses = {"127.0.0.1", "::1"},
      .validity = options.leaf_validity,
  };
  server_request.dns_names.insert(server_request.dns_names.end(),
                                  options.extra_server_dns_names.begin(),
                                  options.extra_server_dns_names.end());
  server_request.ip_addresses.insert(server_request.ip_addresses.end(),
                                     options.extra_server_ip_addresses.begin(),
                                     options.extra_server_ip_addresses.end());
  const CertificateRequest admin_request{
      .common_name = options.admin_common_name,
      .organizational_unit = options.admin_organizational_unit,
      .server = false,
      .validity = options.leaf_validity,
  };
  // Bad options fail before anything is written.
  RETURN_IF_ERROR(ValidateCertificateRequest(server_request));
  RETURN_IF_ERROR(ValidateCertificateRequest(admin_request));

  RETURN_IF_ERROR(EnsurePrivateDirectory(dir));
  DevelopmentPki pki{
      .ca_certificate_path = Join(dir, kCaCertificateFile),
      .ca_key_path = Join(dir, kCaKeyFile),
      .server_certificate_path = Join(dir, kServerCertificateFile),
      .server_key_path = Join(dir, kServerKeyFile),
      .admin_certificate_path = Join(dir, kAdminCertificateFile),
      .admin_key_path = Join(dir, kAdminKeyFile),
  };
  ASSIGN_OR_RETURN(std::unique_ptr<CertificateAuthority> ca, LoadOrCreateCa(options, pki));
  pki.ca_fingerprint_sha256 = ca->info().fingerprint_sha256;
  RETURN_IF_ERROR(EnsureLeaf(*ca, pki.server_certificate_path, pki.server_key_path, server_request,
                             pki.created_files)
                      .status());
  ASSIGN_OR_RETURN(pki.admin_fingerprint_sha256,
                   EnsureLeaf(*ca, pki.admin_certificate_path, pki.admin_key_path, admin_request,
                              pki.created_files));
  return pki;
}

}  // namespace yinjian::pki
