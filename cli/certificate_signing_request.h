// A fresh client key pair and a PKCS#10 certificate signing request for it, made locally with
// OpenSSL so the private key never leaves this machine: the server's CA sees only the request.
#ifndef YINJIAN_CLI_CERTIFICATE_SIGNING_REQUEST_H_
#define YINJIAN_CLI_CERTIFICATE_SIGNING_REQUEST_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "hsm/ossl_ptr.h"

namespace yinjian::cli {

struct KeyAndCsr {
  hsm::EvpPkeyPtr key;   // the new private key; the caller decides where (if anywhere) it goes
  std::string csr_pem;   // "-----BEGIN CERTIFICATE REQUEST-----"
};

// A fresh ECDSA P-256 key and a request for it with subject CN=`common_name`, signed with the
// key (ECDSA with SHA-256). INVALID_ARGUMENT for a name a certificate cannot carry (empty, over
// 64 characters, not UTF-8, control characters); INTERNAL if OpenSSL fails.
absl::StatusOr<KeyAndCsr> GenerateKeyAndCsr(absl::string_view common_name);

// OK if the first certificate in `certificate_pem` is for `key`'s public key. INVALID_ARGUMENT if
// it does not parse or names another key.
absl::Status CheckCertificateMatchesKey(absl::string_view certificate_pem, const EVP_PKEY* key);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_CERTIFICATE_SIGNING_REQUEST_H_
