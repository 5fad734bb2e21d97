#include "service/core/mac_service.h"

#include <openssl/crypto.h>

#include "common/status_macros.h"
#include "hsm/hmac.h"
#include "hsm/sm3.h"

namespace yinjian::core {
absl::StatusOr<MacResult> MacService::Mac(absl::string_view key, absl::string_view message) {
  ASSIGN_OR_RETURN(ResolvedVersion version, resolver_.Resolve(key, keys::KeyFamily::kMac, "Mac"));
  const hsm::DigestAlgorithm digest = *keys::Info(version.info.kind).mac_digest;
  hsm::Bytes tag;
  RETURN_IF_ERROR(resolver_.WithLoaded(version, [&](const keys::LoadedVersion& loaded) {
    absl::StatusOr<hsm::Bytes> made =
        loaded.protection == keys::Protection::kHsm
            ? hsm::HmacSign(*version.token, loaded.hsm_handle, digest, hsm::AsSpan(message))
            : hsm::HmacSm3(loaded.software_key, hsm::AsSpan(message));
    if (!made.ok()) return made.status();
    tag = std::move(*made);
    return absl::OkStatus();
  }));
  return MacResult{std::string(tag.begin(), tag.end()), version.info};
}

absl::StatusOr<VerifyMacResult> MacService::VerifyMac(absl::string_view key,
                                                      absl::string_view message,
                                                      absl::string_view mac) {
  ASSIGN_OR_RETURN(MacResult expected, Mac(key, message));
  const bool valid = expected.mac.size() == mac.size() &&
                     CRYPTO_memcmp(expected.mac.data(), mac.data(), mac.size()) == 0;
  return VerifyMacResult{valid, expected.key_version};
}

}  // namespace yinjian::core
