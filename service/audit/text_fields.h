// Strict codecs for the small text fields the C2SP signed-note, tlog-checkpoint and tlog-proof
// formats share. "Strict" means each value has exactly one accepted spelling, so two parties never
// disagree about what a signed text says.
#ifndef YINJIAN_SERVICE_AUDIT_TEXT_FIELDS_H_
#define YINJIAN_SERVICE_AUDIT_TEXT_FIELDS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "hsm/secure_bytes.h"
#include "service/audit/merkle.h"

namespace yinjian::audit {

// Standard base64 (RFC 4648 section 4) with padding.
std::string EncodeBase64(absl::Span<const uint8_t> data);

// Decodes standard padded base64, accepting only the canonical encoding (what EncodeBase64 would
// produce): no whitespace, no missing or extra padding, no non-zero trailing bits. An empty input
// decodes to no bytes. nullopt otherwise.
std::optional<hsm::Bytes> DecodeBase64(absl::string_view text);

// A base64 field that must decode to exactly one 32-byte hash.
std::optional<Hash> DecodeHashBase64(absl::string_view text);

// ASCII decimal with no sign and no leading zeroes (except "0" itself), at most 2^64 - 1.
std::optional<uint64_t> ParseDecimal(absl::string_view text);

// True if `text` is valid UTF-8 (no overlong forms, surrogates or code points above U+10FFFF) and
// holds no ASCII control character (below U+0020) other than newline, as signed notes require.
bool IsValidNoteText(absl::string_view text);

// True for a valid signed-note key name: non-empty UTF-8 without any Unicode space (White_Space
// property, as Go's unicode.IsSpace) or plus sign, and without control characters.
bool IsValidKeyName(absl::string_view name);

}  // namespace yinjian::audit

#endif  // YINJIAN_SERVICE_AUDIT_TEXT_FIELDS_H_
