#include "bench/p11kit_peer.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "hsm/module.h"
#include "hsm/pin.h"

extern char** environ;

namespace yinjian::bench {
namespace {

constexpr char kAddressVariable[] = "P11_KIT_SERVER_ADDRESS";
constexpr absl::Duration kStartTimeout = absl::Seconds(10);

// This process's environment plus XDG_RUNTIME_DIR (p11-kit refuses to start without one).
std::vector<std::string> ChildEnvironment(const std::string& runtime_dir) {
  std::vector<std::string> env;
  bool has_runtime_dir = false;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    has_runtime_dir |= absl::StartsWith(*entry, "XDG_RUNTIME_DIR=");
    env.emplace_back(*entry);
  }
  if (!has_runtime_dir) env.push_back("XDG_RUNTIME_DIR=" + runtime_dir);
  return env;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Reads the server's stdout until the "P11_KIT_SERVER_ADDRESS=<address>; export ..." line.
absl::StatusOr<std::string> ReadAddress(int fd) {
  const absl::Time deadline = absl::Now() + kStartTimeout;
  std::string seen;
  const std::string prefix = absl::StrCat(kAddressVariable, "=");
  while (absl::Now() < deadline) {
    size_t start = seen.find(prefix);
    if (start != std::string::npos) {
      size_t end = seen.find(';', start);
      if (end != std::string::npos) {
        return seen.substr(start + prefix.size(), end - start - prefix.size());
      }
    }
    pollfd pfd{.fd = fd, .events = POLLIN, .revents = 0};
    const int wait_ms = int(absl::ToInt64Milliseconds(deadline - absl::Now()));
    if (::poll(&pfd, 1, wait_ms > 0 ? wait_ms : 0) <= 0) continue;
    char buffer[512];
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n <= 0) {
      return absl::FailedPreconditionError("p11-kit server exited before announcing its address");
    }
    seen.append(buffer, size_t(n));
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "p11-kit server announced no address within ", absl::FormatDuration(kStartTimeout)));
}

}  // namespace

absl::StatusOr<std::unique_ptr<P11KitPeer>> P11KitPeer::Start(const P11KitPeerOptions& options) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return absl::FailedPreconditionError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  std::vector<std::string> args = {"p11-kit",
                                   "server",
                                   "--foreground",
                                   "--provider",
                                   options.provider_module,
                                   "--name",
                                   options.socket_dir + "/p11-kit.sock",
                                   "pkcs11:token=" + options.token_label};
  std::vector<std::string> env = ChildEnvironment(options.socket_dir);
  std::vector<char*> argv = Pointers(args);
  std::vector<char*> envp = Pointers(env);
  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, "p11-kit", &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (spawned != 0) {
    ::close(fds[0]);
    return absl::FailedPreconditionError(
        absl::StrCat("cannot start p11-kit server: ", std::strerror(spawned)));
  }
  // From here on the destructor terminates and reaps the child, whatever fails.
  std::unique_ptr<P11KitPeer> peer(new P11KitPeer(pid, fds[0]));
  ASSIGN_OR_RETURN(peer->address_, ReadAddress(fds[0]));
  if (::setenv(kAddressVariable, peer->address_.c_str(), 1) != 0) {
    return absl::FailedPreconditionError("cannot set P11_KIT_SERVER_ADDRESS");
  }
  ASSIGN_OR_RETURN(std::shared_ptr<hsm::Pkcs11Module> module,
                   hsm::Pkcs11Module::Load({.path = options.client_module}));
  ASSIGN_OR_RETURN(hsm::SecureBytes pin, hsm::ReadPin({.file = options.pin_file}));
  ASSIGN_OR_RETURN(peer->token_,
                   hsm::Token::Open(module, {.label = options.token_label, .pin = std::move(pin)}));
  return peer;
}

P11KitPeer::~P11KitPeer() {
  token_.reset();
  ::kill(pid_, SIGTERM);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  ::close(stdout_fd_);
}

}  // namespace yinjian::bench
