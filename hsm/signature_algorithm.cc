#include "hsm/signature_algorithm.h"

namespace yinjian::hsm {

SignatureKeyType KeyTypeOf(SignatureAlgorithm algorithm) {
  switch (algorithm) {
    case SignatureAlgorithm::kEcdsaSha256:
    case SignatureAlgorithm::kEcdsaSha384:
    case SignatureAlgorithm::kEcdsaSha512:
      return SignatureKeyType::kEc;
    case SignatureAlgorithm::kRsaPkcs1Sha256:
    case SignatureAlgorithm::kRsaPkcs1Sha384:
    case SignatureAlgorithm::kRsaPkcs1Sha512:
    case SignatureAlgorithm::kRsaPssSha256:
    case SignatureAlgorithm::kRsaPssSha384:
    case SignatureAlgorithm::kRsaPssSha512:
      return SignatureKeyType::kRsa;
    case SignatureAlgorithm::kEd25519:
      return SignatureKeyType::kEd25519;
    case SignatureAlgorithm::kSm2Sm3:
      return SignatureKeyType::kSm2;
  }
  return SignatureKeyType::kEc;  // unreachable for valid enumerators
}

std::optional<DigestAlgorithm> DigestOf(SignatureAlgorithm algorithm) {
  switch (algorithm) {
    case SignatureAlgorithm::kEcdsaSha256:
    case SignatureAlgorithm::kRsaPkcs1Sha256:
    case SignatureAlgorithm::kRsaPssSha256:
      return DigestAlgorithm::kSha256;
    case SignatureAlgorithm::kEcdsaSha384:
    case SignatureAlgorithm::kRsaPkcs1Sha384:
    case SignatureAlgorithm::kRsaPssSha384:
      return DigestAlgorithm::kSha384;
    case SignatureAlgorithm::kEcdsaSha512:
    case SignatureAlgorithm::kRsaPkcs1Sha512:
    case SignatureAlgorithm::kRsaPssSha512:
      return DigestAlgorithm::kSha512;
    case SignatureAlgorithm::kSm2Sm3:
      return DigestAlgorithm::kSm3;
    case SignatureAlgorithm::kEd25519:
      return std::nullopt;
  }
  return std::nullopt;  // unreachable for valid enumerators
}

bool IsRsaPss(SignatureAlgorithm algorithm) {
  return algorithm == SignatureAlgorithm::kRsaPssSha256 ||
         algorithm == SignatureAlgorithm::kRsaPssSha384 ||
         algorithm == SignatureAlgorithm::kRsaPssSha512;
}

}  // namespace yinjian::hsm
