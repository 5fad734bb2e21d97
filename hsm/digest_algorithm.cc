#include "hsm/digest_algorithm.h"

namespace yinjian::hsm {

size_t DigestLength(DigestAlgorithm digest) {
  switch (digest) {
    case DigestAlgorithm::kSha256:
      return 32;
    case DigestAlgorithm::kSha384:
      return 48;
    case DigestAlgorithm::kSha512:
      return 64;
    case DigestAlgorithm::kSm3:
      return 32;
  }
  return 0;  // unreachable for valid enumerators
}

const char* DigestEvpName(DigestAlgorithm digest) {
  switch (digest) {
    case DigestAlgorithm::kSha256:
      return "SHA2-256";
    case DigestAlgorithm::kSha384:
      return "SHA2-384";
    case DigestAlgorithm::kSha512:
      return "SHA2-512";
    case DigestAlgorithm::kSm3:
      return "SM3";
  }
  return "";  // unreachable for valid enumerators
}

const EVP_MD* FetchedDigest(DigestAlgorithm digest) {
  // Fetched once; intentionally never freed (process-lifetime, like OpenSSL's own tables).
  static const EVP_MD* const kFetched[] = {
      EVP_MD_fetch(nullptr, DigestEvpName(DigestAlgorithm::kSha256), nullptr),
      EVP_MD_fetch(nullptr, DigestEvpName(DigestAlgorithm::kSha384), nullptr),
      EVP_MD_fetch(nullptr, DigestEvpName(DigestAlgorithm::kSha512), nullptr),
      EVP_MD_fetch(nullptr, DigestEvpName(DigestAlgorithm::kSm3), nullptr),
  };
  switch (digest) {
    case DigestAlgorithm::kSha256: return kFetched[0];
    case DigestAlgorithm::kSha384: return kFetched[1];
    case DigestAlgorithm::kSha512: return kFetched[2];
    case DigestAlgorithm::kSm3: return kFetched[3];
  }
  return nullptr;
}

}  // namespace yinjian::hsm
