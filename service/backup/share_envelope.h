// Share files sealed for their custodians: CMS AuthEnvelopedData (AES-256-GCM, RFC 5083) to the
// custodian's X.509 certificate, in PEM. With custodian certificates, a backup never holds a
// share in the clear, not even in the memory of the administrator who made it; each custodian
// opens their own with standard tools:
//   openssl cms -decrypt -inform PEM -in custodian-1.share.cms -recip cert.pem -inkey key.pem
#ifndef YINJIAN_SERVICE_BACKUP_SHARE_ENVELOPE_H_
#define YINJIAN_SERVICE_BACKUP_SHARE_ENVELOPE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace yinjian::backup {

inline constexpr char kSealedShareSuffix[] = ".cms";
inline constexpr char kCmsPemHeader[] = "-----BEGIN CMS-----";

// INVALID_ARGUMENT if `certificate_pem` is not a certificate whose key CMS can encrypt to
// (RSA or EC).
absl::Status CheckCustodianCertificate(absl::string_view certificate_pem);

// `share` sealed for the holder of `certificate_pem`, as PEM ("-----BEGIN CMS-----").
absl::StatusOr<std::string> SealShare(absl::string_view share, absl::string_view certificate_pem);

}  // namespace yinjian::backup

#endif  // YINJIAN_SERVICE_BACKUP_SHARE_ENVELOPE_H_
