// Supervised destruction end to end (R11): key officers, a destruction supervisor, an auditor
// and applications of several departments, each over its own mutual-TLS channel to a server on
// SoftHSM and SQLite with a one-second waiting period. Covers the whole flow, every refusal
// (self-approval, wrong role, wrong department, too early, cancelled, primary version), core
// keys' second approval, the destroyed version's clear error, and the record in the audit log.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "service/audit/audit_entry.h"
#include "service/audit/proof_text.h"
#include "tests/service/server/test_server.h"
#include "tests/support/status_test_macros.h"
#include "yinjian/v1/audit.grpc.pb.h"
#include "yinjian/v1/crypto.grpc.pb.h"
#include "yinjian/v1/keys.grpc.pb.h"

namespace yinjian::server {
namespace {

using testing::Deadline;
using testing::Identity;
using testing::TestServer;

std::string Reason(const grpc::Status& status) {
  if (status.error_code() != grpc::StatusCode::PERMISSION_DENIED) {
    return "not denied: " + std::to_string(status.error_code()) + " " + status.error_message();
  }
  return status.error_message().substr(0, status.error_message().find(':'));
}

class DestructionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto server = TestServer::Start("destruction-test", [](v1::ServerConfig& config) {
      v1::LifecycleConfig* lifecycle = config.mutable_lifecycle();
      lifecycle->set_destruction_waiting_seconds(1);
      lifecycle->set_allow_short_destruction_wait_for_tests(true);
      lifecycle->set_destruction_check_seconds(1);
    });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server).release();
    for (const char* department : {"finance", "tax", "oversight"}) {
      YJ_ASSERT_OK(server_->CreateDepartment(department));
    }
    const std::vector<std::tuple<std::string, std::string, std::vector<std::string>>> people = {
        {"alice", "finance", {"key-officer"}},
        {"bob", "finance", {"key-officer"}},
        {"carol", "finance", {"key-officer"}},
        {"kim", "finance", {"key-officer", "destruction-supervisor"}},
        {"fin-app", "finance", {"application"}},
        {"tom", "tax", {"key-officer"}},
        {"sam", "oversight", {"destruction-supervisor"}},
        {"ann", "oversight", {"auditor"}},
    };
    people_ = new std::map<std::string, Identity>();
    for (const auto& [name, department, roles] : people) {
      auto identity = server_->AddPrincipal(name, department, roles);
      ASSERT_TRUE(identity.ok()) << name << ": " << identity.status();
      (*people_)[name] = *identity;
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    delete people_;
  }

  static std::unique_ptr<v1::KeyManagementService::Stub> Keys(const std::string& as) {
    return v1::KeyManagementService::NewStub(server_->Channel(people_->at(as)));
  }

  static void CreateKey(const std::string& name, v1::KeyKind kind, const std::string& level) {
    v1::CreateKeyRequest request;
    request.set_name(name);
    request.set_kind(kind);
    request.mutable_policy()->set_data_level(level);
    v1::Key key;
    grpc::Status status = Keys("alice")->CreateKey(Deadline().get(), request, &key);
    ASSERT_TRUE(status.ok()) << name << ": " << status.error_message();
  }

  static v1::Key Rotate(const std::string& name) {
    v1::RotateKeyRequest request;
    request.set_name(name);
    v1::Key key;
    grpc::Status status = Keys("alice")->RotateKey(Deadline().get(), request, &key);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return key;
  }

  static grpc::Status Encrypt(const std::string& key, std::string* ciphertext) {
    v1::EncryptRequest request;
    request.set_key(key);
    request.set_plaintext("old ledger");
    v1::EncryptResponse response;
    grpc::Status status = v1::CryptoService::NewStub(server_->Channel(people_->at("fin-app")))
                              ->Encrypt(Deadline().get(), request, &response);
    *ciphertext = response.ciphertext();
    return status;
  }

  static grpc::Status Decrypt(const std::string& ciphertext, std::string* plaintext = nullptr) {
    v1::DecryptRequest request;
    request.set_ciphertext(ciphertext);
    v1::DecryptResponse response;
    grpc::Status status = v1::CryptoService::NewStub(server_->Channel(people_->at("fin-app")))
                              ->Decrypt(Deadline().get(), request, &response);
    if (plaintext != nullptr) *plaintext = response.plaintext();
    return status;
  }

