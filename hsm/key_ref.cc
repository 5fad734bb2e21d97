#include "hsm/key_ref.h"

#include "common/status_macros.h"
#include "hsm/ck_rv.h"
#include "hsm/objects.h"

namespace yinjian::hsm {

absl::StatusOr<CK_OBJECT_HANDLE> KeyRef::Handle() { return Resolve(/*force=*/false); }

absl::StatusOr<CK_OBJECT_HANDLE> KeyRef::Resolve(bool force) {
  absl::MutexLock lock(&mu_);
  const uint64_t epoch = token_.relogins();
  if (!force && handle_ != CK_INVALID_HANDLE && epoch_ == epoch) return handle_;
  ASSIGN_OR_RETURN(CK_OBJECT_HANDLE handle,
                   FindObject(token_, {.object_class = object_class_, .id = id_}));
  handle_ = handle;
  epoch_ = epoch;
  return handle;
}

absl::Status KeyRef::Use(absl::FunctionRef<absl::Status(CK_OBJECT_HANDLE)> operation) {
  ASSIGN_OR_RETURN(CK_OBJECT_HANDLE handle, Handle());
  absl::Status status = operation(handle);
  std::optional<CK_RV> rv = CkRvFromStatus(status);
  if (rv != CKR_OBJECT_HANDLE_INVALID && rv != CKR_KEY_HANDLE_INVALID) return status;
  RETURN_IF_ERROR(token_.EnsureLoggedIn());
  ASSIGN_OR_RETURN(handle, Resolve(/*force=*/true));
  return operation(handle);
}

}  // namespace yinjian::hsm
