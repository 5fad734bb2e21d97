#include "hsm/software_digest.h"

#include <openssl/evp.h>

#include "hsm/ossl_status.h"

namespace yinjian::hsm {

absl::StatusOr<Bytes> SoftwareDigest(DigestAlgorithm digest, absl::Span<const uint8_t> message) {
  Bytes out(DigestLength(digest));
  const EVP_MD* md = FetchedDigest(digest);
  unsigned int out_len = 0;
  if (md == nullptr ||
      EVP_Digest(message.data(), message.size(), out.data(), &out_len, md, nullptr) != 1 ||
      out_len != out.size()) {
    return OsslInternal("digest failed");
  }
  return out;
}

}  // namespace yinjian::hsm
