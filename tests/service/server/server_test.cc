// The server through a real gRPC channel with mutual TLS, a fresh SoftHSM token
// and a real SQLite file, as clients see it: an application and a key officer
// of department finance, each with its own client certificate. Access control
// itself is tested in access_e2e_test.cc.
#include "service/server/server.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <thread>

#include "tests/service/server/test_server.h"
#include "tests/support/status_test_macros.h"
#include "yinjian/v1/crypto.grpc.pb.h"
#include "yinjian/v1/keys.grpc.pb.h"

namespace yinjian::server {
namespace {

using testing::Deadline;
using testing::Identity;
using testing::TestServer;

class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto server = TestServer::Start("server-test", [](v1::ServerConfig& config) {
      config.mutable_limits()->set_max_batch_items(10);
    });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server).release();
    YJ_ASSERT_OK(server_->CreateDepartment("finance"));
    auto officer = server_->AddPrincipal("fin-officer", "finance", {"key-officer"});
    ASSERT_TRUE(officer.ok()) << officer.status();
    officer_ = new Identity(*officer);
    auto app = server_->AddPrincipal("fin-app", "finance", {"application"});
    ASSERT_TRUE(app.ok()) << app.status();
    app_ = new Identity(*app);
  }
  static void TearDownTestSuite() {
    delete server_;
    delete officer_;
    delete app_;
  }

  static std::unique_ptr<grpc::ClientContext> Context(int seconds = 30) {
    return Deadline(seconds);
  }
  v1::CryptoService::Stub& crypto() {
    if (!crypto_) crypto_ = v1::CryptoService::NewStub(server_->Channel(*app_));
    return *crypto_;
  }
  v1::KeyManagementService::Stub& keys() {
    if (!keys_) keys_ = v1::KeyManagementService::NewStub(server_->Channel(*officer_));
    return *keys_;
  }
  // Creates key `name` of `kind` as finance's key officer.
  void CreateKey(const std::string& name, v1::KeyKind kind) {
    v1::CreateKeyRequest request;
    request.set_name(name);
    request.set_kind(kind);
    v1::Key key;
    grpc::Status k = keys().CreateKey(Context().get(), request, &key);
    ASSERT_TRUE(k.ok()) << k.error_message();
  }
  v1::EncryptResponse Encrypt(const std::string& key, const std::string& plaintext) {
    v1::EncryptRequest request;
    request.set_key(key);
    request.set_plaintext(plaintext);
    (*request.mutable_context())["case"] = "42";
    v1::EncryptResponse response;
    grpc::Status status = crypto().Encrypt(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }
  grpc::Status Decrypt(const std::string& ciphertext, v1::DecryptResponse* response) {
    v1::DecryptRequest request;
    request.set_ciphertext(ciphertext);
    (*request.mutable_context())["case"] = "42";
    return crypto().Decrypt(Context().get(), request, response);
  }

  static inline TestServer* server_ = nullptr;
  static inline Identity* officer_ = nullptr;
  static inline Identity* app_ = nullptr;
  std::unique_ptr<v1::CryptoService::Stub> crypto_;
  std::unique_ptr<v1::KeyManagementService::Stub> keys_;
};

TEST_F(ServerTest, EncryptDecryptOverMutualTls) {
  CreateKey("finance/main-a", v1::KEY_KIND_AES256_GCM);
  v1::EncryptResponse sealed = Encrypt("finance/main-a", "over the wire");
  EXPECT_EQ(sealed.key_version().protection_level(), v1::PROTECTION_LEVEL_HSM);
  v1::DecryptResponse opened;
  ASSERT_TRUE(Decrypt(sealed.ciphertext(), &opened).ok());
  EXPECT_EQ(opened.plaintext(), "over the wire");
}

