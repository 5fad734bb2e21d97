#include "bench/pkcs11_workloads.h"

#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "hsm/aes_gcm.h"
#include "hsm/attributes.h"
#include "hsm/hmac.h"
#include "hsm/hsm_digest.h"
#include "hsm/key_generation.h"
#include "hsm/key_wrap.h"
#include "hsm/mechanisms.h"
#include "hsm/objects.h"
#include "hsm/random.h"
#include "hsm/signing.h"

namespace yinjian::bench {
namespace {

constexpr size_t kWrappedKeyBytes = 32;
constexpr size_t kRandomBytes = 32;

// The mechanisms an operation needs: key generation first, then the operation itself.
std::vector<CK_MECHANISM_TYPE> RequiredMechanisms(RawOperation operation) {
  switch (operation) {
    case RawOperation::kEcdsaP256Sign: return {CKM_EC_KEY_PAIR_GEN, CKM_ECDSA};
    case RawOperation::kRsa2048Pkcs1Sign: return {CKM_RSA_PKCS_KEY_PAIR_GEN, CKM_RSA_PKCS};
    case RawOperation::kRsa2048PssSign: return {CKM_RSA_PKCS_KEY_PAIR_GEN, CKM_RSA_PKCS_PSS};
    case RawOperation::kEd25519Sign: return {CKM_EC_EDWARDS_KEY_PAIR_GEN, CKM_EDDSA};
    case RawOperation::kAes256GcmEncrypt: return {CKM_AES_KEY_GEN, CKM_AES_GCM};
    case RawOperation::kHmacSha256: return {CKM_GENERIC_SECRET_KEY_GEN, CKM_SHA256_HMAC};
    case RawOperation::kAesKeyWrapUnwrap: return {CKM_AES_KEY_GEN, hsm::kAesKeyWrapPad};
    case RawOperation::kSha256Digest: return {CKM_SHA256};
    default: return {};
  }
}

bool IsKeyless(RawOperation operation) {
  return operation == RawOperation::kSha256Digest || operation == RawOperation::kRandom32;
}

bool IsSoftwareOnly(RawOperation operation) {
  switch (operation) {
    case RawOperation::kSm2Sign:
    case RawOperation::kSm3Digest:
    case RawOperation::kHmacSm3:
    case RawOperation::kSm4AeadEncrypt:
      return true;
    default:
      return false;
  }
}

hsm::KeyOptions BenchKeyOptions(absl::string_view purpose, bool token_object, uint32_t usage,
                                bool extractable = false) {
  const std::string name = absl::StrCat("yinjian-bench-", purpose);
  return hsm::KeyOptions{.label = name,
                         .id = hsm::ToBytes(name),
                         .token_object = token_object,
                         .extractable = extractable,
                         .usage = usage};
}

// A workload whose worker needs no per-thread state beyond a copy of `operation`.
Workload Stateless(OperationFn operation) {
  return Workload{.new_worker = [operation = std::move(operation)]() -> absl::StatusOr<OperationFn> {
    return operation;
  }};
}

absl::StatusOr<Workload> SignWorkload(hsm::Token& token, RawOperation operation,
                                      bool token_objects) {
  const hsm::KeyOptions options =
      BenchKeyOptions("sign", token_objects, hsm::kUsageSign | hsm::kUsageVerify);
  hsm::ScopedKeyPair pair;
  hsm::SignatureAlgorithm algorithm = hsm::SignatureAlgorithm::kEcdsaSha256;
  switch (operation) {
    case RawOperation::kEcdsaP256Sign: {
      ASSIGN_OR_RETURN(pair, hsm::GenerateEcKeyPair(token, hsm::EcCurve::kP256, options));
      break;
    }
    case RawOperation::kRsa2048Pkcs1Sign:
    case RawOperation::kRsa2048PssSign: {
      ASSIGN_OR_RETURN(pair, hsm::GenerateRsaKeyPair(token, 2048, options));
      algorithm = operation == RawOperation::kRsa2048PssSign
                      ? hsm::SignatureAlgorithm::kRsaPssSha256
                      : hsm::SignatureAlgorithm::kRsaPkcs1Sha256;
      break;
    }
    case RawOperation::kEd25519Sign: {
      ASSIGN_OR_RETURN(pair, hsm::GenerateEd25519KeyPair(token, options));
      algorithm = hsm::SignatureAlgorithm::kEd25519;
      break;
    }
    default:
      return absl::InternalError("not a signature operation");
  }
  auto keys = std::make_shared<hsm::ScopedKeyPair>(std::move(pair));
  return Stateless([&token, keys, algorithm, message = BenchPayload(kSignedMessageBytes)] {
    return hsm::SignMessage(token, keys->private_key.handle(), algorithm, message).status();
  });
}

absl::StatusOr<Workload> KeyWrapWorkload(hsm::Token& token, bool token_objects) {
  ASSIGN_OR_RETURN(hsm::ScopedObject kek,
                   hsm::GenerateAesKey(token, 32,
                                       BenchKeyOptions("kek", token_objects,
                                                       hsm::kUsageWrap | hsm::kUsageUnwrap)));
  ASSIGN_OR_RETURN(hsm::ScopedObject key,
                   hsm::GenerateAesKey(token, kWrappedKeyBytes,
                                       BenchKeyOptions("wrapped", token_objects,
                                                       hsm::kUsageEncrypt | hsm::kUsageDecrypt,
                                                       /*extractable=*/true)));
  auto kek_owner = std::make_shared<hsm::ScopedObject>(std::move(kek));
  auto key_owner = std::make_shared<hsm::ScopedObject>(std::move(key));
  return Workload{.new_worker = [&token, kek_owner, key_owner]() -> absl::StatusOr<OperationFn> {
    // The unwrapped copy is always a session object, destroyed at once, as a service would do
    // with a data key it unwraps for one request. AttributeTemplate cannot be copied, so each
    // worker shares one through a shared_ptr that only its own thread uses.
    auto unwrap_template = std::make_shared<hsm::AttributeTemplate>(hsm::SecretKeyTemplate(
        CKK_AES, 0,
        BenchKeyOptions("unwrapped", /*token_object=*/false,
                        hsm::kUsageEncrypt | hsm::kUsageDecrypt)));
    return OperationFn([&token, kek_owner, key_owner, unwrap_template]() -> absl::Status {
      ASSIGN_OR_RETURN(hsm::Bytes wrapped,
                       hsm::WrapKey(token, kek_owner->handle(), key_owner->handle()));
      ASSIGN_OR_RETURN(hsm::ScopedObject unwrapped,
                       hsm::UnwrapKey(token, kek_owner->handle(), wrapped, *unwrap_template));
      return unwrapped.Destroy();
    });
  }};
}

}  // namespace

std::optional<std::string> Pkcs11SkipReason(const hsm::Token& token, RawOperation operation,
                                            bool token_objects) {
  if (IsSoftwareOnly(operation)) return "software only (no PKCS#11 mechanism)";
  if (IsKeyless(operation) && token_objects) return "keyless, measured as pkcs11-session";
  if (operation == RawOperation::kRandom32 && (token.description().flags & CKF_RNG) == 0) {
    return "token has no random number generator";
  }
  for (CK_MECHANISM_TYPE mechanism : RequiredMechanisms(operation)) {
    if (!token.mechanisms().Supports(mechanism)) {
      return absl::StrCat("token lacks ", hsm::MechanismName(mechanism));
    }
  }
  return std::nullopt;
}

absl::StatusOr<Workload> PreparePkcs11Workload(hsm::Token& token, RawOperation operation,
                                               bool token_objects, size_t payload_bytes) {
  if (std::optional<std::string> reason = Pkcs11SkipReason(token, operation, token_objects)) {
    return absl::FailedPreconditionError(*reason);
  }
  const hsm::Bytes payload = BenchPayload(payload_bytes);
  switch (operation) {
    case RawOperation::kEcdsaP256Sign:
    case RawOperation::kRsa2048Pkcs1Sign:
    case RawOperation::kRsa2048PssSign:
    case RawOperation::kEd25519Sign:
      return SignWorkload(token, operation, token_objects);
    case RawOperation::kAes256GcmEncrypt: {
      ASSIGN_OR_RETURN(hsm::ScopedObject key,
                       hsm::GenerateAesKey(token, 32,
                                           BenchKeyOptions("aes-gcm", token_objects,
                                                           hsm::kUsageEncrypt |
                                                               hsm::kUsageDecrypt)));
      auto owner = std::make_shared<hsm::ScopedObject>(std::move(key));
      return Stateless([&token, owner, payload] {
        return hsm::AesGcmEncrypt(token, owner->handle(), payload, {}).status();
      });
    }
    case RawOperation::kHmacSha256: {
      ASSIGN_OR_RETURN(hsm::ScopedObject key,
                       hsm::GenerateGenericSecret(token, 32,
                                                  BenchKeyOptions("hmac", token_objects,
                                                                  hsm::kUsageSign |
                                                                      hsm::kUsageVerify)));
      auto owner = std::make_shared<hsm::ScopedObject>(std::move(key));
      return Stateless([&token, owner, payload] {
        return hsm::HmacSign(token, owner->handle(), hsm::DigestAlgorithm::kSha256, payload)
            .status();
      });
    }
    case RawOperation::kAesKeyWrapUnwrap:
      return KeyWrapWorkload(token, token_objects);
    case RawOperation::kSha256Digest:
      return Stateless([&token, payload] {
        return hsm::HsmDigest(token, hsm::DigestAlgorithm::kSha256, payload).status();
      });
    case RawOperation::kRandom32:
      return Stateless([&token] { return hsm::GenerateRandom(token, kRandomBytes).status(); });
    default:
      return absl::InternalError("operation has no PKCS#11 workload");
  }
}

}  // namespace yinjian::bench
