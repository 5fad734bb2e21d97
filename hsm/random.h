// Random bytes from the HSM's generator (C_GenerateRandom).
#ifndef YINJIAN_HSM_RANDOM_H_
#define YINJIAN_HSM_RANDOM_H_

#include "absl/status/statusor.h"
#include "hsm/secure_bytes.h"
#include "hsm/token.h"

namespace yinjian::hsm {

inline constexpr size_t kMaxRandomBytes = 1 << 16;

// `count` bytes, 1 to kMaxRandomBytes (INVALID_ARGUMENT otherwise).
absl::StatusOr<Bytes> GenerateRandom(Token& token, size_t count);

}  // namespace yinjian::hsm

#endif  // YINJIAN_HSM_RANDOM_H_
