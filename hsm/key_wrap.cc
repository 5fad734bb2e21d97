#include "hsm/key_wrap.h"

#include "common/status_macros.h"
#include "hsm/ck_rv.h"
#include "hsm/mechanisms.h"
#include "hsm/pkcs11_call.h"

namespace yinjian::hsm {
namespace {

// Fits any AES or HMAC key and an RSA-4096 private key in PKCS#8 (about 2.4 KiB) wrapped.
constexpr size_t kWrapBufferBytes = 4096;

}  // namespace

absl::StatusOr<Bytes> WrapKey(Token& token, CK_OBJECT_HANDLE wrapping_key, CK_OBJECT_HANDLE key,
                              CK_MECHANISM_TYPE mechanism_type) {
  RETURN_IF_ERROR(token.mechanisms().Require(mechanism_type, "key wrapping"));
  CK_MECHANISM mechanism = {mechanism_type, nullptr, 0};
  // One C_WrapKey into a generous buffer: asking for the length first (a null buffer) makes
  // SoftHSM perform the whole wrap twice. Only a larger key (CKR_BUFFER_TOO_SMALL) asks.
  Bytes wrapped;
  RETURN_IF_ERROR(token.Run([&](CK_SESSION_HANDLE session) -> absl::Status {
    CK_FUNCTION_LIST* fl = token.functions();
    wrapped.resize(kWrapBufferBytes);
    CK_ULONG length = wrapped.size();
    absl::Status status =
        P11_CALL(fl, C_WrapKey, session, &mechanism, wrapping_key, key, wrapped.data(), &length);
    if (CkRvFromStatus(status) == CKR_BUFFER_TOO_SMALL) {
      wrapped.resize(length);
      status =
          P11_CALL(fl, C_WrapKey, session, &mechanism, wrapping_key, key, wrapped.data(), &length);
    }
    RETURN_IF_ERROR(status);
    wrapped.resize(length);
    return absl::OkStatus();
  }));
  return wrapped;
}

absl::StatusOr<ScopedObject> UnwrapKey(Token& token, CK_OBJECT_HANDLE unwrapping_key,
                                       absl::Span<const uint8_t> wrapped,
                                       AttributeTemplate& key_template,
                                       CK_MECHANISM_TYPE mechanism_type) {
  CK_MECHANISM mechanism = {mechanism_type, nullptr, 0};
  return UnwrapKey(token, unwrapping_key, wrapped, key_template, mechanism);
}

absl::StatusOr<ScopedObject> UnwrapKey(Token& token, CK_OBJECT_HANDLE unwrapping_key,
                                       absl::Span<const uint8_t> wrapped,
                                       AttributeTemplate& key_template, CK_MECHANISM& mechanism) {
  RETURN_IF_ERROR(token.mechanisms().Require(mechanism.mechanism, "key unwrapping"));
  CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
  const bool token_object = key_template.GetBool(CKA_TOKEN).value_or(false);
  absl::Status status = token.Run(
      [&](CK_SESSION_HANDLE session) {
        return P11_CALL(token.functions(), C_UnwrapKey, session, &mechanism, unwrapping_key,
                        DataPtr(wrapped), wrapped.size(), key_template.data(), key_template.size(),
                        &key);
      },
      token_object ? Retry::kNever : Retry::kOnce);
  std::optional<CK_RV> rv = CkRvFromStatus(status);
  // SoftHSM 2.6 reports a failed RFC 5649 integrity check (damaged bytes, wrong key) as
  // CKR_GENERAL_ERROR.
  if (rv == CKR_WRAPPED_KEY_INVALID || rv == CKR_WRAPPED_KEY_LEN_RANGE ||
      rv == CKR_ENCRYPTED_DATA_INVALID || rv == CKR_DATA_INVALID || rv == CKR_GENERAL_ERROR) {
    return absl::InvalidArgumentError("wrapped key does not unwrap under this key");
  }
  RETURN_IF_ERROR(status);
  return ScopedObject(&token, key);
}

}  // namespace yinjian::hsm
