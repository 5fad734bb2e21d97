// Every C_* call goes through P11_CALL: it records the function name, counts the call, traces it
// when YINJIAN_PKCS11_TRACE is set, and turns the CK_RV into an absl::Status (via ck_rv.h).
//
//   RETURN_IF_ERROR(P11_CALL(fl, C_SignInit, session, &mechanism, key));
#ifndef YINJIAN_HSM_PKCS11_CALL_H_
#define YINJIAN_HSM_PKCS11_CALL_H_

#include <cstdint>
#include <map>
#include <string>
#include "absl/strings/string_view.h"
#include <utility>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "hsm/ck_rv.h"
#include "hsm/pkcs11.h"

namespace yinjian::hsm {

// Process-wide counters of PKCS#11 calls, for tests, metrics and diagnosis.
struct Pkcs11CallCounts {
  uint64_t calls = 0;
  uint64_t failures = 0;
  // Failures by "C_Function CKR_NAME".
  std::map<std::string, uint64_t> failures_by_kind;
};
Pkcs11CallCounts GetPkcs11CallCounts();

// The data pointer to pass to C_Encrypt, C_Sign, C_Digest, ...: never null, even for empty
// input. SoftHSM answers a null pData with CKR_ARGUMENTS_BAD *without* ending the operation
// begun by C_*Init, so the session would fail every later C_*Init with CKR_OPERATION_ACTIVE.
// The module only reads the byte; with length 0 it reads none.
inline CK_BYTE_PTR DataPtr(absl::Span<const uint8_t> data) {
  static CK_BYTE empty_input = 0;
  return data.empty() ? &empty_input : const_cast<CK_BYTE_PTR>(data.data());
}

namespace internal {
// Counts a call and, when tracing, writes "pkcs11 <function> -> <CKR name>" to stderr. Arguments
// are never traced: they may be PINs or key material.
void RecordPkcs11Call(absl::string_view function, CK_RV rv);

template <typename Fn, typename... Args>
absl::Status CallPkcs11(absl::string_view function, Fn fn, Args&&... args) {
  CK_RV rv = fn(std::forward<Args>(args)...);
  RecordPkcs11Call(function, rv);
  return CkRvToStatus(function, rv);
}
}  // namespace internal

}  // namespace yinjian::hsm

#define P11_CALL(function_list, Function, ...) \
  ::yinjian::hsm::internal::CallPkcs11(#Function, (function_list)->Function, __VA_ARGS__)

#endif  // YINJIAN_HSM_PKCS11_CALL_H_
