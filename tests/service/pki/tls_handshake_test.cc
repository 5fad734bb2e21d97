// End-to-end check that the development PKI works for what it exists for: a TLS 1.3 handshake
// with mutual authentication, where the server learns the client's name and fingerprint (R3, R7).
// Both ends are real OpenSSL SSL objects talking over a socketpair, one per thread.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <csignal>
#include <optional>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "hsm/ossl_ptr.h"
#include "service/pki/certificate_authority.h"
#include "service/pki/certificate_info.h"
#include "service/pki/dev_pki.h"
#include "service/pki/pem_files.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::pki {
namespace {

using ::testing::HasSubstr;
using ::yinjian::testing::TempDir;

struct Identity {
  std::string certificate_path;
  std::string key_path;
};

struct ServerOutcome {
  bool handshake_ok = false;
  std::string error;  // OpenSSL's reason when the handshake failed
  long verify_result = -1;
  int version = 0;
  std::string peer_common_name;
  std::string peer_fingerprint;
};

struct ClientOutcome {
  bool handshake_ok = false;
  bool received_reply = false;  // the server's first application data arrived
  long verify_result = -1;
};

std::string DrainErrors() {
  std::string reasons;
  while (unsigned long err = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(err, buf, sizeof(buf));
    absl::StrAppend(&reasons, reasons.empty() ? "" : "; ", buf);
  }
  return reasons;
}

hsm::SslCtxPtr ServerContext(const std::string& ca_path, const Identity& identity) {
  hsm::SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx || SSL_CTX_set_min_proto_version(ctx.get(), TLS1_3_VERSION) != 1 ||
      SSL_CTX_use_certificate_chain_file(ctx.get(), identity.certificate_path.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx.get(), identity.key_path.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx.get()) != 1 ||
      SSL_CTX_load_verify_locations(ctx.get(), ca_path.c_str(), nullptr) != 1) {
    ADD_FAILURE() << "server context: " << DrainErrors();
    return nullptr;
  }
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  return ctx;
}

hsm::SslCtxPtr ClientContext(const std::string& ca_path, const std::optional<Identity>& identity) {
  hsm::SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx || SSL_CTX_set_min_proto_version(ctx.get(), TLS1_3_VERSION) != 1 ||
      SSL_CTX_load_verify_locations(ctx.get(), ca_path.c_str(), nullptr) != 1) {
    ADD_FAILURE() << "client context: " << DrainErrors();
    return nullptr;
  }
  if (identity.has_value() &&
      (SSL_CTX_use_certificate_chain_file(ctx.get(), identity->certificate_path.c_str()) != 1 ||
       SSL_CTX_use_PrivateKey_file(ctx.get(), identity->key_path.c_str(), SSL_FILETYPE_PEM) != 1)) {
    ADD_FAILURE() << "client identity: " << DrainErrors();
    return nullptr;
  }
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  return ctx;
}

void RunServer(SSL_CTX* ctx, int fd, ServerOutcome& out) {
  hsm::SslPtr ssl(SSL_new(ctx));
  SSL_set_fd(ssl.get(), fd);
  out.handshake_ok = SSL_accept(ssl.get()) == 1;
  out.verify_result = SSL_get_verify_result(ssl.get());
  if (!out.handshake_ok) {
    out.error = DrainErrors();
    ::shutdown(fd, SHUT_RDWR);  // the client's read ends instead of waiting for data
    return;
  }
  out.version = SSL_version(ssl.get());
  if (const X509* peer = SSL_get0_peer_certificate(ssl.get()); peer != nullptr) {
    absl::StatusOr<CertificateInfo> info = InspectX509(peer);
    if (info.ok()) {
      out.peer_common_name = info->common_name;
      out.peer_fingerprint = info->fingerprint_sha256;
    }
  }
  SSL_write(ssl.get(), "ok", 2);
  SSL_shutdown(ssl.get());
  ERR_clear_error();
}

void RunClient(SSL_CTX* ctx, int fd, const std::string& host, ClientOutcome& out) {
  hsm::SslPtr ssl(SSL_new(ctx));
  SSL_set_fd(ssl.get(), fd);
  SSL_set_tlsext_host_name(ssl.get(), host.c_str());
  SSL_set1_host(ssl.get(), host.c_str());
  // In TLS 1.3 the client finishes its side before the server has judged the client's
  // certificate, so success is only proven once the server's data arrives.
  out.handshake_ok = SSL_connect(ssl.get()) == 1;
  out.verify_result = SSL_get_verify_result(ssl.get());
  if (out.handshake_ok) {
    char reply[2];
    out.received_reply =
        SSL_read(ssl.get(), reply, sizeof(reply)) == 2 && std::string(reply, 2) == "ok";
  }
  ::shutdown(fd, SHUT_RDWR);
  ERR_clear_error();
}

class TlsHandshakeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // A peer that shuts its socket down must not kill the test with SIGPIPE.
    std::signal(SIGPIPE, SIG_IGN);
  }

  void SetUp() override {
    YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
    dir_.emplace(std::move(dir));
    YJ_ASSERT_OK_AND_ASSIGN(pki_, CreateDevelopmentPki(dir_->File("pki"), {}));
    server_ = {pki_.server_certificate_path, pki_.server_key_path};
    admin_ = {pki_.admin_certificate_path, pki_.admin_key_path};
  }

  // Writes a certificate and key issued by a CA unrelated to the development PKI.
  Identity ForeignIdentity(const CertificateRequest& request) {
    absl::StatusOr<std::unique_ptr<CertificateAuthority>> other =
        CertificateAuthority::Create("Yinjian development CA", absl::Hours(1));  // same name!
    EXPECT_TRUE(other.ok()) << other.status();
    absl::StatusOr<IssuedCertificate> issued = (*other)->Issue(request);
    EXPECT_TRUE(issued.ok()) << issued.status();
    Identity identity{dir_->File("foreign.pem"), dir_->File("foreign.key")};
    EXPECT_TRUE(WriteFileAtomically(identity.certificate_path, issued->certificate_pem, 0644,
                                    IfExists::kReplace)
                    .ok());
    EXPECT_TRUE(
        WriteFileAtomically(identity.key_path, issued->private_key_pem, 0600, IfExists::kReplace)
            .ok());
    return identity;
  }

  // Runs one handshake between a server presenting `server_identity` and a client presenting
  // `client_identity` (if any) that expects the server to be `host`; both trust ca.pem.
  void Handshake(const Identity& server_identity, const std::optional<Identity>& client_identity,
                 ServerOutcome& server_out, ClientOutcome& client_out,
                 const std::string& host = "localhost") {
    hsm::SslCtxPtr server_ctx = ServerContext(pki_.ca_certificate_path, server_identity);
    hsm::SslCtxPtr client_ctx = ClientContext(pki_.ca_certificate_path, client_identity);
    ASSERT_TRUE(server_ctx && client_ctx);
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    // A bug must fail the test, not hang it: no read or write waits more than ten seconds.
    const timeval timeout = {.tv_sec = 10, .tv_usec = 0};
    for (int fd : fds) {
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
    }
    std::thread server([&] { RunServer(server_ctx.get(), fds[0], server_out); });
    RunClient(client_ctx.get(), fds[1], host, client_out);
    server.join();
    ::close(fds[0]);
    ::close(fds[1]);
  }

  std::optional<TempDir> dir_;
  DevelopmentPki pki_;
  Identity server_;
  Identity admin_;
};

TEST_F(TlsHandshakeTest, AdminCertificateCompletesMutualTls13) {
  ServerOutcome server;
  ClientOutcome client;
  Handshake(server_, admin_, server, client);
  EXPECT_TRUE(server.handshake_ok) << server.error;
  EXPECT_EQ(server.version, TLS1_3_VERSION);
  EXPECT_EQ(server.verify_result, X509_V_OK);
  EXPECT_EQ(server.peer_common_name, "admin");
  EXPECT_EQ(server.peer_fingerprint, pki_.admin_fingerprint_sha256);
  EXPECT_TRUE(client.handshake_ok);
  EXPECT_EQ(client.verify_result, X509_V_OK);
  EXPECT_TRUE(client.received_reply);
}

TEST_F(TlsHandshakeTest, ClientCertificateFromAnotherCaIsRejected) {
  const Identity foreign =
      ForeignIdentity({.common_name = "admin", .organizational_unit = "yinjian-admin"});
  ServerOutcome server;
  ClientOutcome client;
  Handshake(server_, foreign, server, client);
  EXPECT_FALSE(server.handshake_ok);
  EXPECT_THAT(server.error, HasSubstr("certificate verify failed"));
  EXPECT_NE(server.verify_result, X509_V_OK);
  EXPECT_FALSE(client.received_reply);
  EXPECT_EQ(server.peer_common_name, "");
}

TEST_F(TlsHandshakeTest, ClientWithoutCertificateIsRejected) {
  ServerOutcome server;
  ClientOutcome client;
  Handshake(server_, std::nullopt, server, client);
  EXPECT_FALSE(server.handshake_ok);
  EXPECT_THAT(server.error, HasSubstr("peer did not return a certificate"));
  EXPECT_FALSE(client.received_reply);
}

TEST_F(TlsHandshakeTest, ServerCertificateCannotAuthenticateAClient) {
  // The server certificate verifies against the same CA but lacks clientAuth.
  ServerOutcome server;
  ClientOutcome client;
  Handshake(server_, server_, server, client);
  EXPECT_FALSE(server.handshake_ok);
  EXPECT_EQ(server.verify_result, X509_V_ERR_INVALID_PURPOSE);
  EXPECT_FALSE(client.received_reply);
}

TEST_F(TlsHandshakeTest, ClientRejectsAServerWithAClientCertificateOrWrongName) {
  {
    ServerOutcome server;
    ClientOutcome client;
    Handshake(admin_, admin_, server, client);  // admin.pem has no serverAuth
    EXPECT_FALSE(client.handshake_ok);
    EXPECT_EQ(client.verify_result, X509_V_ERR_INVALID_PURPOSE);
    EXPECT_FALSE(server.handshake_ok);
  }
  {
    ServerOutcome server;
    ClientOutcome client;
    Handshake(server_, admin_, server, client, "yinjian.example.com");  // not in the SANs
    EXPECT_FALSE(client.handshake_ok);
    EXPECT_EQ(client.verify_result, X509_V_ERR_HOSTNAME_MISMATCH);
    EXPECT_FALSE(server.handshake_ok);
  }
}

}  // namespace
}  // namespace yinjian::pki
