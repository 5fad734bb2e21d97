// A token key by identity (object class + CKA_ID), not by handle. Handles are looked up once
// and cached, and looked up again when the token re-logged in or when the HSM says the handle
// is stale (CKR_OBJECT_HANDLE_INVALID / CKR_KEY_HANDLE_INVALID): HSMs renumber or invalidate
// handles across logouts and restarts, while CKA_ID stays. Thread-safe.
#ifndef YINJIAN_HSM_KEY_REF_H_
#define YINJIAN_HSM_KEY_REF_H_

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "hsm/pkcs11.h"
#include "hsm/secure_bytes.h"
#include "hsm/token.h"

namespace yinjian::hsm {

class KeyRef {
 public:
  // `token` must outlive the KeyRef. Finds nothing yet.
  KeyRef(Token& token, CK_OBJECT_CLASS object_class, Bytes id)
      : token_(token), object_class_(object_class), id_(std::move(id)) {}

  // The current handle of the key. NOT_FOUND if no object has this class and CKA_ID.
  absl::StatusOr<CK_OBJECT_HANDLE> Handle();

  // Runs `operation` with the key's handle. If it fails because the handle is stale, makes sure
  // the token is logged in, finds the key again and runs `operation` once more.
  absl::Status Use(absl::FunctionRef<absl::Status(CK_OBJECT_HANDLE)> operation);

  const Bytes& id() const { return id_; }

 private:
  absl::StatusOr<CK_OBJECT_HANDLE> Resolve(bool force);

  Token& token_;
  const CK_OBJECT_CLASS object_class_;
  const Bytes id_;

  absl::Mutex mu_;
  CK_OBJECT_HANDLE handle_ ABSL_GUARDED_BY(mu_) = CK_INVALID_HANDLE;
  uint64_t epoch_ ABSL_GUARDED_BY(mu_) = 0;  // token relogins() when handle_ was found
};

}  // namespace yinjian::hsm

#endif  // YINJIAN_HSM_KEY_REF_H_
