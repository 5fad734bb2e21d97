#include "hsm/key_generation.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "hsm/pkcs11_call.h"

namespace yinjian::hsm {
namespace {

constexpr uint8_t kP256Oid[] = {0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};
constexpr uint8_t kP384Oid[] = {0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22};
constexpr uint8_t kEd25519Oid[] = {0x06, 0x03, 0x2B, 0x65, 0x70};

// Creating a token object is not repeated after a broken session: it may exist already.
Retry RetryFor(const KeyOptions& options) {
  return options.token_object ? Retry::kNever : Retry::kOnce;
}

absl::StatusOr<ScopedObject> GenerateSecret(Token& token, CK_MECHANISM_TYPE mechanism,
                                            CK_KEY_TYPE key_type, size_t key_bytes,
                                            const KeyOptions& options) {
  RETURN_IF_ERROR(token.mechanisms().Require(mechanism, "key generation"));
  AttributeTemplate t = SecretKeyTemplate(key_type, key_bytes, options);
  CK_MECHANISM mech = {mechanism, nullptr, 0};
  CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
  RETURN_IF_ERROR(token.Run(
      [&](CK_SESSION_HANDLE session) {
        return P11_CALL(token.functions(), C_GenerateKey, session, &mech, t.data(), t.size(),
                        &key);
      },
      RetryFor(options)));
  return ScopedObject(&token, key);
}

absl::StatusOr<ScopedKeyPair> GeneratePair(Token& token, CK_MECHANISM_TYPE mechanism,
                                           KeyPairTemplates& templates,
                                           const KeyOptions& options) {
  RETURN_IF_ERROR(token.mechanisms().Require(mechanism, "key pair generation"));
  CK_MECHANISM mech = {mechanism, nullptr, 0};
  CK_OBJECT_HANDLE public_key = CK_INVALID_HANDLE;
  CK_OBJECT_HANDLE private_key = CK_INVALID_HANDLE;
  RETURN_IF_ERROR(token.Run(
      [&](CK_SESSION_HANDLE session) {
        return P11_CALL(token.functions(), C_GenerateKeyPair, session, &mech,
                        templates.public_key.data(), templates.public_key.size(),
                        templates.private_key.data(), templates.private_key.size(),
                        &public_key, &private_key);
      },
      RetryFor(options)));
  return ScopedKeyPair{ScopedObject(&token, public_key), ScopedObject(&token, private_key)};
}

}  // namespace

absl::Span<const uint8_t> EcCurveParams(EcCurve curve) {
  return curve == EcCurve::kP256 ? absl::MakeConstSpan(kP256Oid) : absl::MakeConstSpan(kP384Oid);
}

absl::Span<const uint8_t> Ed25519Params() { return kEd25519Oid; }

size_t EcCurveFieldBytes(EcCurve curve) { return curve == EcCurve::kP256 ? 32 : 48; }

absl::StatusOr<ScopedObject> GenerateAesKey(Token& token, size_t key_bytes,
                                            const KeyOptions& options) {
  if (key_bytes != 16 && key_bytes != 24 && key_bytes != 32) {
    return absl::InvalidArgumentError(absl::StrCat("AES key size ", key_bytes, " is not 16/24/32"));
  }
  return GenerateSecret(token, CKM_AES_KEY_GEN, CKK_AES, key_bytes, options);
}

absl::StatusOr<ScopedObject> GenerateGenericSecret(Token& token, size_t key_bytes,
                                                   const KeyOptions& options) {
  // Multiples of 8 only: SoftHSM zero-pads other lengths when wrapping, so they would not
  // survive a wrap/unwrap round trip (or interoperate with RFC 5649).
  if (key_bytes < 16 || key_bytes > 128 || key_bytes % 8 != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "HMAC key size ", key_bytes, " is not a multiple of 8 between 16 and 128 bytes"));
  }
  return GenerateSecret(token, CKM_GENERIC_SECRET_KEY_GEN, CKK_GENERIC_SECRET, key_bytes,
                        options);
}

absl::StatusOr<ScopedKeyPair> GenerateEcKeyPair(Token& token, EcCurve curve,
                                                const KeyOptions& options) {
  KeyPairTemplates templates = EcKeyPairTemplates(CKK_EC, EcCurveParams(curve), options);
  return GeneratePair(token, CKM_EC_KEY_PAIR_GEN, templates, options);
}

absl::StatusOr<ScopedKeyPair> GenerateRsaKeyPair(Token& token, size_t modulus_bits,
                                                 const KeyOptions& options) {
  if (modulus_bits != 2048 && modulus_bits != 3072 && modulus_bits != 4096) {
    return absl::InvalidArgumentError(
        absl::StrCat("RSA modulus of ", modulus_bits, " bits is not 2048/3072/4096"));
  }
  KeyPairTemplates templates = RsaKeyPairTemplates(modulus_bits, options);
  return GeneratePair(token, CKM_RSA_PKCS_KEY_PAIR_GEN, templates, options);
}

absl::StatusOr<ScopedKeyPair> GenerateEd25519KeyPair(Token& token, const KeyOptions& options) {
  KeyPairTemplates templates = EcKeyPairTemplates(CKK_EC_EDWARDS, Ed25519Params(), options);
  return GeneratePair(token, CKM_EC_EDWARDS_KEY_PAIR_GEN, templates, options);
}

}  // namespace yinjian::hsm
