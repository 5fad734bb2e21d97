// The message digests Yinjian computes in software, with their sizes and OpenSSL names.
#ifndef YINJIAN_HSM_DIGEST_ALGORITHM_H_
#define YINJIAN_HSM_DIGEST_ALGORITHM_H_

#include <cstddef>

#include <openssl/evp.h>

namespace yinjian::hsm {

enum class DigestAlgorithm { kSha256, kSha384, kSha512, kSm3 };

// Output length in bytes (32, 48, 64, 32).
size_t DigestLength(DigestAlgorithm digest);

// The name EVP_MD_fetch and the EVP_*_ex functions accept ("SHA2-256", ..., "SM3"). The returned
// string is static; the caller does not free it.
const char* DigestEvpName(DigestAlgorithm digest);

// The digest implementation, fetched from the default provider once per process (a by-name
// lookup on every call is measurable on hot paths). Never null for a known algorithm; the
// pointer is owned by the process and must not be freed.
const EVP_MD* FetchedDigest(DigestAlgorithm digest);

}  // namespace yinjian::hsm

#endif  // YINJIAN_HSM_DIGEST_ALGORITHM_H_
