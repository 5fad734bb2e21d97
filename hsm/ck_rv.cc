#include "hsm/ck_rv.h"

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace yinjian::hsm {
namespace {

using Code = absl::StatusCode;

struct RvInfo {
  CK_RV rv;
  const char* name;
  Code code;
};

#define YJ_RV(name, code) {name, #name, Code::code}

constexpr RvInfo kRvTable[] = {
    YJ_RV(CKR_OK, kOk),
    YJ_RV(CKR_CANCEL, kCancelled),
    YJ_RV(CKR_HOST_MEMORY, kResourceExhausted),
    YJ_RV(CKR_SLOT_ID_INVALID, kNotFound),
    YJ_RV(CKR_GENERAL_ERROR, kInternal),
    YJ_RV(CKR_FUNCTION_FAILED, kInternal),
    YJ_RV(CKR_ARGUMENTS_BAD, kInvalidArgument),
    YJ_RV(CKR_NO_EVENT, kInternal),
    YJ_RV(CKR_NEED_TO_CREATE_THREADS, kFailedPrecondition),
    YJ_RV(CKR_CANT_LOCK, kFailedPrecondition),
    YJ_RV(CKR_ATTRIBUTE_READ_ONLY, kFailedPrecondition),
    YJ_RV(CKR_ATTRIBUTE_SENSITIVE, kFailedPrecondition),
    YJ_RV(CKR_ATTRIBUTE_TYPE_INVALID, kInvalidArgument),
    YJ_RV(CKR_ATTRIBUTE_VALUE_INVALID, kInvalidArgument),
    YJ_RV(CKR_ACTION_PROHIBITED, kFailedPrecondition),
    YJ_RV(CKR_DATA_INVALID, kInvalidArgument),
    YJ_RV(CKR_DATA_LEN_RANGE, kInvalidArgument),
    YJ_RV(CKR_DEVICE_ERROR, kUnavailable),
    YJ_RV(CKR_DEVICE_MEMORY, kResourceExhausted),
    YJ_RV(CKR_DEVICE_REMOVED, kUnavailable),
    YJ_RV(CKR_ENCRYPTED_DATA_INVALID, kInvalidArgument),
    YJ_RV(CKR_ENCRYPTED_DATA_LEN_RANGE, kInvalidArgument),
    YJ_RV(CKR_FUNCTION_CANCELED, kCancelled),
    YJ_RV(CKR_FUNCTION_NOT_PARALLEL, kFailedPrecondition),
    YJ_RV(CKR_FUNCTION_NOT_SUPPORTED, kFailedPrecondition),
    YJ_RV(CKR_KEY_HANDLE_INVALID, kNotFound),
    YJ_RV(CKR_KEY_SIZE_RANGE, kInvalidArgument),
    YJ_RV(CKR_KEY_TYPE_INCONSISTENT, kFailedPrecondition),
    YJ_RV(CKR_KEY_NOT_NEEDED, kInvalidArgument),
    YJ_RV(CKR_KEY_CHANGED, kFailedPrecondition),
    YJ_RV(CKR_KEY_NEEDED, kFailedPrecondition),
    YJ_RV(CKR_KEY_INDIGESTIBLE, kFailedPrecondition),
    YJ_RV(CKR_KEY_FUNCTION_NOT_PERMITTED, kFailedPrecondition),
    YJ_RV(CKR_KEY_NOT_WRAPPABLE, kFailedPrecondition),
    YJ_RV(CKR_KEY_UNEXTRACTABLE, kFailedPrecondition),
    YJ_RV(CKR_MECHANISM_INVALID, kFailedPrecondition),
    YJ_RV(CKR_MECHANISM_PARAM_INVALID, kInvalidArgument),
    YJ_RV(CKR_OBJECT_HANDLE_INVALID, kNotFound),
    YJ_RV(CKR_OPERATION_ACTIVE, kInternal),
    YJ_RV(CKR_OPERATION_NOT_INITIALIZED, kInternal),
    YJ_RV(CKR_PIN_INCORRECT, kPermissionDenied),
    YJ_RV(CKR_PIN_INVALID, kPermissionDenied),
    YJ_RV(CKR_PIN_LEN_RANGE, kPermissionDenied),
    YJ_RV(CKR_PIN_EXPIRED, kFailedPrecondition),
    YJ_RV(CKR_PIN_LOCKED, kFailedPrecondition),
    YJ_RV(CKR_SESSION_CLOSED, kUnavailable),
    YJ_RV(CKR_SESSION_COUNT, kResourceExhausted),
    YJ_RV(CKR_SESSION_HANDLE_INVALID, kUnavailable),
    YJ_RV(CKR_SESSION_PARALLEL_NOT_SUPPORTED, kFailedPrecondition),
    YJ_RV(CKR_SESSION_READ_ONLY, kFailedPrecondition),
    YJ_RV(CKR_SESSION_EXISTS, kFailedPrecondition),
    YJ_RV(CKR_SESSION_READ_ONLY_EXISTS, kFailedPrecondition),
    YJ_RV(CKR_SESSION_READ_WRITE_SO_EXISTS, kFailedPrecondition),
    YJ_RV(CKR_SIGNATURE_INVALID, kInvalidArgument),
    YJ_RV(CKR_SIGNATURE_LEN_RANGE, kInvalidArgument),
    YJ_RV(CKR_TEMPLATE_INCOMPLETE, kInvalidArgument),
    YJ_RV(CKR_TEMPLATE_INCONSISTENT, kInvalidArgument),
    YJ_RV(CKR_TOKEN_NOT_PRESENT, kUnavailable),
    YJ_RV(CKR_TOKEN_NOT_RECOGNIZED, kUnavailable),
    YJ_RV(CKR_TOKEN_WRITE_PROTECTED, kFailedPrecondition),
    YJ_RV(CKR_UNWRAPPING_KEY_SIZE_RANGE, kFailedPrecondition),
    YJ_RV(CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT, kFailedPrecondition),
    YJ_RV(CKR_USER_ALREADY_LOGGED_IN, kFailedPrecondition),
    YJ_RV(CKR_USER_NOT_LOGGED_IN, kUnavailable),
    YJ_RV(CKR_USER_PIN_NOT_INITIALIZED, kFailedPrecondition),
    YJ_RV(CKR_USER_TYPE_INVALID, kFailedPrecondition),
    YJ_RV(CKR_USER_ANOTHER_ALREADY_LOGGED_IN, kFailedPrecondition),
    YJ_RV(CKR_USER_TOO_MANY_TYPES, kFailedPrecondition),
    YJ_RV(CKR_WRAPPED_KEY_INVALID, kInvalidArgument),
    YJ_RV(CKR_WRAPPED_KEY_LEN_RANGE, kInvalidArgument),
    YJ_RV(CKR_WRAPPING_KEY_HANDLE_INVALID, kNotFound),
    YJ_RV(CKR_WRAPPING_KEY_SIZE_RANGE, kFailedPrecondition),
    YJ_RV(CKR_WRAPPING_KEY_TYPE_INCONSISTENT, kFailedPrecondition),
    YJ_RV(CKR_RANDOM_SEED_NOT_SUPPORTED, kFailedPrecondition),
    YJ_RV(CKR_RANDOM_NO_RNG, kFailedPrecondition),
    YJ_RV(CKR_DOMAIN_PARAMS_INVALID, kInvalidArgument),
    YJ_RV(CKR_CURVE_NOT_SUPPORTED, kFailedPrecondition),
    YJ_RV(CKR_BUFFER_TOO_SMALL, kInternal),
    YJ_RV(CKR_SAVED_STATE_INVALID, kInvalidArgument),
    YJ_RV(CKR_INFORMATION_SENSITIVE, kFailedPrecondition),
    YJ_RV(CKR_STATE_UNSAVEABLE, kFailedPrecondition),
    YJ_RV(CKR_CRYPTOKI_NOT_INITIALIZED, kUnavailable),
    YJ_RV(CKR_CRYPTOKI_ALREADY_INITIALIZED, kFailedPrecondition),
    YJ_RV(CKR_MUTEX_BAD, kInternal),
    YJ_RV(CKR_MUTEX_NOT_LOCKED, kInternal),
    YJ_RV(CKR_NEW_PIN_MODE, kFailedPrecondition),
    YJ_RV(CKR_NEXT_OTP, kFailedPrecondition),
    YJ_RV(CKR_EXCEEDED_MAX_ITERATIONS, kFailedPrecondition),
    YJ_RV(CKR_FIPS_SELF_TEST_FAILED, kUnavailable),
    YJ_RV(CKR_LIBRARY_LOAD_FAILED, kUnavailable),
    YJ_RV(CKR_PIN_TOO_WEAK, kPermissionDenied),
    YJ_RV(CKR_PUBLIC_KEY_INVALID, kInvalidArgument),
    YJ_RV(CKR_FUNCTION_REJECTED, kFailedPrecondition),
};

#undef YJ_RV

const RvInfo* Find(CK_RV rv) {
  for (const RvInfo& info : kRvTable) {
    if (info.rv == rv) return &info;
  }
  return nullptr;
}

}  // namespace

std::string CkRvName(CK_RV rv) {
  if (const RvInfo* info = Find(rv)) return info->name;
  return absl::StrFormat("CKR_0x%08X", rv);
}

absl::StatusCode CkRvToCode(CK_RV rv) {
  if (const RvInfo* info = Find(rv)) return info->code;
  return Code::kInternal;  // vendor-defined or unknown values
}

absl::Status CkRvToStatus(absl::string_view function, CK_RV rv) {
  if (rv == CKR_OK) return absl::OkStatus();
  absl::Status status(CkRvToCode(rv), absl::StrCat(function, " failed: ", CkRvName(rv)));
  status.SetPayload(kCkRvPayloadUrl, absl::Cord(absl::StrCat(rv)));
  return status;
}

std::optional<CK_RV> CkRvFromStatus(const absl::Status& status) {
  auto payload = status.GetPayload(kCkRvPayloadUrl);  // absl::optional in Debian's Abseil
  if (!payload.has_value()) return std::nullopt;
  CK_RV rv = 0;
  if (!absl::SimpleAtoi(std::string(*payload), &rv)) return std::nullopt;
  return rv;
}

bool IsSessionBroken(CK_RV rv) {
  switch (rv) {
    case CKR_SESSION_HANDLE_INVALID:
    case CKR_SESSION_CLOSED:
    case CKR_DEVICE_ERROR:
    case CKR_DEVICE_REMOVED:
    case CKR_TOKEN_NOT_PRESENT:
    case CKR_USER_NOT_LOGGED_IN:
    case CKR_CRYPTOKI_NOT_INITIALIZED:
      return true;
    default:
      return false;
  }
}

}  // namespace yinjian::hsm
