#include "hsm/software_hmac.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "absl/status/status.h"
#include "common/status_macros.h"
#include "hsm/ossl_ptr.h"
#include "hsm/ossl_status.h"

namespace yinjian::hsm {

absl::StatusOr<Bytes> SoftwareHmacOfParts(DigestAlgorithm digest, absl::Span<const uint8_t> key,
                                          absl::Span<const absl::Span<const uint8_t>> parts) {
  if (key.empty()) return absl::InvalidArgumentError("HMAC key must not be empty");
  EvpMacPtr mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (mac == nullptr) return OsslInternal("cannot fetch HMAC");
  EvpMacCtxPtr ctx(EVP_MAC_CTX_new(mac.get()));
  if (ctx == nullptr) return OsslInternal("cannot allocate HMAC context");
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(
                             OSSL_MAC_PARAM_DIGEST, const_cast<char*>(DigestEvpName(digest)), 0),
                         OSSL_PARAM_construct_end()};
  if (EVP_MAC_init(ctx.get(), key.data(), key.size(), params) != 1) {
    return OsslInternal("HMAC init failed");
  }
  for (absl::Span<const uint8_t> part : parts) {
    if (!part.empty() && EVP_MAC_update(ctx.get(), part.data(), part.size()) != 1) {
      return OsslInternal("HMAC update failed");
    }
  }
  Bytes tag(DigestLength(digest));
  size_t tag_len = 0;
  if (EVP_MAC_final(ctx.get(), tag.data(), &tag_len, tag.size()) != 1 || tag_len != tag.size()) {
    return OsslInternal("HMAC final failed");
  }
  return tag;
}

absl::StatusOr<Bytes> SoftwareHmac(DigestAlgorithm digest, const SecureBytes& key,
                                   absl::Span<const uint8_t> message) {
  const absl::Span<const uint8_t> parts[] = {message};
  return SoftwareHmacOfParts(digest, key, parts);
}

absl::StatusOr<bool> VerifySoftwareHmac(DigestAlgorithm digest, const SecureBytes& key,
                                        absl::Span<const uint8_t> message,
                                        absl::Span<const uint8_t> tag) {
  ASSIGN_OR_RETURN(Bytes expected, SoftwareHmac(digest, key, message));
  if (tag.size() != expected.size()) return false;  // lengths are public
  return CRYPTO_memcmp(expected.data(), tag.data(), expected.size()) == 0;
}

}  // namespace yinjian::hsm
