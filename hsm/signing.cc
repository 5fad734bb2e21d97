#include "hsm/signing.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "hsm/ck_rv.h"
#include "hsm/digest_algorithm.h"
#include "hsm/ecdsa_signature.h"
#include "hsm/key_generation.h"
#include "hsm/objects.h"
#include "hsm/pkcs11_call.h"
#include "hsm/software_digest.h"

namespace yinjian::hsm {
namespace {

// RFC 8017 section 9.2 note 1: DER DigestInfo prefixes for EMSA-PKCS1-v1_5.
constexpr uint8_t kSha256Prefix[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                     0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
constexpr uint8_t kSha384Prefix[] = {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                     0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30};
constexpr uint8_t kSha512Prefix[] = {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                     0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40};
constexpr size_t kMaxSignatureBytes = 1024;  // RSA-8192

// The mechanism and the exact bytes handed to C_Sign / C_Verify for one signature.
struct SignInput {
  CK_RSA_PKCS_PSS_PARAMS pss = {};
  CK_MECHANISM mechanism = {};
  Bytes data;
};

absl::Status PrepareDigestInput(SignatureAlgorithm algorithm, absl::Span<const uint8_t> digest,
                                SignInput& in) {
  std::optional<DigestAlgorithm> hash = DigestOf(algorithm);
  if (!hash.has_value() || KeyTypeOf(algorithm) == SignatureKeyType::kSm2) {
    return absl::InvalidArgumentError("this algorithm signs messages, not digests");
  }
  if (digest.size() != DigestLength(*hash)) {
    return absl::InvalidArgumentError(absl::StrCat("digest must be ", DigestLength(*hash),
                                                   " bytes, got ", digest.size()));
  }
  const bool sha256 = *hash == DigestAlgorithm::kSha256, sha384 = *hash == DigestAlgorithm::kSha384;
  if (KeyTypeOf(algorithm) == SignatureKeyType::kEc) {
    in.mechanism = {CKM_ECDSA, nullptr, 0};
    in.data.assign(digest.begin(), digest.end());
  } else if (IsRsaPss(algorithm)) {
    in.pss.hashAlg = sha256 ? CKM_SHA256 : sha384 ? CKM_SHA384 : CKM_SHA512;
    in.pss.mgf = sha256 ? CKG_MGF1_SHA256 : sha384 ? CKG_MGF1_SHA384 : CKG_MGF1_SHA512;
    in.pss.sLen = digest.size();
    in.mechanism = {CKM_RSA_PKCS_PSS, &in.pss, sizeof(in.pss)};
    in.data.assign(digest.begin(), digest.end());
  } else {
    absl::Span<const uint8_t> prefix = sha256   ? absl::MakeConstSpan(kSha256Prefix)
                                       : sha384 ? absl::MakeConstSpan(kSha384Prefix)
                                                : absl::MakeConstSpan(kSha512Prefix);
    in.mechanism = {CKM_RSA_PKCS, nullptr, 0};
    in.data.assign(prefix.begin(), prefix.end());
    in.data.insert(in.data.end(), digest.begin(), digest.end());
  }
  return absl::OkStatus();
}

absl::Status PrepareMessageInput(SignatureAlgorithm algorithm, absl::Span<const uint8_t> message,
                                 SignInput& in) {
  switch (KeyTypeOf(algorithm)) {
    case SignatureKeyType::kSm2:
      return absl::FailedPreconditionError(
          "SM2 is not a PKCS#11 mechanism of this token; it runs in software (hsm/sm2.h)");
    case SignatureKeyType::kEd25519:
      in.mechanism = {CKM_EDDSA, nullptr, 0};
      in.data.assign(message.begin(), message.end());
      return absl::OkStatus();
    default: {
      ASSIGN_OR_RETURN(Bytes digest, SoftwareDigest(*DigestOf(algorithm), message));
      return PrepareDigestInput(algorithm, digest, in);
    }
  }
}

// Some tokens accept a key of the wrong type at C_SignInit and fail later with a general error
// (SoftHSM: CKM_ECDSA on an RSA key gives CKR_GENERAL_ERROR). On such a failure - never on the
// success path - read the key's class and type and report a mismatch as FAILED_PRECONDITION.
absl::Status ExplainFailure(Token& token, CK_OBJECT_HANDLE key, SignatureAlgorithm alg,
                            CK_OBJECT_CLASS wanted_class, absl::Status failure) {
  if (failure.code() != absl::StatusCode::kInternal) return failure;
  absl::StatusOr<CK_ULONG> object_class = ReadUlongAttribute(token, key, CKA_CLASS);
  absl::StatusOr<CK_ULONG> key_type = ReadUlongAttribute(token, key, CKA_KEY_TYPE);
  if (!object_class.ok() || !key_type.ok()) return failure;
  CK_KEY_TYPE wanted_type = CKK_EC;
  switch (KeyTypeOf(alg)) {
    case SignatureKeyType::kRsa: wanted_type = CKK_RSA; break;
    case SignatureKeyType::kEd25519: wanted_type = CKK_EC_EDWARDS; break;
    default: break;
  }
  if (*object_class != wanted_class || *key_type != wanted_type) {
    return absl::FailedPreconditionError(
        wanted_class == CKO_PRIVATE_KEY ? "the key cannot make signatures of this algorithm"
                                        : "the key cannot verify signatures of this algorithm");
  }
  return failure;
}

absl::StatusOr<Bytes> SignPrepared(Token& token, CK_OBJECT_HANDLE key, SignatureAlgorithm alg,
                                   SignInput& in) {
  RETURN_IF_ERROR(token.mechanisms().Require(in.mechanism.mechanism, "signing"));
  Bytes signature(kMaxSignatureBytes);
  absl::Status status = token.Run([&](CK_SESSION_HANDLE session) -> absl::Status {
    CK_FUNCTION_LIST* fl = token.functions();
    RETURN_IF_ERROR(P11_CALL(fl, C_SignInit, session, &in.mechanism, key));
    CK_ULONG length = signature.size();
    RETURN_IF_ERROR(P11_CALL(fl, C_Sign, session, DataPtr(in.data), in.data.size(),
                             signature.data(), &length));
    signature.resize(length);
    return absl::OkStatus();
  });
  if (!status.ok()) return ExplainFailure(token, key, alg, CKO_PRIVATE_KEY, status);
  if (KeyTypeOf(alg) == SignatureKeyType::kEc) return EcdsaRawToDer(signature);
  return signature;
}

// The raw r || s form of a DER ECDSA signature for the curve of `public_key`.
absl::StatusOr<Bytes> EcdsaSignatureForToken(Token& token, CK_OBJECT_HANDLE public_key,
                                             absl::Span<const uint8_t> der) {
  ASSIGN_OR_RETURN(Bytes params, ReadBytesAttribute(token, public_key, CKA_EC_PARAMS));
  for (EcCurve curve : {EcCurve::kP256, EcCurve::kP384}) {
    absl::Span<const uint8_t> oid = EcCurveParams(curve);
    if (params.size() == oid.size() && std::equal(oid.begin(), oid.end(), params.begin())) {
      return EcdsaDerToRaw(der, EcCurveFieldBytes(curve));
    }
  }
  return absl::FailedPreconditionError("the key is not on a supported ECDSA curve");
}

absl::StatusOr<bool> VerifyPrepared(Token& token, CK_OBJECT_HANDLE key, SignatureAlgorithm alg,
                                    SignInput& in, absl::Span<const uint8_t> signature) {
  RETURN_IF_ERROR(token.mechanisms().Require(in.mechanism.mechanism, "verification"));
  Bytes raw(signature.begin(), signature.end());
  if (KeyTypeOf(alg) == SignatureKeyType::kEc) {
    absl::StatusOr<Bytes> converted = EcdsaSignatureForToken(token, key, signature);
    if (converted.status().code() == absl::StatusCode::kInvalidArgument) return false;
    if (!converted.ok()) return converted.status();
    raw = std::move(*converted);
  }
  absl::Status status = token.Run([&](CK_SESSION_HANDLE session) -> absl::Status {
    CK_FUNCTION_LIST* fl = token.functions();
    RETURN_IF_ERROR(P11_CALL(fl, C_VerifyInit, session, &in.mechanism, key));
    return P11_CALL(fl, C_Verify, session, DataPtr(in.data), in.data.size(), DataPtr(raw),
                    raw.size());
  });
  std::optional<CK_RV> rv = CkRvFromStatus(status);
  if (rv == CKR_SIGNATURE_INVALID || rv == CKR_SIGNATURE_LEN_RANGE) return false;
  if (!status.ok()) return ExplainFailure(token, key, alg, CKO_PUBLIC_KEY, status);
  return true;
}

}  // namespace

absl::StatusOr<Bytes> SignMessage(Token& token, CK_OBJECT_HANDLE private_key,
                                  SignatureAlgorithm algorithm, absl::Span<const uint8_t> message) {
  SignInput in;
  RETURN_IF_ERROR(PrepareMessageInput(algorithm, message, in));
  return SignPrepared(token, private_key, algorithm, in);
}

absl::StatusOr<Bytes> SignDigest(Token& token, CK_OBJECT_HANDLE private_key,
                                 SignatureAlgorithm algorithm, absl::Span<const uint8_t> digest) {
  SignInput in;
  RETURN_IF_ERROR(PrepareDigestInput(algorithm, digest, in));
  return SignPrepared(token, private_key, algorithm, in);
}

absl::StatusOr<bool> VerifyMessage(Token& token, CK_OBJECT_HANDLE public_key,
                                   SignatureAlgorithm algorithm,
                                   absl::Span<const uint8_t> message,
                                   absl::Span<const uint8_t> signature) {
  SignInput in;
  RETURN_IF_ERROR(PrepareMessageInput(algorithm, message, in));
  return VerifyPrepared(token, public_key, algorithm, in, signature);
}

absl::StatusOr<bool> VerifyDigest(Token& token, CK_OBJECT_HANDLE public_key,
                                  SignatureAlgorithm algorithm, absl::Span<const uint8_t> digest,
                                  absl::Span<const uint8_t> signature) {
  SignInput in;
  RETURN_IF_ERROR(PrepareDigestInput(algorithm, digest, in));
  return VerifyPrepared(token, public_key, algorithm, in, signature);
}

}  // namespace yinjian::hsm