TEST_F(ServerTest, EveryTamperedByteFailsWithoutPlaintext) {
  CreateKey("finance/tamper-a", v1::KEY_KIND_SM4);
  const std::string ciphertext = Encrypt("finance/tamper-a", "citizen record").ciphertext();
  for (size_t i = 0; i < ciphertext.size(); ++i) {
    std::string tampered = ciphertext;
    tampered[i] ^= 0x80;
    v1::DecryptResponse response;
    grpc::Status status = Decrypt(tampered, &response);
    ASSERT_FALSE(status.ok()) << "byte " << i;
    EXPECT_TRUE(response.plaintext().empty()) << "byte " << i;
    EXPECT_TRUE(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT ||
                status.error_code() == grpc::StatusCode::NOT_FOUND)
        << i << " " << status.error_message();
  }
}

TEST_F(ServerTest, ClientsWithoutCertificatesAreRefused) {
  auto stub = v1::CryptoService::NewStub(server_->Channel(nullptr));
  v1::GenerateRandomRequest request;
  request.set_length_bytes(8);
  v1::GenerateRandomResponse response;
  grpc::Status status = stub->GenerateRandom(Context(5).get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  auto plaintext = v1::CryptoService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(server_->server().port()), grpc::InsecureChannelCredentials()));
  status = plaintext->GenerateRandom(Context(5).get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(ServerTest, LimitsAreResourceExhausted) {
  CreateKey("finance/limits-a", v1::KEY_KIND_AES256_GCM);
  // The largest allowed plaintext round-trips: its ciphertext is larger than
  // the payload limit.
  const std::string largest(1 << 20, 'y');
  v1::DecryptResponse opened;
  ASSERT_TRUE(Decrypt(Encrypt("finance/limits-a", largest).ciphertext(), &opened).ok());
  EXPECT_EQ(opened.plaintext(), largest);
  v1::EncryptRequest big;
  big.set_key("finance/limits-a");
  big.set_plaintext(std::string((1 << 20) + 1, 'x'));
  v1::EncryptResponse response;
  grpc::Status status = crypto().Encrypt(Context().get(), big, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  big.set_plaintext(std::string(5 << 20, 'x'));  // over the 4 MiB message limit
  status = crypto().Encrypt(Context().get(), big, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  v1::BatchEncryptRequest batch;
  for (int i = 0; i < 11; ++i) {
    v1::EncryptRequest* item = batch.add_items();
    item->set_key("finance/limits-a");
    item->set_plaintext("x");
  }
  v1::BatchEncryptResponse batch_response;
  status = crypto().BatchEncrypt(Context().get(), batch, &batch_response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(batch_response.results_size(), 0);
}

TEST_F(ServerTest, BatchItemsFailAlone) {
  CreateKey("finance/batch-a", v1::KEY_KIND_AES256_GCM);
  v1::BatchEncryptRequest batch;
  for (const char* key :
       {"finance/batch-a", "finance/batch-missing", "Bad Name", "finance/batch-a"}) {
    v1::EncryptRequest* item = batch.add_items();
    item->set_key(key);
    item->set_plaintext(std::string("item for ") + key);
  }
  v1::BatchEncryptResponse response;
  ASSERT_TRUE(crypto().BatchEncrypt(Context().get(), batch, &response).ok());
  ASSERT_EQ(response.results_size(), 4);
  EXPECT_EQ(response.results(0).status().code(), 0);
  EXPECT_EQ(response.results(1).status().code(), int(grpc::StatusCode::NOT_FOUND));
  EXPECT_EQ(response.results(2).status().code(), int(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_FALSE(response.results(1).has_response());
  EXPECT_EQ(response.results(3).status().code(), 0);
  v1::BatchDecryptRequest decrypt;
  for (int i : {0, 3})
    decrypt.add_items()->set_ciphertext(response.results(i).response().ciphertext());
  v1::BatchDecryptResponse opened;
  ASSERT_TRUE(crypto().BatchDecrypt(Context().get(), decrypt, &opened).ok());
  EXPECT_EQ(opened.results(0).response().plaintext(), "item for finance/batch-a");
  EXPECT_EQ(opened.results(1).response().plaintext(), "item for finance/batch-a");
}

TEST_F(ServerTest, ExpiredDeadlinesAreRefused) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() - std::chrono::seconds(1));
  v1::GenerateRandomRequest request;
  request.set_length_bytes(8);
  v1::GenerateRandomResponse response;
  EXPECT_EQ(crypto().GenerateRandom(&context, request, &response).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
}

TEST_F(ServerTest, DigestStreamMatchesUnaryDigest) {
  std::string data;
  for (int i = 0; i < 3000; ++i) data += "chunk " + std::to_string(i) + ";";
  v1::DigestRequest unary;
  unary.set_algorithm(v1::DIGEST_ALGORITHM_SM3);
  unary.set_data(data);
  v1::DigestResponse expected;
  ASSERT_TRUE(crypto().Digest(Context().get(), unary, &expected).ok());
  v1::DigestResponse streamed;
  auto context = Context();
  auto writer = crypto().DigestStream(context.get(), &streamed);
  for (size_t at = 0; at < data.size(); at += 1000) {
    v1::DigestChunk chunk;
    if (at == 0) chunk.set_algorithm(v1::DIGEST_ALGORITHM_SM3);
    chunk.set_data(data.substr(at, 1000));
    ASSERT_TRUE(writer->Write(chunk));
  }
  writer->WritesDone();
  ASSERT_TRUE(writer->Finish().ok());
  EXPECT_EQ(streamed.digest(), expected.digest());
  EXPECT_EQ(streamed.digest().size(), 32u);
}

TEST_F(ServerTest, WrongKindsAndUnknownKeysGetCanonicalCodes) {
  CreateKey("finance/kinds-signer", v1::KEY_KIND_ECDSA_P256);
  v1::EncryptRequest request;
  request.set_key("finance/kinds-signer");
  request.set_plaintext("x");
  v1::EncryptResponse response;
  grpc::Status wrong = crypto().Encrypt(Context().get(), request, &response);
  EXPECT_EQ(wrong.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(wrong.error_message().find("ecdsa-p256"), std::string::npos);
  request.set_key("finance/kinds-none");
  EXPECT_EQ(crypto().Encrypt(Context().get(), request, &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::SignRequest sign;
  sign.set_key("finance/kinds-signer");
  v1::SignResponse signed_;
  EXPECT_EQ(crypto().Sign(Context().get(), sign, &signed_).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);  // neither message nor digest
  sign.set_digest("short");
  grpc::Status bad_digest = crypto().Sign(Context().get(), sign, &signed_);
  EXPECT_EQ(bad_digest.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(bad_digest.error_message().find("CKR_"), std::string::npos);
}

TEST_F(ServerTest, KeyOfficersRotateAndRetireVersions) {
  CreateKey("finance/rotating", v1::KEY_KIND_AES256_GCM);
  const std::string old_ciphertext = Encrypt("finance/rotating", "before rotation").ciphertext();
  v1::RotateKeyRequest rotate;
  rotate.set_name("finance/rotating");
  v1::Key key;
  // Applications use keys; only the department's key officer manages them.
  EXPECT_EQ(v1::KeyManagementService::NewStub(server_->Channel(*app_))
                ->RotateKey(Context().get(), rotate, &key)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(keys().RotateKey(Context().get(), rotate, &key).ok());
  EXPECT_EQ(key.primary_version(), 2);
  EXPECT_EQ(Encrypt("finance/rotating", "after").key_version().version(), 2);
  v1::DecryptResponse opened;
  ASSERT_TRUE(Decrypt(old_ciphertext, &opened).ok());
  EXPECT_EQ(opened.key_version().version(), 1);

  v1::KeyVersionRequest disable;
  disable.set_name("finance/rotating");
  disable.set_version(1);
  ASSERT_TRUE(keys().DisableVersion(Context().get(), disable, &key).ok());
  EXPECT_EQ(Decrypt(old_ciphertext, &opened).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(keys().EnableVersion(Context().get(), disable, &key).ok());
  ASSERT_TRUE(Decrypt(old_ciphertext, &opened).ok());

  v1::SetMinDecryptVersionRequest floor;
  floor.set_name("finance/rotating");
  floor.set_version(2);
  ASSERT_TRUE(keys().SetMinDecryptVersion(Context().get(), floor, &key).ok());
  EXPECT_EQ(key.min_decrypt_version(), 2);
  grpc::Status retired = Decrypt(old_ciphertext, &opened);
  EXPECT_EQ(retired.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(retired.error_message().find("minimum decrypt version"), std::string::npos);

  v1::SetRotationPeriodRequest period;
  period.set_name("finance/rotating");
  period.mutable_rotation_period()->set_seconds(90 * 24 * 3600);
  ASSERT_TRUE(keys().SetRotationPeriod(Context().get(), period, &key).ok());
  EXPECT_EQ(key.rotation_period().seconds(), 90 * 24 * 3600);
  EXPECT_TRUE(key.has_next_rotation_time());
  period.mutable_rotation_period()->set_seconds(-5);
  EXPECT_EQ(keys().SetRotationPeriod(Context().get(), period, &key).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ServerTest, ShutdownFinishesCallsInFlight) {
  // A streaming call is in flight when shutdown begins: it still completes, and
  // then the server accepts no new calls.
  v1::DigestResponse response;
  auto context = Context();
  auto writer = crypto().DigestStream(context.get(), &response);
  v1::DigestChunk first;
  first.set_algorithm(v1::DIGEST_ALGORITHM_SHA256);
  first.set_data("before shutdown;");
  ASSERT_TRUE(writer->Write(first));
  // Shutdown lets calls finish that the server has started; wait until this one
  // has.
  writer->WaitForInitialMetadata();
  std::thread stopper([] { server_->server().Shutdown(absl::Seconds(30)); });
  v1::DigestChunk second;
  second.set_data("after shutdown began");
  writer->Write(second);
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  stopper.join();
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.digest().size(), 32u);
  v1::GenerateRandomRequest request;
  request.set_length_bytes(8);
  v1::GenerateRandomResponse random;
  EXPECT_FALSE(crypto().GenerateRandom(Context(5).get(), request, &random).ok());
  crypto_.reset();
  YJ_ASSERT_OK(server_->Restart());  // the next test in this process gets a fresh server
}

// Last: restarts the server on the same store and token.
TEST_F(ServerTest, ZzKeysAndCiphertextsSurviveARestart) {
  CreateKey("finance/restart-a", v1::KEY_KIND_AES256_GCM);
  CreateKey("finance/restart-s", v1::KEY_KIND_ED25519);
  const std::string ciphertext = Encrypt("finance/restart-a", "kept").ciphertext();
  v1::SignRequest sign;
  sign.set_key("finance/restart-s");
  sign.set_message("signed before");
  v1::SignResponse signature;
  ASSERT_TRUE(crypto().Sign(Context().get(), sign, &signature).ok());
  crypto_.reset();
  keys_.reset();
  YJ_ASSERT_OK(server_->Restart());
  v1::DecryptResponse opened;
  ASSERT_TRUE(Decrypt(ciphertext, &opened).ok());
  EXPECT_EQ(opened.plaintext(), "kept");
  v1::VerifyRequest verify;
  verify.set_key("finance/restart-s:1");
  verify.set_message("signed before");
  verify.set_signature(signature.signature());
  v1::VerifyResponse verified;
  ASSERT_TRUE(crypto().Verify(Context().get(), verify, &verified).ok());
  EXPECT_TRUE(verified.valid());
}

}  // namespace
}  // namespace yinjian::server
