#include "service/format/ciphertext_format.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/status_macros.h"
#include "service/format/big_endian.h"
#include "service/format/encryption_context.h"
#include "service/format/names.h"

namespace yinjian::format {
namespace {

constexpr absl::string_view kMagic(kCiphertextMagic, 3);

// `reason` is a fixed phrase from this file, never derived from the input.
absl::Status Malformed(absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(kMalformedCiphertext, ": ", reason));
}

bool IsKnownAlgorithm(uint8_t value) {
  return value == static_cast<uint8_t>(Algorithm::kAes256Gcm) ||
         value == static_cast<uint8_t>(Algorithm::kSm4CtrHmacSm3);
}

// Consumes the input front to back; every read checks the bytes remaining first.
class Reader {
 public:
  explicit Reader(absl::string_view input) : input_(input) {}

  bool Bytes(size_t n, absl::string_view& out) {
    if (input_.size() - position_ < n) return false;
    out = input_.substr(position_, n);
    position_ += n;
    return true;
  }
  bool U8(uint8_t& out) {
    absl::string_view byte;
    if (!Bytes(1, byte)) return false;
    out = static_cast<uint8_t>(byte[0]);
    return true;
  }
  bool U32BigEndian(uint32_t& out) {
    absl::string_view bytes;
    if (!Bytes(4, bytes)) return false;
    out = LoadU32BigEndian(bytes);
    return true;
  }
  // A u8 length, then that many bytes.
  bool LengthPrefixed(absl::string_view& out) {
    uint8_t length;
    return U8(length) && Bytes(length, out);
  }

  size_t position() const { return position_; }
  absl::string_view rest() const { return input_.substr(position_); }

 private:
  const absl::string_view input_;
  size_t position_ = 0;
};

// Reads and checks every header field; `reader` is left at the start of the payload.
absl::StatusOr<CiphertextHeader> ReadHeader(Reader& reader) {
  absl::string_view magic, department, key;
  uint8_t format_version, algorithm;
  uint32_t version;
  if (!reader.Bytes(kMagic.size(), magic)) return Malformed("truncated header");
  if (magic != kMagic) return Malformed("bad magic");
  if (!reader.U8(format_version)) return Malformed("truncated header");
  if (format_version != kCiphertextFormatVersion) return Malformed("unsupported format version");
  if (!reader.U8(algorithm)) return Malformed("truncated header");
  if (!IsKnownAlgorithm(algorithm)) return Malformed("unknown algorithm");
  if (!reader.LengthPrefixed(department)) return Malformed("truncated header");
  if (!ValidateDepartmentName(department).ok()) return Malformed("invalid department name");
  if (!reader.LengthPrefixed(key)) return Malformed("truncated header");
  if (!ValidateKeyName(key).ok()) return Malformed("invalid key name");
  if (!reader.U32BigEndian(version)) return Malformed("truncated header");
  if (!ValidateKeyVersion(version).ok()) return Malformed("invalid key version");
  return CiphertextHeader{.algorithm = static_cast<Algorithm>(algorithm),
                          .department = std::string(department),
                          .key = std::string(key),
                          .version = static_cast<int32_t>(version)};
}

}  // namespace

size_t MinimumPayloadLength(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kAes256Gcm:
      return 12 + 16;
    case Algorithm::kSm4CtrHmacSm3:
      return 16 + 32;
  }
  return 0;
}

absl::StatusOr<std::string> EncodeHeader(const CiphertextHeader& header) {
  if (!IsKnownAlgorithm(static_cast<uint8_t>(header.algorithm))) {
    return absl::InvalidArgumentError("unknown algorithm");
  }
  RETURN_IF_ERROR(ValidateDepartmentName(header.department));
  RETURN_IF_ERROR(ValidateKeyName(header.key));
  RETURN_IF_ERROR(ValidateKeyVersion(header.version));
  // Validated names are at most 128 bytes, so their lengths fit the u8 prefixes.
  std::string out(kMagic);
  out.push_back(static_cast<char>(kCiphertextFormatVersion));
  out.push_back(static_cast<char>(header.algorithm));
  out.push_back(static_cast<char>(header.department.size()));
  out.append(header.department);
  out.push_back(static_cast<char>(header.key.size()));
  out.append(header.key);
  AppendU32BigEndian(static_cast<uint32_t>(header.version), out);
  return out;
}

absl::StatusOr<ParsedCiphertext> ParseCiphertext(absl::string_view ciphertext) {
  Reader reader(ciphertext);
  ASSIGN_OR_RETURN(CiphertextHeader header, ReadHeader(reader));
  const absl::string_view payload = reader.rest();
  if (payload.size() < MinimumPayloadLength(header.algorithm)) {
    return Malformed("payload too short");
  }
  return ParsedCiphertext{.header = std::move(header),
                          .header_bytes = ciphertext.substr(0, reader.position()),
                          .payload = payload};
}

std::string AssociatedData(absl::string_view header_bytes, const EncryptionContext& context) {
  return absl::StrCat(header_bytes, CanonicalContext(context));
}

}  // namespace yinjian::format
