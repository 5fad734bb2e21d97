#include "hsm/hmac.h"

#include "common/status_macros.h"
#include "hsm/ck_rv.h"
#include "hsm/pkcs11_call.h"

namespace yinjian::hsm {
namespace {

absl::StatusOr<CK_MECHANISM_TYPE> HmacMechanism(DigestAlgorithm digest) {
  switch (digest) {
    case DigestAlgorithm::kSha256: return CKM_SHA256_HMAC;
    case DigestAlgorithm::kSha384: return CKM_SHA384_HMAC;
    case DigestAlgorithm::kSha512: return CKM_SHA512_HMAC;
    case DigestAlgorithm::kSm3: break;
  }
  return absl::FailedPreconditionError(
      "HMAC-SM3 is not a PKCS#11 mechanism of this token; it runs in software (hsm/sm3.h)");
}

}  // namespace

absl::StatusOr<Bytes> HmacSign(Token& token, CK_OBJECT_HANDLE key, DigestAlgorithm digest,
                               absl::Span<const uint8_t> message) {
  ASSIGN_OR_RETURN(CK_MECHANISM_TYPE type, HmacMechanism(digest));
  RETURN_IF_ERROR(token.mechanisms().Require(type, "HMAC"));
  CK_MECHANISM mechanism = {type, nullptr, 0};
  Bytes tag(DigestLength(digest));
  RETURN_IF_ERROR(token.Run([&](CK_SESSION_HANDLE session) -> absl::Status {
    CK_FUNCTION_LIST* fl = token.functions();
    RETURN_IF_ERROR(P11_CALL(fl, C_SignInit, session, &mechanism, key));
    CK_ULONG length = tag.size();
    RETURN_IF_ERROR(P11_CALL(fl, C_Sign, session, DataPtr(message), message.size(), tag.data(),
                             &length));
    tag.resize(length);
    return absl::OkStatus();
  }));
  return tag;
}

absl::StatusOr<bool> HmacVerify(Token& token, CK_OBJECT_HANDLE key, DigestAlgorithm digest,
                                absl::Span<const uint8_t> message, absl::Span<const uint8_t> tag) {
  ASSIGN_OR_RETURN(CK_MECHANISM_TYPE type, HmacMechanism(digest));
  RETURN_IF_ERROR(token.mechanisms().Require(type, "HMAC"));
  if (tag.size() != DigestLength(digest)) return false;  // truncated tags are not accepted
  CK_MECHANISM mechanism = {type, nullptr, 0};
  absl::Status status = token.Run([&](CK_SESSION_HANDLE session) -> absl::Status {
    CK_FUNCTION_LIST* fl = token.functions();
    RETURN_IF_ERROR(P11_CALL(fl, C_VerifyInit, session, &mechanism, key));
    return P11_CALL(fl, C_Verify, session, DataPtr(message), message.size(),
                    const_cast<uint8_t*>(tag.data()), tag.size());
  });
  std::optional<CK_RV> rv = CkRvFromStatus(status);
  if (rv == CKR_SIGNATURE_INVALID || rv == CKR_SIGNATURE_LEN_RANGE) return false;
  if (!status.ok()) return status;
  return true;
}

}  // namespace yinjian::hsm
