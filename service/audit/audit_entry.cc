#include "service/audit/audit_entry.h"

#include <openssl/evp.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "hsm/digest_algorithm.h"
#include "hsm/ossl_ptr.h"

namespace yinjian::audit {
namespace {

// The length of the valid UTF-8 sequence starting at text[at], or 0 if there is none.
size_t Utf8SequenceLength(absl::string_view text, size_t at) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  size_t length = 0;
  uint32_t min = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, min = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, min = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, min = 0x10000;
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  uint32_t code = lead & (0x7F >> length);
  for (size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(at + i) & 0x3F);
  }
  if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

}  // namespace

void AppendJsonString(std::string& out, absl::string_view text) {
  out += '"';
  for (size_t at = 0; at < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[at]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7F) {
      absl::StrAppendFormat(&out, "\\u%04x", c);
    } else if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (size_t length = Utf8SequenceLength(text, at); length > 0) {
      out.append(text.data() + at, length);
      at += length;
      continue;
    } else {
      absl::StrAppendFormat(&out, "\\u%04x", c);
    }
    ++at;
  }
  out += '"';
}

std::string JsonString(absl::string_view text) {
  std::string out;
  AppendJsonString(out, text);
  return out;
}

std::string EncodeJsonObject(std::vector<std::pair<std::string, std::string>> fields) {
  std::sort(fields.begin(), fields.end());
  std::string out = "{";
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(out, fields[i].first);
    out += ':';
    out += fields[i].second;
  }
  out += '}';
  return out;
}

std::string FormatEntryTime(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", time, absl::UTCTimeZone());
}

std::string EncodeEntry(const AuditEvent& event, int64_t index) {
  return EncodeJsonObject({
      {"certificate", JsonString(event.certificate)},
      {"decision", JsonString(event.decision)},
      {"department", JsonString(event.department)},
      {"index", absl::StrCat(index)},
      {"key", JsonString(event.key)},
      {"key_version", absl::StrCat(event.key_version)},
      {"operation", JsonString(event.operation)},
      {"principal", JsonString(event.principal)},
      {"purpose", JsonString(event.purpose)},
      {"reason", JsonString(event.reason)},
      {"request_digest", JsonString(event.request_digest)},
      {"response_digest", JsonString(event.response_digest)},
      {"result", JsonString(event.result)},
      {"time", JsonString(FormatEntryTime(event.time))},
      {"v", absl::StrCat(kEntryFormatVersion)},
  });
}

std::string SaltedDigestHex(absl::string_view salt, absl::string_view payload) {
  hsm::EvpMdCtxPtr context(EVP_MD_CTX_new());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (context == nullptr ||
      EVP_DigestInit_ex(context.get(), hsm::FetchedDigest(hsm::DigestAlgorithm::kSha256),
                        nullptr) != 1 ||
      EVP_DigestUpdate(context.get(), salt.data(), salt.size()) != 1 ||
      EVP_DigestUpdate(context.get(), payload.data(), payload.size()) != 1 ||
      EVP_DigestFinal_ex(context.get(), digest, &length) != 1) {
    // Only an allocation failure gets here; an empty digest can never match a caller's.
    return "";
  }
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), length));
}

}  // namespace yinjian::audit
