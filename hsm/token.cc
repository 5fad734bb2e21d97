#include "hsm/token.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "hsm/pkcs11_call.h"

namespace yinjian::hsm {

absl::StatusOr<std::unique_ptr<Token>> Token::Open(std::shared_ptr<Pkcs11Module> module,
                                                   TokenOptions options) {
  if (module == nullptr) return absl::InvalidArgumentError("no PKCS#11 module");
  if (options.label.empty()) return absl::InvalidArgumentError("token label is empty");
  if (options.pin.empty()) return absl::InvalidArgumentError("token PIN is empty");
  ASSIGN_OR_RETURN(TokenDescription description, module->FindTokenByLabel(options.label));
  if ((description.flags & CKF_TOKEN_INITIALIZED) == 0 ||
      (description.flags & CKF_USER_PIN_INITIALIZED) == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("token '", options.label, "' is not initialised (no user PIN set)"));
  }
  std::unique_ptr<Token> token(
      new Token(std::move(module), std::move(description), std::move(options)));
  ASSIGN_OR_RETURN(token->mechanisms_,
                   MechanismSet::Probe(token->functions(), token->description_.slot_id));
  {
    absl::MutexLock lock(&token->login_mu_);
    token->relogins_ = 0;
  }
  RETURN_IF_ERROR(token->RestoreLogin());
  return token;
}

Token::Token(std::shared_ptr<Pkcs11Module> module, TokenDescription description,
             TokenOptions options)
    : module_(std::move(module)),
      description_(std::move(description)),
      options_(std::move(options)),
      pool_(std::make_unique<SessionPool>(this, options_.max_sessions, options_.session_wait)) {}

Token::~Token() {
  pool_.reset();  // closes idle sessions; leases must be back by now
  absl::MutexLock lock(&login_mu_);
  if (anchor_session_ != CK_INVALID_HANDLE) {
    // Closing the last session logs the application out of this token.
    (void)P11_CALL(functions(), C_CloseSession, anchor_session_);
  }
}

absl::StatusOr<CK_SESSION_HANDLE> Token::OpenSession() {
  CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
  RETURN_IF_ERROR(P11_CALL(functions(), C_OpenSession, description_.slot_id,
                           CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &session));
  return session;
}

void Token::CloseSession(CK_SESSION_HANDLE session) {
  // A broken session may already be gone; nothing useful can be done with the error.
  (void)P11_CALL(functions(), C_CloseSession, session);
}

absl::Status Token::RestoreLogin() {
  absl::MutexLock lock(&login_mu_);
  return RestoreLoginLocked();
}

absl::Status Token::EnsureLoggedIn() {
  absl::MutexLock lock(&login_mu_);
  CK_SESSION_INFO info = {};
  if (anchor_session_ != CK_INVALID_HANDLE &&
      P11_CALL(functions(), C_GetSessionInfo, anchor_session_, &info).ok() &&
      (info.state == CKS_RW_USER_FUNCTIONS || info.state == CKS_RO_USER_FUNCTIONS)) {
    return absl::OkStatus();
  }
  pool_->DiscardIdle();  // sessions opened before the logout may be broken too
  return RestoreLoginLocked();
}

absl::Status Token::RestoreLoginLocked() {
  if (anchor_session_ != CK_INVALID_HANDLE) {
    (void)P11_CALL(functions(), C_CloseSession, anchor_session_);
    anchor_session_ = CK_INVALID_HANDLE;
    ++relogins_;
  }
  ASSIGN_OR_RETURN(CK_SESSION_HANDLE session, OpenSession());
  absl::Status login =
      P11_CALL(functions(), C_Login, session, CKU_USER,
               const_cast<CK_UTF8CHAR*>(options_.pin.data()), options_.pin.size());
  if (!login.ok() && CkRvFromStatus(login) != CKR_USER_ALREADY_LOGGED_IN) {
    (void)P11_CALL(functions(), C_CloseSession, session);
    return absl::Status(login.code(), absl::StrCat("login to token '", description_.label,
                                                   "' failed: ", login.message()));
  }
  anchor_session_ = session;
  return absl::OkStatus();
}

absl::Status Token::Run(absl::FunctionRef<absl::Status(CK_SESSION_HANDLE)> operation,
                        Retry retry) {
  RETURN_IF_ERROR(module_->CheckNotForked());
  for (int attempt = 0;; ++attempt) {
    ASSIGN_OR_RETURN(SessionLease lease, pool_->Acquire());
    absl::Status status = operation(lease.handle());
    std::optional<CK_RV> rv = CkRvFromStatus(status);
    if (rv == CKR_OPERATION_ACTIVE) {
      // An earlier failure left an operation open on this session (some modules do not end it
      // on argument errors). Closing the session is the only sure way to end it.
      lease.MarkBroken();
      if (retry == Retry::kNever || attempt >= 1) return status;
      continue;
    }
    if (status.ok() || !rv.has_value() || !IsSessionBroken(*rv)) return status;

    lease.MarkBroken();
    lease.Release();
    pool_->DiscardIdle();
    absl::Status restored = RestoreLogin();
    if (!restored.ok()) {
      return absl::UnavailableError(
          absl::StrCat("HSM token '", description_.label, "' is unavailable: ", status.message(),
                       "; recovery failed: ", restored.message()));
    }
    if (retry == Retry::kNever || attempt >= 1) return status;
  }
}

uint64_t Token::relogins() const {
  absl::MutexLock lock(&login_mu_);
  return relogins_;
}

}  // namespace yinjian::hsm
