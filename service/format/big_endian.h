// Fixed-width big-endian integers for the format's length and version fields.
#ifndef YINJIAN_SERVICE_FORMAT_BIG_ENDIAN_H_
#define YINJIAN_SERVICE_FORMAT_BIG_ENDIAN_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace yinjian::format {

// Appends `value` to `out` as 4 bytes, most significant first.
inline void AppendU32BigEndian(uint32_t value, std::string& out) {
  out.push_back(static_cast<char>(value >> 24));
  out.push_back(static_cast<char>(value >> 16));
  out.push_back(static_cast<char>(value >> 8));
  out.push_back(static_cast<char>(value));
}

// Reads 4 bytes, most significant first. The caller guarantees `bytes.size() >= 4`.
inline uint32_t LoadU32BigEndian(absl::string_view bytes) {
  return static_cast<uint32_t>(static_cast<uint8_t>(bytes[0])) << 24 |
         static_cast<uint32_t>(static_cast<uint8_t>(bytes[1])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(bytes[2])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(bytes[3]));
}

}  // namespace yinjian::format

#endif  // YINJIAN_SERVICE_FORMAT_BIG_ENDIAN_H_
