// Initialising a fresh token through PKCS#11, for throw-away tokens made by a program (restore
// drills into a temporary SoftHSM token). Production tokens are initialised by their officers
// with the vendor's tools, or by softhsm-setup/create-token.sh for SoftHSM.
#ifndef YINJIAN_HSM_TOKEN_INIT_H_
#define YINJIAN_HSM_TOKEN_INIT_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "hsm/module.h"
#include "hsm/secure_bytes.h"

namespace yinjian::hsm {

// C_InitToken on the module's first slot without an initialised token, with `so_pin` and
// `label`; then C_Finalize and C_Initialize (SoftHSM moves the new token to another slot and
// shows it only after that), and C_InitPIN with `user_pin` in an SO session. No session of the
// module may be open. FAILED_PRECONDITION if there is no free slot or a token has the label
// already; INVALID_ARGUMENT for a label over 32 bytes.
absl::Status InitializeToken(Pkcs11Module& module, absl::string_view label,
                             const SecureBytes& so_pin, const SecureBytes& user_pin);

}  // namespace yinjian::hsm

#endif  // YINJIAN_HSM_TOKEN_INIT_H_
