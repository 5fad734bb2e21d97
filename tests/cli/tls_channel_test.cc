// The CLI's channel against a real in-process gRPC server that requires client certificates.
#include <gtest/gtest.h>

#include "cli/channel.h"
#include "grpcpp/create_channel.h"
#include "tests/cli/test_pki.h"
#include "tests/support/status_test_macros.h"

namespace yinjian::cli {
namespace {

using ::yinjian::testing::RunningServer;
using ::yinjian::testing::TempDir;
using ::yinjian::testing::TestPki;

class TlsChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    YJ_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create());
    dir_ = std::make_unique<TempDir>(std::move(dir));
    YJ_ASSERT_OK_AND_ASSIGN(pki_, testing::MakeTestPki(*dir_));
    YJ_ASSERT_OK_AND_ASSIGN(server_, testing::StartRandomOnlyServer(*dir_, pki_));
  }

  v1::ClientProfile Profile() const {
    v1::ClientProfile profile;
    profile.set_server(server_.address);
    profile.set_ca_file(pki_.ca_cert);
    profile.set_certificate_file(pki_.client_cert);
    profile.set_key_file(pki_.client_key);
    return profile;
  }

  static grpc::Status CallRandom(const std::shared_ptr<grpc::Channel>& channel, int n,
                                 std::string* data) {
    auto stub = v1::CryptoService::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    v1::GenerateRandomRequest request;
    request.set_length_bytes(n);
    v1::GenerateRandomResponse response;
    grpc::Status status = stub->GenerateRandom(&context, request, &response);
    *data = response.data();
    return status;
  }

  std::unique_ptr<TempDir> dir_;
  TestPki pki_;
  RunningServer server_;
};

TEST_F(TlsChannelTest, ConnectsWithTheClientCertificate) {
  YJ_ASSERT_OK_AND_ASSIGN(const auto channel, MakeChannel(Profile()));
  std::string data;
  const grpc::Status status = CallRandom(channel, 16, &data);
  ASSERT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
  EXPECT_EQ(data, std::string(16, '\xAB'));
}

TEST_F(TlsChannelTest, ClientWithoutCertificateIsRefused) {
  YJ_ASSERT_OK_AND_ASSIGN(const auto ca, dir_->ReadFile(pki_.ca_cert));
  grpc::SslCredentialsOptions options;
  options.pem_root_certs.assign(ca.begin(), ca.end());
  const auto channel = grpc::CreateChannel(server_.address, grpc::SslCredentials(options));
  std::string data;
  const grpc::Status status = CallRandom(channel, 16, &data);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_TRUE(data.empty());
}

TEST_F(TlsChannelTest, ServerFromAnotherCaIsRefused) {
  // The client's own certificate is not a CA for the server: the handshake must fail.
  v1::ClientProfile profile = Profile();
  profile.set_ca_file(pki_.client_cert);
  YJ_ASSERT_OK_AND_ASSIGN(const auto channel, MakeChannel(profile));
  std::string data;
  const grpc::Status status = CallRandom(channel, 16, &data);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
}

}  // namespace
}  // namespace yinjian::cli
