// The peer the service is compared with: Debian's `p11-kit server`, which exposes a PKCS#11
// token over a unix socket, reached through its client module p11-kit-client.so. The server
// runs as a child process on the same SoftHSM token as the service; the client module is loaded
// through hsm::Pkcs11Module, so the peer is measured with the same hsm/ code and workloads as
// the raw rates.
#ifndef YINJIAN_BENCH_P11KIT_PEER_H_
#define YINJIAN_BENCH_P11KIT_PEER_H_

#include <sys/types.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "hsm/token.h"

namespace yinjian::bench {

inline constexpr char kDefaultP11KitClientModule[] =
    "/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so";

struct P11KitPeerOptions {
  std::string provider_module;  // the module p11-kit server loads (SoftHSM)
  std::string client_module = kDefaultP11KitClientModule;
  std::string token_label;
  std::string pin_file;
  std::string socket_dir;       // where the server's socket goes (an existing private folder)
};

class P11KitPeer {
 public:
  // Starts `p11-kit server --foreground` for the token (p11-kit from PATH), waits for it to
  // announce P11_KIT_SERVER_ADDRESS, sets that variable in this process's environment, loads the
  // client module and logs in to the token through it. FAILED_PRECONDITION if p11-kit cannot be
  // started or announces nothing within 10 s; the errors of Pkcs11Module::Load and Token::Open.
  // Call while no other thread reads the environment.
  static absl::StatusOr<std::unique_ptr<P11KitPeer>> Start(const P11KitPeerOptions& options);

  P11KitPeer(const P11KitPeer&) = delete;
  P11KitPeer& operator=(const P11KitPeer&) = delete;
  // Logs out (closes the token), then terminates the server with SIGTERM and reaps it.
  ~P11KitPeer();

  hsm::Token& token() { return *token_; }
  const std::string& address() const { return address_; }

 private:
  P11KitPeer(pid_t pid, int stdout_fd) : pid_(pid), stdout_fd_(stdout_fd) {}

  pid_t pid_;
  int stdout_fd_;  // kept open so that the server never writes into a closed pipe
  std::string address_;
  std::unique_ptr<hsm::Token> token_;
};

}  // namespace yinjian::bench

#endif  // YINJIAN_BENCH_P11KIT_PEER_H_
