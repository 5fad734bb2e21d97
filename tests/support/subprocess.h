// Runs a program to completion and captures its output, for tests that drive scripts and tools
// (softhsm-setup, softhsm2-util, python3). No shell is involved: arguments are passed as given.
#ifndef YINJIAN_TESTS_SUPPORT_SUBPROCESS_H_
#define YINJIAN_TESTS_SUPPORT_SUBPROCESS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace yinjian::testing {

struct ProcessResult {
  // The exit status, or 128 + the signal number if the process was killed by a signal.
  int exit_code = -1;
  std::string out;  // everything written to stdout
  std::string err;  // everything written to stderr
};

// Runs argv[0], which must be an absolute path (no PATH search), with `argv`, this process's
// environment and stdin from /dev/null, and waits for it. Fails only when the process cannot be
// started or waited for; a non-zero exit is reported in the result, not as an error.
absl::StatusOr<ProcessResult> RunProcess(const std::vector<std::string>& argv);

}  // namespace yinjian::testing

#endif  // YINJIAN_TESTS_SUPPORT_SUBPROCESS_H_
