#include "hsm/ossl_status.h"

#include <openssl/err.h>

#include <string>

#include "absl/strings/str_cat.h"

namespace yinjian::hsm {

absl::Status OsslError(absl::StatusCode code, absl::string_view what) {
  std::string reason;
  unsigned long err = ERR_get_error();  // the earliest error is usually the root cause
  if (err != 0) {
    char buf[256];
    ERR_error_string_n(err, buf, sizeof(buf));
    reason = buf;
  }
  ERR_clear_error();
  if (reason.empty()) return absl::Status(code, what);
  return absl::Status(code, absl::StrCat(what, ": ", reason));
}

void ClearOsslErrors() { ERR_clear_error(); }

}  // namespace yinjian::hsm