  static grpc::Status Request(const std::string& as, const std::string& name,
                              const std::string& reason, v1::Destruction* out) {
    v1::RequestDestructionRequest request;
    request.set_name(name);
    request.set_reason(reason);
    return Keys(as)->RequestDestruction(Deadline().get(), request, out);
  }

  using IdRpc = grpc::Status (v1::KeyManagementService::Stub::*)(grpc::ClientContext*,
                                                                 const v1::DestructionIdRequest&,
                                                                 v1::Destruction*);
  static grpc::Status Step(IdRpc rpc, const std::string& as, int64_t id,
                           v1::Destruction* out = nullptr) {
    v1::DestructionIdRequest request;
    request.set_id(id);
    v1::Destruction ignored;
    auto stub = Keys(as);
    return ((*stub).*rpc)(Deadline().get(), request, out == nullptr ? &ignored : out);
  }
  static grpc::Status Approve(const std::string& as, int64_t id, v1::Destruction* out = nullptr) {
    return Step(&v1::KeyManagementService::Stub::ApproveDestruction, as, id, out);
  }
  static grpc::Status Witness(const std::string& as, int64_t id, v1::Destruction* out = nullptr) {
    return Step(&v1::KeyManagementService::Stub::WitnessDestruction, as, id, out);
  }
  static grpc::Status Get(const std::string& as, int64_t id, v1::Destruction* out = nullptr) {
    return Step(&v1::KeyManagementService::Stub::GetDestruction, as, id, out);
  }
  static grpc::Status Cancel(const std::string& as, int64_t id, v1::Destruction* out = nullptr) {
    v1::CancelDestructionRequest request;
    request.set_id(id);
    request.set_reason("still needed");
    v1::Destruction ignored;
    return Keys(as)->CancelDestruction(Deadline().get(), request, out == nullptr ? &ignored : out);
  }

  // Waits (bounded) until the server's executor has carried the request out and recorded it.
  static v1::Destruction AwaitRecord(int64_t id) {
    v1::Destruction destruction;
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (absl::Now() < deadline) {
      grpc::Status status = Get("alice", id, &destruction);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok() || (destruction.state() == "destroyed" && destruction.record_index() >= 0)) {
        break;
      }
      // Not a synchronisation sleep: the executor runs on its own schedule; poll its result.
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return destruction;
  }

  static TestServer* server_;
  static std::map<std::string, Identity>* people_;
};

TestServer* DestructionTest::server_ = nullptr;
std::map<std::string, Identity>* DestructionTest::people_ = nullptr;

