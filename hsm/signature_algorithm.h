// The signature schemes Yinjian signs and verifies with, and the facts about each that the
// PKCS#11 and software paths both need.
#ifndef YINJIAN_HSM_SIGNATURE_ALGORITHM_H_
#define YINJIAN_HSM_SIGNATURE_ALGORITHM_H_

#include <optional>

#include "hsm/digest_algorithm.h"

namespace yinjian::hsm {

// RSA-PSS always means MGF1 with the message hash and a salt as long as that hash. SM2 always
// means SM3 with the distinguishing ID "1234567812345678" (GB/T 32918 / GM/T 0009).
enum class SignatureAlgorithm {
  kEcdsaSha256,
  kEcdsaSha384,
  kEcdsaSha512,
  kRsaPkcs1Sha256,
  kRsaPkcs1Sha384,
  kRsaPkcs1Sha512,
  kRsaPssSha256,
  kRsaPssSha384,
  kRsaPssSha512,
  kEd25519,
  kSm2Sm3,
};

// The family of key a signature algorithm needs.
enum class SignatureKeyType { kEc, kRsa, kEd25519, kSm2 };

SignatureKeyType KeyTypeOf(SignatureAlgorithm algorithm);

// The hash applied to the message, or nullopt for Ed25519 (which hashes internally).
std::optional<DigestAlgorithm> DigestOf(SignatureAlgorithm algorithm);

bool IsRsaPss(SignatureAlgorithm algorithm);

}  // namespace yinjian::hsm

#endif  // YINJIAN_HSM_SIGNATURE_ALGORITHM_H_
