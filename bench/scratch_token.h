// A throw-away SoftHSM2 token for a benchmark run: a fresh directory (mkdtemp) with its own
// softhsm2.conf, token store and PIN file, made by softhsm-setup/create-token.sh, and removed
// with everything in it when the object goes away.
#ifndef YINJIAN_BENCH_SCRATCH_TOKEN_H_
#define YINJIAN_BENCH_SCRATCH_TOKEN_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace yinjian::bench {

class ScratchToken {
 public:
  // Runs create-token.sh --dir <mkdtemp dir>/softhsm --label `label` for the module at
  // `module_path` and points SOFTHSM2_CONF in this process's environment at the new
  // configuration. Call it before the module is loaded and while no other thread reads the
  // environment. INTERNAL with the script's stderr if the script fails.
  static absl::StatusOr<std::unique_ptr<ScratchToken>> Create(const std::string& module_path,
                                                              const std::string& label);

  ScratchToken(const ScratchToken&) = delete;
  ScratchToken& operator=(const ScratchToken&) = delete;
  // Removes the directory and unsets SOFTHSM2_CONF if it still points there. Destroy it after
  // the Token (SoftHSM keeps no files open between calls, but sessions should be closed first).
  ~ScratchToken();

  const std::string& dir() const { return dir_; }
  const std::string& label() const { return label_; }
  const std::string& pin_file() const { return pin_file_; }

  // softhsm-setup/create-token.sh in the source tree this binary was built from.
  static std::string CreateTokenScript();

 private:
  ScratchToken(std::string dir, std::string label);

  std::string dir_;        // the mkdtemp directory
  std::string conf_path_;  // dir_/softhsm/softhsm2.conf
  std::string label_;
  std::string pin_file_;   // dir_/softhsm/<label>.pin, written by the script
};

}  // namespace yinjian::bench

#endif  // YINJIAN_BENCH_SCRATCH_TOKEN_H_
