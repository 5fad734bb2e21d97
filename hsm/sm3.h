// SM3 (GB/T 32905 / GM/T 0004) hashing and HMAC-SM3, computed in software with OpenSSL.
#ifndef YINJIAN_HSM_SM3_H_
#define YINJIAN_HSM_SM3_H_

#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "hsm/ossl_ptr.h"
#include "hsm/secure_bytes.h"

namespace yinjian::hsm {

inline constexpr size_t kSm3DigestLength = 32;

// Returns SM3(message), 32 bytes. INTERNAL if OpenSSL lacks SM3.
absl::StatusOr<Bytes> Sm3Digest(absl::Span<const uint8_t> message);

// Hashes a message that arrives in pieces. Not thread-safe; one hasher per message.
class Sm3Hasher {
 public:
  // INTERNAL if OpenSSL lacks SM3 or cannot allocate.
  static absl::StatusOr<std::unique_ptr<Sm3Hasher>> Create();

  // Appends `data`. FAILED_PRECONDITION after Finish.
  absl::Status Update(absl::Span<const uint8_t> data);

  // Returns SM3 of everything passed to Update. Callable once; FAILED_PRECONDITION afterwards.
  absl::StatusOr<Bytes> Finish();

 private:
  explicit Sm3Hasher(EvpMdCtxPtr ctx) : ctx_(std::move(ctx)) {}

  EvpMdCtxPtr ctx_;
  bool finished_ = false;
};

// Returns HMAC-SM3(key, message), 32 bytes. INVALID_ARGUMENT for an empty key.
absl::StatusOr<Bytes> HmacSm3(const SecureBytes& key, absl::Span<const uint8_t> message);

// Returns whether `tag` is HMAC-SM3(key, message); compares in constant time. INVALID_ARGUMENT for
// an empty key; a tag of the wrong length is false.
absl::StatusOr<bool> VerifyHmacSm3(const SecureBytes& key, absl::Span<const uint8_t> message,
                                   absl::Span<const uint8_t> tag);

}  // namespace yinjian::hsm

#endif  // YINJIAN_HSM_SM3_H_
