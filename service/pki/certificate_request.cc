#include "service/pki/certificate_request.h"

#include <arpa/inet.h>
#include <openssl/asn1.h>

#include <algorithm>
#include <climits>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"

namespace yinjian::pki {
namespace {

// RFC 5280 ub-common-name and ub-organizational-unit-name, counted in characters.
constexpr int kMaxNameCharacters = 64;
constexpr size_t kMaxDnsNameLength = 253;
constexpr size_t kMaxDnsLabelLength = 63;

absl::Status ValidateDnsName(absl::string_view name) {
  const auto invalid = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("DNS name \"", name, "\" ", why));
  };
  if (name.empty()) return absl::InvalidArgumentError("DNS name is empty");
  if (name.size() > kMaxDnsNameLength) return invalid("is longer than 253 characters");
  if (name == "*") return invalid("is a bare wildcard");
  bool first = true;
  for (absl::string_view label : absl::StrSplit(name, '.')) {
    const bool wildcard = first && label == "*";  // only as the whole leftmost label
    first = false;
    if (wildcard) continue;
    if (label.empty()) return invalid("has an empty label");
    if (label.size() > kMaxDnsLabelLength) return invalid("has a label over 63 characters");
    if (label.front() == '-' || label.back() == '-') {
      return invalid("has a label starting or ending with '-'");
    }
    for (char c : label) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-') {
        return invalid("may hold only letters, digits, '-', '.' and a leading \"*.\"");
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateNameAttribute(absl::string_view what, absl::string_view value, bool required) {
  if (value.empty()) {
    if (!required) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat(what, " is empty"));
  }
  const auto* next = reinterpret_cast<const unsigned char*>(value.data());
  size_t left = value.size();
  int characters = 0;
  while (left > 0) {
    unsigned long code_point = 0;
    const int consumed =
        UTF8_getc(next, static_cast<int>(std::min<size_t>(left, INT_MAX)), &code_point);
    if (consumed <= 0) return absl::InvalidArgumentError(absl::StrCat(what, " is not UTF-8"));
    if (code_point < 0x20 || (code_point >= 0x7f && code_point < 0xa0)) {
      return absl::InvalidArgumentError(absl::StrCat(what, " contains a control character"));
    }
    next += consumed;
    left -= static_cast<size_t>(consumed);
    ++characters;
  }
  if (characters > kMaxNameCharacters) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " is longer than ", kMaxNameCharacters, " characters"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<uint8_t>> ParseIpAddress(absl::string_view text) {
  const std::string nul_terminated(text);  // inet_pton wants a C string
  std::vector<uint8_t> v4(4);
  if (inet_pton(AF_INET, nul_terminated.c_str(), v4.data()) == 1) return v4;
  std::vector<uint8_t> v6(16);
  if (inet_pton(AF_INET6, nul_terminated.c_str(), v6.data()) == 1) return v6;
  return absl::InvalidArgumentError(absl::StrCat("\"", text, "\" is not an IPv4 or IPv6 address"));
}

absl::Status ValidateCertificateRequest(const CertificateRequest& request) {
  RETURN_IF_ERROR(ValidateNameAttribute("common name", request.common_name, /*required=*/true));
  RETURN_IF_ERROR(ValidateNameAttribute("organizational unit", request.organizational_unit,
                                        /*required=*/false));
  for (const std::string& name : request.dns_names) RETURN_IF_ERROR(ValidateDnsName(name));
  for (const std::string& ip : request.ip_addresses) {
    RETURN_IF_ERROR(ParseIpAddress(ip).status());
  }
  if (request.validity <= absl::ZeroDuration() || request.validity == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError("certificate validity must be positive and finite");
  }
  return absl::OkStatus();
}

}  // namespace yinjian::pki