TEST_F(DestructionTest, VersionIsDestroyedAfterApprovalWitnessAndWaitingPeriod) {
  CreateKey("finance/ledger-2019", v1::KEY_KIND_AES256_GCM, "general");
  std::string old_ciphertext;
  ASSERT_TRUE(Encrypt("finance/ledger-2019", &old_ciphertext).ok());
  Rotate("finance/ledger-2019");
  std::string new_ciphertext;
  ASSERT_TRUE(Encrypt("finance/ledger-2019", &new_ciphertext).ok());

  // Requests: only a key officer of the department, with a reason, never for the primary.
  v1::Destruction d;
  EXPECT_EQ(Reason(Request("fin-app", "finance/ledger-2019:1", "retention over", &d)),
            "ROLE_NOT_PERMITTED");
  EXPECT_EQ(Reason(Request("tom", "finance/ledger-2019:1", "retention over", &d)),
            "OTHER_DEPARTMENT");
  EXPECT_EQ(Request("alice", "finance/ledger-2019:1", "", &d).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  grpc::Status primary = Request("alice", "finance/ledger-2019:2", "retention over", &d);
  EXPECT_EQ(primary.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << primary.error_message();
  EXPECT_EQ(Request("alice", "finance/ledger-2019:9", "retention over", &d).error_code(),
            grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(Request("alice", "finance/ledger-2019:1", "retention period over", &d).ok());
  const int64_t id = d.id();
  EXPECT_EQ(d.state(), "pending");
  EXPECT_EQ(d.required_approvals(), 1);
  EXPECT_EQ(d.requested_by(), "alice");
  v1::Destruction second;
  EXPECT_EQ(Request("bob", "finance/ledger-2019:1", "again", &second).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  // Approval: another key officer of the department; too early to witness before it.
  EXPECT_EQ(Reason(Approve("alice", id)), "SELF_APPROVAL");
  EXPECT_EQ(Approve("tom", id).error_code(), grpc::StatusCode::NOT_FOUND);  // not its department's
  EXPECT_EQ(Reason(Approve("sam", id)), "ROLE_NOT_PERMITTED");
  grpc::Status early = Witness("sam", id);
  EXPECT_EQ(early.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << early.error_message();
  EXPECT_TRUE(absl::StrContains(early.error_message(), "0 of 1 approvals"))
      << early.error_message();
  ASSERT_TRUE(Approve("bob", id, &d).ok());
  EXPECT_EQ(d.state(), "approved");
  EXPECT_EQ(Approve("carol", id).error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  // Witness: a destruction supervisor; the waiting period starts.
  EXPECT_EQ(Reason(Witness("bob", id)), "ROLE_NOT_PERMITTED");
  ASSERT_TRUE(Witness("sam", id, &d).ok());
  EXPECT_EQ(d.state(), "scheduled");
  EXPECT_EQ(d.witnessed_by(), "sam");
  EXPECT_EQ(d.destroy_after().seconds() - d.witness_time().seconds(), 1);

  const v1::Destruction done = AwaitRecord(id);
  ASSERT_EQ(done.state(), "destroyed");
  ASSERT_EQ(done.destroyed_versions_size(), 1);
  EXPECT_EQ(done.destroyed_versions(0), 1);
  EXPECT_FALSE(Cancel("alice", id).ok());

  // Data under version 1 is gone, with a message that says so and when; version 2 still works.
  grpc::Status gone = Decrypt(old_ciphertext);
  EXPECT_EQ(gone.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(absl::StrContains(gone.error_message(), "was destroyed at")) << gone.error_message();
  EXPECT_TRUE(absl::StrContains(gone.error_message(), "destruction request " + std::to_string(id)))
      << gone.error_message();
  std::string plaintext;
  ASSERT_TRUE(Decrypt(new_ciphertext, &plaintext).ok());
  EXPECT_EQ(plaintext, "old ledger");

  v1::GetKeyRequest get;
  get.set_name("finance/ledger-2019");
  v1::Key key;
  ASSERT_TRUE(Keys("alice")->GetKey(Deadline().get(), get, &key).ok());
  ASSERT_EQ(key.versions_size(), 2);
  EXPECT_EQ(key.versions(0).state(), v1::KeyVersion::STATE_DESTROYED);
  EXPECT_EQ(key.versions(0).destruction_id(), id);
  EXPECT_TRUE(key.versions(0).has_destroy_time());
  EXPECT_EQ(key.versions(1).state(), v1::KeyVersion::STATE_ENABLED);
  EXPECT_FALSE(key.versions(1).has_destroy_time());

  // The record names everyone and is in the log: its digest is the entry's response digest.
  const std::string& record = done.record();
  for (const char* part : {"\"requested_by\":\"alice\"", "\"approved_by\":[\"bob\"]",
                           "\"witnessed_by\":\"sam\"", "\"key\":\"finance/ledger-2019\"",
                           "\"reason\":\"retention period over\"", "\"version\":1"}) {
    EXPECT_TRUE(absl::StrContains(record, part)) << part << " in " << record;
  }
  // (Signature and inclusion are checked offline by `yinjianctl destroy verify-record` in the CLI
  // end-to-end test; here, that the receipt is the record's.)
  absl::StatusOr<audit::TlogProof> proof = audit::ParseTlogProof(done.record_receipt());
  ASSERT_TRUE(proof.ok()) << proof.status();
  EXPECT_EQ(proof->index, static_cast<uint64_t>(done.record_index()));
  ASSERT_TRUE(proof->extra.has_value());
  const std::string entry(proof->extra->begin(), proof->extra->end());
  EXPECT_TRUE(absl::StrContains(entry, "\"operation\":\"KeyDestroyed\"")) << entry;
  EXPECT_TRUE(absl::StrContains(
      entry, "\"response_digest\":\"" + audit::SaltedDigestHex("", record) + "\""))
      << entry;
  // The auditor reads the same entry from the log.
  v1::GetReceiptRequest receipt_request;
  receipt_request.set_index(done.record_index());
  v1::Receipt receipt;
  ASSERT_TRUE(v1::AuditService::NewStub(server_->Channel(people_->at("ann")))
                  ->GetReceipt(Deadline().get(), receipt_request, &receipt)
                  .ok());
  absl::StatusOr<audit::TlogProof> logged = audit::ParseTlogProof(receipt.text());
  ASSERT_TRUE(logged.ok()) << logged.status();
  EXPECT_EQ(logged->extra, proof->extra);
}

TEST_F(DestructionTest, CancelledRequestsDestroyNothing) {
  CreateKey("finance/budget", v1::KEY_KIND_AES256_GCM, "general");
  std::string ciphertext;
  ASSERT_TRUE(Encrypt("finance/budget", &ciphertext).ok());
  v1::Destruction d;
  ASSERT_TRUE(Request("alice", "finance/budget", "project closed", &d).ok());
  EXPECT_EQ(d.version(), 0);
  ASSERT_TRUE(Approve("bob", d.id()).ok());
  // A supervisor who never saw the request may cancel it; so may a key officer.
  ASSERT_TRUE(Cancel("carol", d.id(), &d).ok());
  EXPECT_EQ(d.state(), "cancelled");
  EXPECT_EQ(d.cancelled_by(), "carol");
  EXPECT_EQ(d.cancel_reason(), "still needed");
  EXPECT_EQ(Witness("sam", d.id()).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Cancel("alice", d.id()).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Cancel("tom", d.id()).error_code(), grpc::StatusCode::NOT_FOUND);

  // Cancelled while scheduled: the executor passes it by.
  ASSERT_TRUE(Request("alice", "finance/budget", "project closed after all", &d).ok());
  ASSERT_TRUE(Approve("bob", d.id()).ok());
  ASSERT_TRUE(Witness("sam", d.id()).ok());
  ASSERT_TRUE(Cancel("sam", d.id(), &d).ok());
  EXPECT_EQ(d.state(), "cancelled");
  absl::StatusOr<int> pass = server_->server().destruction_executor().RunOnce();
  YJ_ASSERT_OK(pass.status());
  ASSERT_TRUE(Get("alice", d.id(), &d).ok());
  EXPECT_EQ(d.state(), "cancelled");
  EXPECT_TRUE(Decrypt(ciphertext).ok());
}

TEST_F(DestructionTest, CoreKeysNeedTwoApprovalsAndAWitnessWhoTookNoPart) {
  CreateKey("finance/treasury", v1::KEY_KIND_AES256_GCM, "core");
  v1::Destruction d;
  ASSERT_TRUE(Request("kim", "finance/treasury", "replaced by treasury-2027", &d).ok());
  EXPECT_EQ(d.required_approvals(), 2);
  ASSERT_TRUE(Approve("bob", d.id(), &d).ok());
  EXPECT_EQ(d.state(), "pending");
  EXPECT_EQ(Reason(Approve("bob", d.id())), "ALREADY_APPROVED");
  EXPECT_EQ(Witness("sam", d.id()).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(Approve("carol", d.id(), &d).ok());
  EXPECT_EQ(d.state(), "approved");
  // kim asked for it: as supervisor it may not also witness it.
  EXPECT_EQ(Reason(Witness("kim", d.id())), "SELF_APPROVAL");
  ASSERT_TRUE(Cancel("kim", d.id()).ok());
}

TEST_F(DestructionTest, OnlyThoseConcernedSeeRequests) {
  CreateKey("finance/archive", v1::KEY_KIND_AES256_GCM, "general");
  v1::Destruction d;
  ASSERT_TRUE(Request("alice", "finance/archive", "archive moved", &d).ok());
  const auto list = [](const std::string& as, v1::ListDestructionsResponse* out) {
    v1::ListDestructionsRequest request;
    request.set_key("finance/archive");
    return Keys(as)->ListDestructions(Deadline().get(), request, out);
  };
  for (const char* who : {"alice", "sam", "ann"}) {
    v1::ListDestructionsResponse response;
    ASSERT_TRUE(list(who, &response).ok()) << who;
    ASSERT_EQ(response.destructions_size(), 1) << who;
    EXPECT_EQ(response.destructions(0).id(), d.id());
  }
  v1::ListDestructionsResponse response;
  ASSERT_TRUE(list("tom", &response).ok());
  EXPECT_EQ(response.destructions_size(), 0);
  EXPECT_EQ(Reason(list("fin-app", &response)), "ROLE_NOT_PERMITTED");
  EXPECT_EQ(Get("tom", d.id()).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Get("alice", 999999).error_code(), grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(Cancel("alice", d.id()).ok());
}

}  // namespace
}  // namespace yinjian::server
