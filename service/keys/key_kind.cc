#include "service/keys/key_kind.h"

#include "absl/strings/str_cat.h"

namespace yinjian::keys {
namespace {

using hsm::DigestAlgorithm;
using hsm::EcCurve;
using hsm::SignatureAlgorithm;

const std::vector<KindInfo>& Table() {
  static const std::vector<KindInfo>* table = new std::vector<KindInfo>{
      {KeyKind::kAes256Gcm, "aes256-gcm", KeyFamily::kEncryption, false, 32, {}, {}, {}, 0},
      {KeyKind::kSm4, "sm4", KeyFamily::kEncryption, true, 48, {}, {}, {}, 0},
      {KeyKind::kHmacSha256, "hmac-sha256", KeyFamily::kMac, false, 32, {},
       DigestAlgorithm::kSha256, {}, 0},
      {KeyKind::kHmacSha384, "hmac-sha384", KeyFamily::kMac, false, 48, {},
       DigestAlgorithm::kSha384, {}, 0},
      {KeyKind::kHmacSm3, "hmac-sm3", KeyFamily::kMac, true, 32, {}, DigestAlgorithm::kSm3, {},
       0},
      {KeyKind::kEcdsaP256, "ecdsa-p256", KeyFamily::kSignature, false, 0,
       SignatureAlgorithm::kEcdsaSha256, {}, EcCurve::kP256, 0},
      {KeyKind::kEcdsaP384, "ecdsa-p384", KeyFamily::kSignature, false, 0,
       SignatureAlgorithm::kEcdsaSha384, {}, EcCurve::kP384, 0},
      {KeyKind::kRsaPss2048, "rsa-pss-2048", KeyFamily::kSignature, false, 0,
       SignatureAlgorithm::kRsaPssSha256, {}, {}, 2048},
      {KeyKind::kRsaPss3072, "rsa-pss-3072", KeyFamily::kSignature, false, 0,
       SignatureAlgorithm::kRsaPssSha256, {}, {}, 3072},
      {KeyKind::kRsaPss4096, "rsa-pss-4096", KeyFamily::kSignature, false, 0,
       SignatureAlgorithm::kRsaPssSha256, {}, {}, 4096},
      {KeyKind::kRsaPkcs1_2048, "rsa-pkcs1-2048", KeyFamily::kSignature, false, 0,
       SignatureAlgorithm::kRsaPkcs1Sha256, {}, {}, 2048},
      {KeyKind::kRsaPkcs1_3072, "rsa-pkcs1-3072", KeyFamily::kSignature, false, 0,
       SignatureAlgorithm::kRsaPkcs1Sha256, {}, {}, 3072},
      {KeyKind::kRsaPkcs1_4096, "rsa-pkcs1-4096", KeyFamily::kSignature, false, 0,
       SignatureAlgorithm::kRsaPkcs1Sha256, {}, {}, 4096},
      {KeyKind::kEd25519, "ed25519", KeyFamily::kSignature, false, 0,
       SignatureAlgorithm::kEd25519, {}, {}, 0},
      {KeyKind::kSm2, "sm2", KeyFamily::kSignature, true, 0, SignatureAlgorithm::kSm2Sm3, {}, {},
       0},
  };
  return *table;
}

}  // namespace

const std::vector<KindInfo>& AllKinds() { return Table(); }

const KindInfo& Info(KeyKind kind) {
  for (const KindInfo& info : Table()) {
    if (info.kind == kind) return info;
  }
  return Table().front();  // unreachable: the table lists every enumerator
}

absl::StatusOr<KeyKind> KindFromName(absl::string_view name) {
  for (const KindInfo& info : Table()) {
    if (name == info.name) return info.kind;
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown key kind '", name, "'"));
}

const char* ProtectionName(Protection protection) {
  return protection == Protection::kHsm ? "hsm" : "software";
}

absl::StatusOr<Protection> ProtectionFromName(absl::string_view name) {
  if (name == "hsm") return Protection::kHsm;
  if (name == "software") return Protection::kSoftware;
  return absl::InvalidArgumentError(absl::StrCat("unknown protection level '", name, "'"));
}

std::vector<CK_MECHANISM_TYPE> RequiredMechanisms(KeyKind kind) {
  const KindInfo& info = Info(kind);
  if (info.software_only) return {};
  if (info.family == KeyFamily::kEncryption) return {CKM_AES_KEY_GEN, CKM_AES_GCM};
  if (info.family == KeyFamily::kMac) {
    return {CKM_GENERIC_SECRET_KEY_GEN,
            info.mac_digest == DigestAlgorithm::kSha384 ? CKM_SHA384_HMAC : CKM_SHA256_HMAC};
  }
  if (info.curve.has_value()) return {CKM_EC_KEY_PAIR_GEN, CKM_ECDSA};
  if (info.rsa_bits != 0) {
    return {CKM_RSA_PKCS_KEY_PAIR_GEN, hsm::IsRsaPss(*info.signature) ? CKM_RSA_PKCS_PSS
                                                                       : CKM_RSA_PKCS};
  }
  return {CKM_EC_EDWARDS_KEY_PAIR_GEN, CKM_EDDSA};
}

absl::StatusOr<Protection> ChooseProtection(KeyKind kind, std::optional<Protection> requested,
                                            const hsm::MechanismSet& mechanisms) {
  const KindInfo& info = Info(kind);
  if (info.software_only) {
    if (requested == Protection::kHsm) {
      return absl::FailedPreconditionError(absl::StrCat(
          info.name, " keys cannot be HSM-protected: the token has no such mechanism"));
    }
    return Protection::kSoftware;
  }
  if (requested == Protection::kSoftware) {
    return absl::FailedPreconditionError(
        absl::StrCat(info.name, " keys are HSM-protected; only SM2, SM4 and HMAC-SM3 run in "
                                "software"));
  }
  for (CK_MECHANISM_TYPE mechanism : RequiredMechanisms(kind)) {

    if (!mechanisms.Supports(mechanism)) {
      return absl::FailedPreconditionError(absl::StrCat(
          info.name, " keys need ", hsm::MechanismName(mechanism), ", which the token lacks"));
    }
  }
  return Protection::kHsm;
}

}  // namespace yinjian::keys
