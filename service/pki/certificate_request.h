// What a caller asks the CA for: a subject, a role (TLS server or client), names and a lifetime,
// and the checks that decide whether such a certificate may be issued.
#ifndef YINJIAN_SERVICE_PKI_CERTIFICATE_REQUEST_H_
#define YINJIAN_SERVICE_PKI_CERTIFICATE_REQUEST_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace yinjian::pki {

struct CertificateRequest {
  std::string common_name;             // the principal's name; 1 to 64 characters of UTF-8
  std::string organizational_unit;     // the department; empty for none; at most 64 characters
  bool server = false;                 // extendedKeyUsage serverAuth if true, clientAuth otherwise
  std::vector<std::string> dns_names;  // subjectAltName dNSName entries ("*.x" allowed)
  std::vector<std::string> ip_addresses;  // subjectAltName iPAddress entries, IPv4 or IPv6 text
  absl::Duration validity = absl::Hours(24 * 365);
};

// OK if a certificate can be issued for `request`; otherwise INVALID_ARGUMENT naming the first
// problem: an empty common name, a common name or unit longer than 64 characters (RFC 5280's
// upper bound), not UTF-8 or holding control characters, a DNS name that is not a hostname, an
// IP address that is not an IPv4 or IPv6 literal, or a validity that is not positive.
absl::Status ValidateCertificateRequest(const CertificateRequest& request);

// The checks ValidateCertificateRequest applies to one name attribute (`what` names it in the
// message). An empty value is accepted only if `required` is false.
absl::Status ValidateNameAttribute(absl::string_view what, absl::string_view value, bool required);

// The 4-byte (IPv4 dotted quad) or 16-byte (IPv6, including "::1" and "::ffff:1.2.3.4") network
// form of an IP literal, as a subjectAltName stores it. INVALID_ARGUMENT for anything else,
// including surrounding spaces, IPv4 shorthand such as "127.1", and zone suffixes ("fe80::1%eth0").
absl::StatusOr<std::vector<uint8_t>> ParseIpAddress(absl::string_view text);

}  // namespace yinjian::pki

#endif  // YINJIAN_SERVICE_PKI_CERTIFICATE_REQUEST_H_
