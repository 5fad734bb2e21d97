#include "service/audit/text_fields.h"

#include <algorithm>
#include <limits>

#include "absl/strings/escaping.h"

namespace yinjian::audit {
namespace {

// Decodes the UTF-8 sequence starting at text[*pos] and advances *pos past it. False for an
// invalid sequence.
bool NextCodePoint(absl::string_view text, size_t* pos, char32_t* out) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  const uint8_t lead = byte(*pos);
  if (lead < 0x80) {
    *out = lead;
    *pos += 1;
    return true;
  }
  // Sequence length, the smallest code point that needs it (to refuse overlong forms), and the
  // payload bits of the lead byte.
  size_t length = 0;
  char32_t min = 0;
  if ((lead & 0xe0) == 0xc0) {
    length = 2;
    min = 0x80;
    *out = lead & 0x1f;
  } else if ((lead & 0xf0) == 0xe0) {
    length = 3;
    min = 0x800;
    *out = lead & 0x0f;
  } else if ((lead & 0xf8) == 0xf0) {
    length = 4;
    min = 0x10000;
    *out = lead & 0x07;
  } else {
    return false;  // a continuation byte, or 0xF8..0xFF
  }
  if (text.size() - *pos < length) return false;
  for (size_t i = 1; i < length; ++i) {
    const uint8_t next = byte(*pos + i);
    if ((next & 0xc0) != 0x80) return false;
    *out = (*out << 6) | (next & 0x3f);
  }
  if (*out < min || *out > 0x10ffff || (*out >= 0xd800 && *out <= 0xdfff)) return false;
  *pos += length;
  return true;
}

// Unicode White_Space, the set Go's unicode.IsSpace reports.
bool IsUnicodeSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 || c == 0xa0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
         c == 0x3000;
}

// Visits each code point of `text`; false if the text is not valid UTF-8 or `accept` says no.
template <typename Accept>
bool AllCodePoints(absl::string_view text, Accept accept) {
  for (size_t pos = 0; pos < text.size();) {
    char32_t c = 0;
    if (!NextCodePoint(text, &pos, &c) || !accept(c)) return false;
  }
  return true;
}

}  // namespace

std::string EncodeBase64(absl::Span<const uint8_t> data) {
  return absl::Base64Escape(
      absl::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
}

std::optional<hsm::Bytes> DecodeBase64(absl::string_view text) {
  std::string decoded;
  if (!absl::Base64Unescape(text, &decoded)) return std::nullopt;
  if (absl::Base64Escape(decoded) != text) return std::nullopt;  // only the canonical spelling
  return hsm::Bytes(decoded.begin(), decoded.end());
}

std::optional<Hash> DecodeHashBase64(absl::string_view text) {
  std::optional<hsm::Bytes> bytes = DecodeBase64(text);
  if (!bytes.has_value() || bytes->size() != kHashSize) return std::nullopt;
  Hash hash;
  std::copy(bytes->begin(), bytes->end(), hash.begin());
  return hash;
}

std::optional<uint64_t> ParseDecimal(absl::string_view text) {
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

bool IsValidNoteText(absl::string_view text) {
  return AllCodePoints(text, [](char32_t c) { return c >= 0x20 || c == '\n'; });
}

bool IsValidKeyName(absl::string_view name) {
  return !name.empty() && AllCodePoints(name, [](char32_t c) {
    return c >= 0x20 && c != '+' && !IsUnicodeSpace(c);
  });
}

}  // namespace yinjian::audit
