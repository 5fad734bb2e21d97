// Reading the token PIN. PINs come from a file or an environment variable, never from argv, and
// live only in SecureBytes.
#ifndef YINJIAN_HSM_PIN_H_
#define YINJIAN_HSM_PIN_H_

#include <string>

#include "absl/status/statusor.h"
#include "hsm/secure_bytes.h"

namespace yinjian::hsm {

struct PinSource {
  // Exactly one of these is set.
  std::string file;     // path of a file holding the PIN (one trailing newline is ignored)
  std::string env_var;  // name of an environment variable holding the PIN
};

// Reads the PIN. INVALID_ARGUMENT if neither or both sources are named or the PIN is empty;
// NOT_FOUND if the file or variable does not exist; FAILED_PRECONDITION if the file can be read
// by users other than its owner (like ssh, refuse a PIN that others could have read). Error
// messages name the file or variable, never the PIN.
absl::StatusOr<SecureBytes> ReadPin(const PinSource& source);

}  // namespace yinjian::hsm

#endif  // YINJIAN_HSM_PIN_H_
