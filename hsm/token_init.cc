#include "hsm/token_init.h"

#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "hsm/pkcs11_call.h"

namespace yinjian::hsm {
namespace {

absl::StatusOr<CK_SLOT_ID> FreeSlot(CK_FUNCTION_LIST* functions) {
  CK_ULONG count = 0;
  RETURN_IF_ERROR(P11_CALL(functions, C_GetSlotList, CK_TRUE, nullptr, &count));
  std::vector<CK_SLOT_ID> slots(count);
  RETURN_IF_ERROR(P11_CALL(functions, C_GetSlotList, CK_TRUE, slots.data(), &count));
  slots.resize(count);
  for (CK_SLOT_ID slot : slots) {
    CK_TOKEN_INFO info;
    RETURN_IF_ERROR(P11_CALL(functions, C_GetTokenInfo, slot, &info));
    if ((info.flags & CKF_TOKEN_INITIALIZED) == 0) return slot;
  }
  return absl::FailedPreconditionError("the PKCS#11 module has no slot with a free token");
}

CK_UTF8CHAR_PTR Chars(const SecureBytes& pin) {
  return const_cast<CK_UTF8CHAR_PTR>(reinterpret_cast<const CK_UTF8CHAR*>(pin.data()));
}

}  // namespace

absl::Status InitializeToken(Pkcs11Module& module, absl::string_view label,
                             const SecureBytes& so_pin, const SecureBytes& user_pin) {
  if (label.empty() || label.size() > 32) {
    return absl::InvalidArgumentError("a token label is 1 to 32 bytes");
  }
  if (module.FindTokenByLabel(label).ok()) {
    return absl::FailedPreconditionError(absl::StrCat("a token labelled ", label, " exists"));
  }
  CK_FUNCTION_LIST* functions = module.functions();
  ASSIGN_OR_RETURN(CK_SLOT_ID slot, FreeSlot(functions));
  CK_UTF8CHAR padded[32];
  std::memset(padded, ' ', sizeof(padded));
  std::memcpy(padded, label.data(), label.size());
  RETURN_IF_ERROR(P11_CALL(functions, C_InitToken, slot, Chars(so_pin), so_pin.size(), padded));
  RETURN_IF_ERROR(P11_CALL(functions, C_Finalize, nullptr));
  CK_C_INITIALIZE_ARGS init_args = {};
  init_args.flags = CKF_OS_LOCKING_OK;
  RETURN_IF_ERROR(P11_CALL(functions, C_Initialize, &init_args));
  ASSIGN_OR_RETURN(TokenDescription token, module.FindTokenByLabel(label));
  CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
  RETURN_IF_ERROR(P11_CALL(functions, C_OpenSession, token.slot_id,
                           CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &session));
  absl::Status status = P11_CALL(functions, C_Login, session, CKU_SO, Chars(so_pin), so_pin.size());
  if (status.ok()) {
    status = P11_CALL(functions, C_InitPIN, session, Chars(user_pin), user_pin.size());
    (void)P11_CALL(functions, C_Logout, session);
  }
  (void)P11_CALL(functions, C_CloseSession, session);
  return status;
}

}  // namespace yinjian::hsm
