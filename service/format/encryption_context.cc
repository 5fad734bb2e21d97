#include "service/format/encryption_context.h"

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "service/format/big_endian.h"

namespace yinjian::format {
namespace {

// Length of the well-formed UTF-8 sequence starting at text[i], or 0 if there is none. Follows
// the table of well-formed byte sequences in Unicode §3.9 (Table 3-7).
size_t Utf8SequenceLength(absl::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  const uint8_t lead = byte(i);
  if (lead < 0x80) return 1;
  size_t length;
  uint8_t low = 0x80, high = 0xBF;  // allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;  // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;  // overlong
    if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return 0;  // continuation byte, overlong C0/C1, or F5..FF
  }
  if (text.size() - i < length) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

bool IsValidUtf8(absl::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const size_t length = Utf8SequenceLength(text, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

void AppendLengthPrefixed(absl::string_view bytes, std::string& out) {
  AppendU32BigEndian(static_cast<uint32_t>(bytes.size()), out);
  out.append(bytes.data(), bytes.size());
}

}  // namespace

absl::Status ValidateContext(const EncryptionContext& context) {
  if (context.size() > kMaxContextPairs) {
    return absl::InvalidArgumentError(
        absl::StrCat("encryption context may have at most ", kMaxContextPairs, " pairs"));
  }
  for (const auto& [key, value] : context) {
    if (key.empty() || key.size() > kMaxContextKeyLength) {
      return absl::InvalidArgumentError(absl::StrCat("encryption context keys must be 1..",
                                                     kMaxContextKeyLength, " bytes"));
    }
    if (value.size() > kMaxContextValueLength) {
      return absl::InvalidArgumentError(absl::StrCat("encryption context values must be 0..",
                                                     kMaxContextValueLength, " bytes"));
    }
    if (!IsValidUtf8(key) || !IsValidUtf8(value)) {
      return absl::InvalidArgumentError("encryption context keys and values must be UTF-8");
    }
  }
  return absl::OkStatus();
}

std::string CanonicalContext(const EncryptionContext& context) {
  std::string out;
  AppendU32BigEndian(static_cast<uint32_t>(context.size()), out);
  for (const auto& [key, value] : context) {  // std::map iterates in byte-wise key order
    AppendLengthPrefixed(key, out);
    AppendLengthPrefixed(value, out);
  }
  return out;
}

}  // namespace yinjian::format
