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

}  // namespace yinjian::hsm
