// `yinjianctl audit verify`: downloads the whole audit log - the log key (unless the user gives
// one), every checkpoint, every entry - and checks it with LogChecker (log_check.h), then checks
// the server's consistency proof from the first checkpoint to the latest.
#ifndef YINJIAN_CLI_AUDIT_VERIFY_H_
#define YINJIAN_CLI_AUDIT_VERIFY_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "cli/command_registry.h"

namespace yinjian::cli {

struct AuditVerifyArgs {
  std::string log_key_file;  // trusted PEM; "" fetches the key from the server (GetLogKey)
  std::string origin;        // "" : the server's (GetLogKey) or the first checkpoint's origin
  // Keys that signed earlier checkpoints: a restored log (backup restore) continues under the
  // new token's log key, so its older checkpoints carry the old key's signatures.
  std::vector<std::string> previous_log_key_files;
};

// Prints the summary (audit_output.h) if the log checks out. A problem is NotValid
// "audit log NOT valid: <problem>" (exit 1); RPC failures as usual.
absl::Status RunAuditVerify(const GlobalOptions& globals, const AuditVerifyArgs& args);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_AUDIT_VERIFY_H_
