// The development PKI `yinjian-server init` writes: a CA, a server certificate for the local
// machine and a first administrator's client certificate, as PEM files in one directory. For
// development and small deployments; production brings its own CA (docs/pki.md).
#ifndef YINJIAN_SERVICE_PKI_DEV_PKI_H_
#define YINJIAN_SERVICE_PKI_DEV_PKI_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace yinjian::pki {

// File names inside the directory. Keys are mode 0600, certificates 0644.
inline constexpr char kCaCertificateFile[] = "ca.pem";
inline constexpr char kCaKeyFile[] = "ca.key";
inline constexpr char kServerCertificateFile[] = "server.pem";
inline constexpr char kServerKeyFile[] = "server.key";
inline constexpr char kAdminCertificateFile[] = "admin.pem";
inline constexpr char kAdminKeyFile[] = "admin.key";

// The common name of the development server certificate.
inline constexpr char kServerCommonName[] = "yinjian-server";

struct DevPkiOptions {
  std::string ca_common_name = "Yinjian development CA";
  std::string admin_common_name = "admin";
  std::string admin_organizational_unit = "yinjian-admin";
  // Server subjectAltNames beyond localhost, 127.0.0.1 and ::1 (e.g. the host's name and address).
  std::vector<std::string> extra_server_dns_names;
  std::vector<std::string> extra_server_ip_addresses;
  absl::Duration ca_validity = absl::Hours(24 * 365 * 10);
  absl::Duration leaf_validity = absl::Hours(24 * 365);
};

struct DevelopmentPki {
  std::string ca_certificate_path;
  std::string ca_key_path;
  std::string server_certificate_path;
  std::string server_key_path;
  std::string admin_certificate_path;
  std::string admin_key_path;
  std::string ca_fingerprint_sha256;       // lowercase hex SHA-256 of ca.pem's DER
  std::string admin_fingerprint_sha256;    // binds the first administrator (R7)
  std::vector<std::string> created_files;  // paths written by this call, in order
};

// Makes sure `dir` (created with mode 0700 if missing; its parent must exist) holds the six files
// above, and returns their paths and fingerprints. Idempotent: an existing CA (ca.pem and ca.key)
// is loaded and reused, never replaced, and an existing certificate/key pair is kept as it is;
// only missing pairs are issued, and the options only shape what is issued now. Each file is
// written atomically and never overwritten.
//
// Fails with INVALID_ARGUMENT for bad options (before touching the disk) or an existing CA pair
// that does not load (see CertificateAuthority::Load); FAILED_PRECONDITION if only one file of a
// pair exists, if an existing leaf certificate was not issued by the CA in ca.pem or does not
// match its key, or if `dir` is not a directory; ALREADY_EXISTS if another process created a
// file meanwhile; otherwise the errno status of the failing file operation. Pairs completed
// before a failure stay (so a rerun continues); a pair is never left half written.
absl::StatusOr<DevelopmentPki> CreateDevelopmentPki(const std::string& dir,
                                                    const DevPkiOptions& options);

}  // namespace yinjian::pki

#endif  // YINJIAN_SERVICE_PKI_DEV_PKI_H_
