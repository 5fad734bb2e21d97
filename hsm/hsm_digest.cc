#include "hsm/hsm_digest.h"

#include "common/status_macros.h"
#include "hsm/ck_rv.h"
#include "hsm/pkcs11_call.h"

namespace yinjian::hsm {
namespace {

absl::StatusOr<CK_MECHANISM_TYPE> DigestMechanism(const Token& token, DigestAlgorithm digest) {
  CK_MECHANISM_TYPE type = CKM_SHA256;
  switch (digest) {
    case DigestAlgorithm::kSha256: type = CKM_SHA256; break;
    case DigestAlgorithm::kSha384: type = CKM_SHA384; break;
    case DigestAlgorithm::kSha512: type = CKM_SHA512; break;
    case DigestAlgorithm::kSm3:
      return absl::FailedPreconditionError(
          "SM3 is not a PKCS#11 mechanism of this token; it runs in software (hsm/sm3.h)");
  }
  RETURN_IF_ERROR(token.mechanisms().Require(type, "digest"));
  return type;
}

}  // namespace

absl::StatusOr<Bytes> HsmDigest(Token& token, DigestAlgorithm digest,
                                absl::Span<const uint8_t> message) {
  ASSIGN_OR_RETURN(CK_MECHANISM_TYPE type, DigestMechanism(token, digest));
  CK_MECHANISM mechanism = {type, nullptr, 0};
  Bytes out(DigestLength(digest));
  RETURN_IF_ERROR(token.Run([&](CK_SESSION_HANDLE session) -> absl::Status {
    CK_FUNCTION_LIST* fl = token.functions();
    RETURN_IF_ERROR(P11_CALL(fl, C_DigestInit, session, &mechanism));
    CK_ULONG length = out.size();
    return P11_CALL(fl, C_Digest, session, DataPtr(message), message.size(), out.data(),
                    &length);
  }));
  return out;
}

absl::StatusOr<std::unique_ptr<HsmDigestStream>> HsmDigestStream::Start(Token& token,
                                                                       DigestAlgorithm digest) {
  ASSIGN_OR_RETURN(CK_MECHANISM_TYPE type, DigestMechanism(token, digest));
  RETURN_IF_ERROR(token.module().CheckNotForked());
  ASSIGN_OR_RETURN(SessionLease lease, token.pool().Acquire());
  CK_MECHANISM mechanism = {type, nullptr, 0};
  absl::Status init = P11_CALL(token.functions(), C_DigestInit, lease.handle(), &mechanism);
  if (!init.ok()) {
    std::optional<CK_RV> rv = CkRvFromStatus(init);
    if (rv.has_value() && IsSessionBroken(*rv)) lease.MarkBroken();
    return init;
  }
  return std::unique_ptr<HsmDigestStream>(new HsmDigestStream(token, std::move(lease), digest));
}

HsmDigestStream::~HsmDigestStream() {
  if (!active_) return;
  // C_DigestFinal with a large enough buffer ends the operation; the session goes back clean.
  uint8_t scratch[64];
  CK_ULONG length = sizeof(scratch);
  if (!P11_CALL(token_.functions(), C_DigestFinal, lease_.handle(), scratch, &length).ok()) {
    lease_.MarkBroken();
  }
}

absl::Status HsmDigestStream::Check(absl::Status status) {
  if (status.ok()) return status;
  active_ = false;
  std::optional<CK_RV> rv = CkRvFromStatus(status);
  if (rv.has_value() && IsSessionBroken(*rv)) {
    lease_.MarkBroken();
    return status;
  }
  // The spec ends the operation on failure, but some modules leave it open on argument errors.
  // Finishing into scratch space ends it either way; if even that fails, drop the session.
  uint8_t scratch[64];
  CK_ULONG length = sizeof(scratch);
  absl::Status end =
      P11_CALL(token_.functions(), C_DigestFinal, lease_.handle(), scratch, &length);
  if (!end.ok() && CkRvFromStatus(end) != CKR_OPERATION_NOT_INITIALIZED) lease_.MarkBroken();
  return status;
}

absl::Status HsmDigestStream::Update(absl::Span<const uint8_t> part) {
  if (!active_) return absl::FailedPreconditionError("digest stream is finished");
  return Check(P11_CALL(token_.functions(), C_DigestUpdate, lease_.handle(), DataPtr(part),
                        part.size()));
}

absl::StatusOr<Bytes> HsmDigestStream::Finish() {
  if (!active_) return absl::FailedPreconditionError("digest stream is finished");
  Bytes out(DigestLength(digest_));
  CK_ULONG length = out.size();
  RETURN_IF_ERROR(Check(P11_CALL(token_.functions(), C_DigestFinal, lease_.handle(), out.data(),
                                 &length)));
  active_ = false;
  out.resize(length);
  return out;
}

}  // namespace yinjian::hsm
