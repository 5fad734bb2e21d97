#include "hsm/aes_gcm.h"

#include <openssl/rand.h>

#include "common/status_macros.h"
#include "hsm/ck_rv.h"
#include "hsm/ossl_status.h"
#include "hsm/pkcs11_call.h"

namespace yinjian::hsm {
namespace {

CK_GCM_PARAMS GcmParams(const uint8_t* iv, absl::Span<const uint8_t> aad) {
  CK_GCM_PARAMS params = {};
  params.pIv = const_cast<uint8_t*>(iv);
  params.ulIvLen = kGcmIvBytes;
  params.ulIvBits = kGcmIvBytes * 8;
  params.pAAD = const_cast<uint8_t*>(aad.data());
  params.ulAADLen = aad.size();
  params.ulTagBits = kGcmTagBytes * 8;
  return params;
}

}  // namespace

absl::StatusOr<Bytes> AesGcmEncrypt(Token& token, CK_OBJECT_HANDLE key,
                                    absl::Span<const uint8_t> plaintext,
                                    absl::Span<const uint8_t> aad) {
  RETURN_IF_ERROR(token.mechanisms().Require(CKM_AES_GCM, "encryption"));
  Bytes out(kGcmIvBytes + plaintext.size() + kGcmTagBytes);
  if (RAND_bytes(out.data(), kGcmIvBytes) != 1) return OsslInternal("IV generation failed");
  CK_GCM_PARAMS params = GcmParams(out.data(), aad);
  CK_MECHANISM mechanism = {CKM_AES_GCM, &params, sizeof(params)};
  RETURN_IF_ERROR(token.Run([&](CK_SESSION_HANDLE session) -> absl::Status {
    CK_FUNCTION_LIST* fl = token.functions();
    RETURN_IF_ERROR(P11_CALL(fl, C_EncryptInit, session, &mechanism, key));
    CK_ULONG length = out.size() - kGcmIvBytes;
    RETURN_IF_ERROR(P11_CALL(fl, C_Encrypt, session, DataPtr(plaintext), plaintext.size(),
                             out.data() + kGcmIvBytes, &length));
    out.resize(kGcmIvBytes + length);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<SecureBytes> AesGcmDecrypt(Token& token, CK_OBJECT_HANDLE key,
                                          absl::Span<const uint8_t> input,
                                          absl::Span<const uint8_t> aad) {
  RETURN_IF_ERROR(token.mechanisms().Require(CKM_AES_GCM, "decryption"));
  if (input.size() < kGcmIvBytes + kGcmTagBytes) {
    return absl::InvalidArgumentError("authentication failed");
  }
  CK_GCM_PARAMS params = GcmParams(input.data(), aad);
  CK_MECHANISM mechanism = {CKM_AES_GCM, &params, sizeof(params)};
  absl::Span<const uint8_t> sealed = input.subspan(kGcmIvBytes);
  SecureBytes plaintext(sealed.size());  // room for the tag too: some modules want it
  bool decrypting = false;  // C_DecryptInit accepted the key and parameters
  absl::Status status = token.Run([&](CK_SESSION_HANDLE session) -> absl::Status {
    CK_FUNCTION_LIST* fl = token.functions();
    decrypting = false;
    RETURN_IF_ERROR(P11_CALL(fl, C_DecryptInit, session, &mechanism, key));
    decrypting = true;
    CK_ULONG length = plaintext.size();
    RETURN_IF_ERROR(P11_CALL(fl, C_Decrypt, session, const_cast<uint8_t*>(sealed.data()),
                             sealed.size(), plaintext.data(), &length));
    plaintext.resize(length);
    return absl::OkStatus();
  });
  if (status.ok()) return plaintext;
  std::optional<CK_RV> rv = CkRvFromStatus(status);
  // SoftHSM 2.6 reports a GCM tag mismatch from C_Decrypt as CKR_GENERAL_ERROR.
  if (rv == CKR_ENCRYPTED_DATA_INVALID || rv == CKR_ENCRYPTED_DATA_LEN_RANGE ||
      rv == CKR_DATA_INVALID || rv == CKR_DATA_LEN_RANGE ||
      (decrypting && rv == CKR_GENERAL_ERROR)) {
    return absl::InvalidArgumentError("authentication failed");  // same words for every cause
  }
  return status;
}

}  // namespace yinjian::hsm
