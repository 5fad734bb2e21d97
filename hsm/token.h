// A logged-in token: the module, the slot found by label, the user login, a session pool and the
// mechanisms the token offers. Every key operation in hsm/ runs through Token::Run.
#ifndef YINJIAN_HSM_TOKEN_H_
#define YINJIAN_HSM_TOKEN_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "hsm/mechanisms.h"
#include "hsm/module.h"
#include "hsm/pkcs11.h"
#include "hsm/secure_bytes.h"
#include "hsm/session_pool.h"

namespace yinjian::hsm {

struct TokenOptions {
  std::string label;      // CKA_LABEL of the token (not a slot number)
  SecureBytes pin;        // user PIN; see hsm/pin.h for reading it
  size_t max_sessions = 16;
  absl::Duration session_wait = absl::Seconds(5);
};

// Whether Token::Run may repeat an operation on a fresh session after the first one broke.
// Only operations without lasting effects are safe to repeat (sign, encrypt, digest, find,
// session-object creation); creating a token object is not (it may have been created).
enum class Retry { kOnce, kNever };

class Token : public SessionBackend {
 public:
  // Finds the token by label, logs in as the user, opens the first session and probes the
  // mechanism list. NOT_FOUND for a missing label; PERMISSION_DENIED for a wrong PIN.
  static absl::StatusOr<std::unique_ptr<Token>> Open(std::shared_ptr<Pkcs11Module> module,
                                                     TokenOptions options);
  ~Token() override;

  // Leases a session and runs `operation` on it. If the operation fails because the session is
  // broken (ck_rv.h IsSessionBroken), the session and every idle one is discarded, the login is
  // restored, and - with Retry::kOnce - the operation runs once more on a fresh session. A
  // session stuck with an open operation (CKR_OPERATION_ACTIVE) is closed and likewise retried.
  absl::Status Run(absl::FunctionRef<absl::Status(CK_SESSION_HANDLE)> operation,
                   Retry retry = Retry::kOnce);

  CK_FUNCTION_LIST* functions() const { return module_->functions(); }
  const Pkcs11Module& module() const { return *module_; }
  const MechanismSet& mechanisms() const { return mechanisms_; }
  const TokenDescription& description() const { return description_; }
  const std::string& label() const { return description_.label; }
  SessionPool& pool() { return *pool_; }
  // Times the login had to be restored after sessions broke. Object handles found before a
  // re-login may be stale (SoftHSM invalidates private object handles on logout): KeyRef
  // compares this epoch to re-find its key.
  uint64_t relogins() const;

  // Checks the login state on the anchor session (C_GetSessionInfo) and logs in again if it was
  // lost, e.g. because another component called C_Logout or C_CloseAllSessions.
  absl::Status EnsureLoggedIn();

 private:
  Token(std::shared_ptr<Pkcs11Module> module, TokenDescription description, TokenOptions options);

  absl::StatusOr<CK_SESSION_HANDLE> OpenSession() override;
  void CloseSession(CK_SESSION_HANDLE session) override;
  // (Re)opens the anchor session and logs in on it. PKCS#11 logs the application out when its
  // last session to the token closes; the anchor session is never leased, so the login stays.
  absl::Status RestoreLogin() ABSL_LOCKS_EXCLUDED(login_mu_);
  absl::Status RestoreLoginLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(login_mu_);

  std::shared_ptr<Pkcs11Module> module_;
  TokenDescription description_;
  TokenOptions options_;
  MechanismSet mechanisms_;
  std::unique_ptr<SessionPool> pool_;

  mutable absl::Mutex login_mu_;
  CK_SESSION_HANDLE anchor_session_ ABSL_GUARDED_BY(login_mu_) = CK_INVALID_HANDLE;
  uint64_t relogins_ ABSL_GUARDED_BY(login_mu_) = 0;
};

}  // namespace yinjian::hsm

#endif  // YINJIAN_HSM_TOKEN_H_
