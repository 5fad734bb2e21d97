// The one place where OpenSSL's thread-local error queue becomes an absl::Status.
#ifndef YINJIAN_HSM_OSSL_STATUS_H_
#define YINJIAN_HSM_OSSL_STATUS_H_

#include "absl/strings/string_view.h"

#include "absl/status/status.h"

namespace yinjian::hsm {

// Drains the calling thread's OpenSSL error queue and returns a Status with `code` whose message
// is "`what`: <first queued reason>" (or just `what` if the queue was empty). Always clears the
// queue, so a later failure never reports a stale reason.
absl::Status OsslError(absl::StatusCode code, absl::string_view what);

// Shorthands for the two cases callers meet: the caller's data was bad (e.g. a malformed key or
// signature encoding) versus OpenSSL itself failing.
inline absl::Status OsslInvalidArgument(absl::string_view what) {
  return OsslError(absl::StatusCode::kInvalidArgument, what);
}
inline absl::Status OsslInternal(absl::string_view what) {
  return OsslError(absl::StatusCode::kInternal, what);
}

// Discards anything queued (used after an expected failure such as a bad signature).
void ClearOsslErrors();

}  // namespace yinjian::hsm

#endif  // YINJIAN_HSM_OSSL_STATUS_H_
