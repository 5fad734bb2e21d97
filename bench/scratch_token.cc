#include "bench/scratch_token.h"

#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

extern char** environ;

namespace yinjian::bench {
namespace {

std::string TempRoot() {
  const char* tmpdir = getenv("TMPDIR");
  return (tmpdir != nullptr && tmpdir[0] == '/') ? tmpdir : "/tmp";
}

std::string ReadSmallFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// Runs `argv` (argv[0] an absolute path) with this process's environment, stdin from /dev/null,
// stdout discarded and stderr into `stderr_path`; returns its exit status.
absl::StatusOr<int> RunToCompletion(const std::vector<std::string>& argv,
                                    const std::string& stderr_path) {
  posix_spawn_file_actions_t actions;
  if (posix_spawn_file_actions_init(&actions) != 0) {
    return absl::InternalError("posix_spawn_file_actions_init failed");
  }
  absl::Cleanup destroy_actions = [&actions] { posix_spawn_file_actions_destroy(&actions); };
  if (posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0) != 0 ||
      posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0) != 0 ||
      posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path.c_str(),
                                       O_WRONLY | O_CREAT | O_TRUNC, 0600) != 0) {
    return absl::InternalError("posix_spawn_file_actions_addopen failed");
  }
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  if (int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ); rc != 0) {
    return absl::InternalError(absl::StrCat("cannot start ", argv[0], ": ", std::strerror(rc)));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      return absl::InternalError(absl::StrCat("waitpid: ", std::strerror(errno)));
    }
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

}  // namespace

std::string ScratchToken::CreateTokenScript() {
  return absl::StrCat(YINJIAN_SOURCE_DIR, "/softhsm-setup/create-token.sh");
}

ScratchToken::ScratchToken(std::string dir, std::string label)
    : dir_(std::move(dir)),
      conf_path_(absl::StrCat(dir_, "/softhsm/softhsm2.conf")),
      label_(std::move(label)),
      pin_file_(absl::StrCat(dir_, "/softhsm/", label_, ".pin")) {}

absl::StatusOr<std::unique_ptr<ScratchToken>> ScratchToken::Create(
    const std::string& module_path, const std::string& label) {
  std::string dir = TempRoot() + "/yinjian-bench-XXXXXX";
  if (mkdtemp(dir.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp ", dir, ": ", std::strerror(errno)));
  }
  // From here the destructor removes the directory, whatever fails next.
  std::unique_ptr<ScratchToken> token(new ScratchToken(dir, label));
  // The script takes the module from the environment.
  if (setenv("YINJIAN_PKCS11_MODULE", module_path.c_str(), /*overwrite=*/1) != 0) {
    return absl::InternalError(absl::StrCat("setenv: ", std::strerror(errno)));
  }
  const std::string log = absl::StrCat(dir, "/create-token.log");
  absl::StatusOr<int> exit_code = RunToCompletion(
      {"/bin/bash", CreateTokenScript(), "--dir", absl::StrCat(dir, "/softhsm"), "--label", label},
      log);
  if (!exit_code.ok()) return exit_code.status();
  if (*exit_code != 0) {
    return absl::InternalError(absl::StrCat("create-token.sh exited with ", *exit_code, ": ",
                                            absl::StripAsciiWhitespace(ReadSmallFile(log))));
  }
  if (setenv("SOFTHSM2_CONF", token->conf_path_.c_str(), /*overwrite=*/1) != 0) {
    return absl::InternalError(absl::StrCat("setenv: ", std::strerror(errno)));
  }
  return token;
}

ScratchToken::~ScratchToken() {
  const char* conf = getenv("SOFTHSM2_CONF");
  if (conf != nullptr && conf_path_ == conf) unsetenv("SOFTHSM2_CONF");
  std::error_code error;
  std::filesystem::remove_all(dir_, error);
  if (error) {
    std::fprintf(stderr, "hsm_bench: cannot remove %s: %s\n", dir_.c_str(),
                 error.message().c_str());
  }
}

}  // namespace yinjian::bench
