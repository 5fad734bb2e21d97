#include "hsm/random.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "hsm/pkcs11_call.h"

namespace yinjian::hsm {

absl::StatusOr<Bytes> GenerateRandom(Token& token, size_t count) {
  if (count == 0 || count > kMaxRandomBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("random byte count must be 1..", kMaxRandomBytes, ", got ", count));
  }
  Bytes out(count);
  RETURN_IF_ERROR(token.Run([&](CK_SESSION_HANDLE session) {
    return P11_CALL(token.functions(), C_GenerateRandom, session, out.data(), out.size());
  }));
  return out;
}

}  // namespace yinjian::hsm
