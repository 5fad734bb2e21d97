// CK_RV -> absl::Status, in exactly one place. Every PKCS#11 failure a caller sees carries a
// canonical code, the C_* function name and the CKR_* name, and the raw CK_RV as a payload.
#ifndef YINJIAN_HSM_CK_RV_H_
#define YINJIAN_HSM_CK_RV_H_

#include <optional>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "hsm/pkcs11.h"

namespace yinjian::hsm {

// Payload URL under which CkRvToStatus stores the CK_RV (as decimal text).
inline constexpr absl::string_view kCkRvPayloadUrl = "type.yinjian.dev/yinjian.hsm.CkRv";

// "CKR_SIGNATURE_INVALID", or "CKR_0x..." for values this table does not know.
std::string CkRvName(CK_RV rv);

// The canonical code for a return value:
//   caller's data bad (CKR_DATA_*, *_LEN_RANGE, *_INVALID params) -> INVALID_ARGUMENT
//   wrong key/mechanism for the operation, unsupported, locked PIN -> FAILED_PRECONDITION
//   unknown object, key or slot handle -> NOT_FOUND
//   wrong PIN -> PERMISSION_DENIED
//   memory or session count exhausted -> RESOURCE_EXHAUSTED
//   device/session/token gone, not logged in -> UNAVAILABLE
//   anything else (general error, buffer too small: our bug) -> INTERNAL
absl::StatusCode CkRvToCode(CK_RV rv);

// OK for CKR_OK; otherwise "<function> failed: <CKR name>" with the code above and the payload.
absl::Status CkRvToStatus(absl::string_view function, CK_RV rv);

// The CK_RV recorded in a Status made by CkRvToStatus, if any.
std::optional<CK_RV> CkRvFromStatus(const absl::Status& status);

// True for return values after which the session can no longer be trusted and must be replaced:
// CKR_SESSION_HANDLE_INVALID, CKR_SESSION_CLOSED, CKR_DEVICE_ERROR, CKR_DEVICE_REMOVED,
// CKR_TOKEN_NOT_PRESENT, CKR_USER_NOT_LOGGED_IN, CKR_CRYPTOKI_NOT_INITIALIZED.
bool IsSessionBroken(CK_RV rv);

}  // namespace yinjian::hsm

#endif  // YINJIAN_HSM_CK_RV_H_
