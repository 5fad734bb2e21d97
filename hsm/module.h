// A loaded PKCS#11 module (the HSM vendor's .so): dlopen, C_GetFunctionList, C_Initialize with
// OS locking, and token discovery by label. One instance per module path per process; tokens on
// the same module share it through std::shared_ptr.
#ifndef YINJIAN_HSM_MODULE_H_
#define YINJIAN_HSM_MODULE_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "hsm/pkcs11.h"

namespace yinjian::hsm {

struct ModuleOptions {
  // Path of the PKCS#11 shared library, e.g. /usr/lib/softhsm/libsofthsm2.so.
  std::string path;
  // Call C_Finalize (and dlclose) when the last user lets go. Off by default: some modules crash
  // or hang in C_Finalize, and the process is ending anyway. Tests turn it on so that a module
  // re-reads its configuration when loaded again.
  bool finalize_on_close = false;
};

struct TokenDescription {
  CK_SLOT_ID slot_id = 0;
  std::string label;          // trailing spaces removed
  std::string manufacturer;   // trailing spaces removed
  std::string model;
  std::string serial_number;
  CK_FLAGS flags = 0;         // CKF_TOKEN_INITIALIZED, CKF_USER_PIN_INITIALIZED, ...
};

class Pkcs11Module {
 public:
  // Loads and initialises the module, or returns the instance already loaded from the same path.
  // Fails with FAILED_PRECONDITION if the library cannot be loaded or is not a PKCS#11 module,
  // and with the mapped CK_RV if C_Initialize fails. CKR_CRYPTOKI_ALREADY_INITIALIZED (another
  // component of this process initialised it) is accepted; such a module is never finalised.
  static absl::StatusOr<std::shared_ptr<Pkcs11Module>> Load(const ModuleOptions& options);

  Pkcs11Module(const Pkcs11Module&) = delete;
  Pkcs11Module& operator=(const Pkcs11Module&) = delete;
  ~Pkcs11Module();

  CK_FUNCTION_LIST* functions() const { return functions_; }
  const std::string& path() const { return options_.path; }

  // Tokens present in the module's slots.
  absl::StatusOr<std::vector<TokenDescription>> ListTokens() const;

  // The slot of the one token with this label (slot numbers are not stable: SoftHSM assigns
  // them from serial numbers). NOT_FOUND if none has it, FAILED_PRECONDITION if several do.
  absl::StatusOr<TokenDescription> FindTokenByLabel(absl::string_view label) const;

  // PKCS#11 state does not survive fork(): FAILED_PRECONDITION in a child process.
  absl::Status CheckNotForked() const;

 private:
  Pkcs11Module(ModuleOptions options, void* library, CK_FUNCTION_LIST* functions,
               bool owns_initialization);

  ModuleOptions options_;
  void* library_;
  CK_FUNCTION_LIST* functions_;
  bool owns_initialization_;
  pid_t pid_;                 // the process that loaded the module (for finalisation)
  uint64_t fork_generation_;  // forks seen when loaded; differs in a child process
};

}  // namespace yinjian::hsm

#endif  // YINJIAN_HSM_MODULE_H_
