// Who may do what, end to end (R5-R8): several principals in different departments and roles,
// each with its own client certificate over real mutual TLS, against a server on SoftHSM and
// SQLite. Covers cross-department use under each sharing class, the grant lifecycle, purposes,
// core-key rules, separation of duties, offboarding and revoked certificates.
#include <grpcpp/grpcpp.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <map>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "service/store/sqlite_store.h"
#include "tests/service/server/test_server.h"
#include "tests/support/openssl_cli.h"
#include "tests/support/status_test_macros.h"
#include "yinjian/v1/access.grpc.pb.h"
#include "yinjian/v1/crypto.grpc.pb.h"
#include "yinjian/v1/keys.grpc.pb.h"

namespace yinjian::server {
namespace {

using ::google::protobuf::util::TimeUtil;
using testing::Deadline;
using testing::Identity;
using testing::TestServer;

// The reason code a PERMISSION_DENIED message starts with, e.g. "GRANT_EXPIRED".
std::string Reason(const grpc::Status& status) {
  if (status.error_code() != grpc::StatusCode::PERMISSION_DENIED) {
    return "not denied: " + std::to_string(status.error_code()) + " " + status.error_message();
  }
  return status.error_message().substr(0, status.error_message().find(':'));
}

google::protobuf::Timestamp In(absl::Duration d) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(absl::Now() + d));
}

class AccessTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto server = TestServer::Start("access-test");
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server).release();
    for (const char* department : {"finance", "tax", "health"}) {
      YJ_ASSERT_OK(server_->CreateDepartment(department));
    }
    const std::vector<std::tuple<std::string, std::string, std::vector<std::string>>> people = {
        {"fin-officer", "finance", {"key-officer"}},  {"fin-officer2", "finance", {"key-officer"}},
        {"fin-officer3", "finance", {"key-officer"}}, {"fin-app", "finance", {"application"}},
        {"tax-officer", "tax", {"key-officer"}},      {"tax-app", "tax", {"application"}},
        {"tax-app2", "tax", {"application"}},         {"health-app", "health", {"application"}},
        {"auditor", "yinjian-admin", {"auditor"}},
    };
    people_ = new std::map<std::string, Identity>();
    for (const auto& [name, department, roles] : people) {
      auto identity = server_->AddPrincipal(name, department, roles);
      ASSERT_TRUE(identity.ok()) << name << ": " << identity.status();
      (*people_)[name] = *identity;
    }
    (*people_)["admin"] = server_->admin();
    CreateKeyOrDie("finance/private", v1::KEY_KIND_AES256_GCM, [](v1::KeyPolicy&) {});
    CreateKeyOrDie("finance/open-sign", v1::KEY_KIND_ECDSA_P256, [](v1::KeyPolicy& p) {
      p.set_sharing_class("unconditional");
      p.add_shared_operations("verify");
      p.add_shared_operations("get-public-key");
    });
    CreateKeyOrDie("finance/payroll", v1::KEY_KIND_AES256_GCM, [](v1::KeyPolicy& p) {
      p.set_data_level("important");
      p.set_sharing_class("conditional");
      p.add_allowed_purposes("tax-assessment");
      p.add_allowed_purposes("payroll");
    });
    CreateKeyOrDie("finance/crown", v1::KEY_KIND_AES256_GCM, [](v1::KeyPolicy& p) {
      p.set_data_level("core");
      p.set_sharing_class("conditional");
    });
  }
  static void TearDownTestSuite() {
    delete server_;
    delete people_;
  }

  static const Identity& Who(const std::string& name) { return people_->at(name); }

  static grpc::Status CreateKey(const std::string& as, const std::string& name, v1::KeyKind kind,
                                const std::function<void(v1::KeyPolicy&)>& policy) {
    v1::CreateKeyRequest request;
    request.set_name(name);
    request.set_kind(kind);
    policy(*request.mutable_policy());
    v1::Key key;
    return v1::KeyManagementService::NewStub(server_->Channel(Who(as)))
        ->CreateKey(Deadline().get(), request, &key);
  }
  static void CreateKeyOrDie(const std::string& name, v1::KeyKind kind,
                             const std::function<void(v1::KeyPolicy&)>& policy) {
    grpc::Status status = CreateKey("fin-officer", name, kind, policy);
    ASSERT_TRUE(status.ok()) << name << ": " << status.error_message();
  }

  static std::unique_ptr<v1::CryptoService::Stub> Crypto(const std::string& as) {
    return v1::CryptoService::NewStub(server_->Channel(Who(as)));
  }
  static std::unique_ptr<v1::AccessService::Stub> Access(const std::string& as) {
    return v1::AccessService::NewStub(server_->Channel(Who(as)));
  }

  static grpc::Status Encrypt(const std::string& as, const std::string& key,
                              const std::string& purpose, std::string* ciphertext = nullptr) {
    v1::EncryptRequest request;
    request.set_key(key);
    request.set_plaintext("tax record 42");
    request.set_purpose(purpose);
    v1::EncryptResponse response;
    grpc::Status status = Crypto(as)->Encrypt(Deadline().get(), request, &response);
    if (ciphertext != nullptr) *ciphertext = response.ciphertext();
    return status;
  }
  static grpc::Status Decrypt(const std::string& as, const std::string& ciphertext,
                              const std::string& purpose, std::string* plaintext) {
    v1::DecryptRequest request;
    request.set_ciphertext(ciphertext);
    request.set_purpose(purpose);
    v1::DecryptResponse response;
    grpc::Status status = Crypto(as)->Decrypt(Deadline().get(), request, &response);
    *plaintext = response.plaintext();
    return status;
  }

  static grpc::Status RequestGrant(const std::string& as, const std::string& key,
                                   const std::string& grantee_principal,
                                   const std::string& grantee_department,
                                   const std::vector<std::string>& operations,
                                   const std::vector<std::string>& purposes, int64_t max_uses,
                                   v1::Grant* grant) {
    v1::RequestGrantRequest request;
    request.set_key(key);
    request.set_grantee_principal(grantee_principal);
    request.set_grantee_department(grantee_department);
    for (const std::string& op : operations) request.add_operations(op);
    for (const std::string& purpose : purposes) request.add_purposes(purpose);
    *request.mutable_expire_time() = In(absl::Hours(24));
    request.set_max_uses(max_uses);
    request.set_justification("annual assessment");
    return Access(as)->RequestGrant(Deadline().get(), request, grant);
  }
  static grpc::Status Approve(const std::string& as, int64_t id, v1::Grant* grant) {
    v1::ApproveGrantRequest request;
    request.set_id(id);
    return Access(as)->ApproveGrant(Deadline().get(), request, grant);
  }
  static grpc::Status Revoke(const std::string& as, int64_t id, v1::Grant* grant) {
    v1::RevokeGrantRequest request;
    request.set_id(id);
    request.set_reason("assessment finished");
    return Access(as)->RevokeGrant(Deadline().get(), request, grant);
  }

  static inline TestServer* server_ = nullptr;
  static inline std::map<std::string, Identity>* people_ = nullptr;
};

TEST_F(AccessTest, TheOwningDepartmentUsesItsKeys) {
  std::string ciphertext, plaintext;
  ASSERT_TRUE(Encrypt("fin-app", "finance/private", "", &ciphertext).ok());
  ASSERT_TRUE(Decrypt("fin-app", ciphertext, "", &plaintext).ok());
  EXPECT_EQ(plaintext, "tax record 42");
}

TEST_F(AccessTest, SharingClassNoneRefusesEveryOtherDepartment) {
  EXPECT_EQ(Reason(Encrypt("tax-app", "finance/private", "audit")), "NOT_SHARED");
  std::string ciphertext, plaintext;
  ASSERT_TRUE(Encrypt("fin-app", "finance/private", "", &ciphertext).ok());
  // Decrypt is decided on the key the ciphertext names, and yields nothing when denied.
  EXPECT_EQ(Reason(Decrypt("health-app", ciphertext, "audit", &plaintext)), "NOT_SHARED");
  EXPECT_TRUE(plaintext.empty());
}

TEST_F(AccessTest, UnconditionalKeysShareOnlyTheirSharedOperations) {
  v1::SignRequest sign;
  sign.set_key("finance/open-sign");
  sign.set_message("certificate of residence");
  v1::SignResponse signature;
  ASSERT_TRUE(Crypto("fin-app")->Sign(Deadline().get(), sign, &signature).ok());
  v1::VerifyRequest verify;
  verify.set_key("finance/open-sign");
  verify.set_message("certificate of residence");
  verify.set_signature(signature.signature());
  v1::VerifyResponse verified;
  grpc::Status status = Crypto("health-app")->Verify(Deadline().get(), verify, &verified);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(verified.valid());
  v1::GetPublicKeyRequest pub;
  pub.set_key("finance/open-sign");
  v1::GetPublicKeyResponse pem;
  EXPECT_TRUE(Crypto("tax-app")->GetPublicKey(Deadline().get(), pub, &pem).ok());
  // Signing is not shared: another department needs a grant for it.
  EXPECT_EQ(Reason(Crypto("tax-app")->Sign(Deadline().get(), sign, &signature)), "NO_GRANT");
}

TEST_F(AccessTest, ConditionalKeysNeedAnApprovedGrantWithinItsPurposeOperationsAndUses) {
  EXPECT_EQ(Reason(Encrypt("tax-app", "finance/payroll", "tax-assessment")), "NO_GRANT");
  v1::Grant grant;
  ASSERT_TRUE(RequestGrant("tax-officer", "finance/payroll", "tax-app", "", {"encrypt", "decrypt"},
                           {"tax-assessment"}, 3, &grant)
                  .ok());
  EXPECT_EQ(grant.state(), "pending");
  EXPECT_EQ(grant.required_approvals(), 1);
  EXPECT_EQ(Reason(Encrypt("tax-app", "finance/payroll", "tax-assessment")), "GRANT_PENDING");
  v1::Grant approved;
  grpc::Status status = Approve("fin-officer", grant.id(), &approved);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(approved.state(), "active");

  std::string ciphertext, plaintext;
  ASSERT_TRUE(Encrypt("tax-app", "finance/payroll", "tax-assessment", &ciphertext).ok());
  // Outside the key's allowed purposes; inside the key's but outside the grant's.
  EXPECT_EQ(Reason(Encrypt("tax-app", "finance/payroll", "marketing")), "PURPOSE_NOT_ALLOWED");
  EXPECT_EQ(Reason(Encrypt("tax-app", "finance/payroll", "payroll")), "GRANT_WRONG_PURPOSE");
  // Not the grantee, even in the same department.
  EXPECT_EQ(Reason(Encrypt("tax-app2", "finance/payroll", "tax-assessment")), "NO_GRANT");
  ASSERT_TRUE(Decrypt("tax-app", ciphertext, "tax-assessment", &plaintext).ok());
  EXPECT_EQ(plaintext, "tax record 42");
  ASSERT_TRUE(Encrypt("tax-app", "finance/payroll", "tax-assessment").ok());  // the third use
  EXPECT_EQ(Reason(Encrypt("tax-app", "finance/payroll", "tax-assessment")), "GRANT_EXHAUSTED");
  v1::GetGrantRequest get;
  get.set_id(grant.id());
  v1::Grant used;
  ASSERT_TRUE(Access("tax-app")->GetGrant(Deadline().get(), get, &used).ok());
  EXPECT_EQ(used.uses(), 3);
  EXPECT_EQ(used.effective_state(), "exhausted");
}

TEST_F(AccessTest, ARevokedDepartmentGrantStopsAtOnce) {
  v1::Grant grant, approved, revoked;
  ASSERT_TRUE(
      RequestGrant("fin-officer", "finance/payroll", "", "tax", {"encrypt"}, {"payroll"}, 0, &grant)
          .ok());
  ASSERT_TRUE(Approve("fin-officer2", grant.id(), &approved).ok());
  ASSERT_TRUE(Encrypt("tax-app2", "finance/payroll", "payroll").ok());
  ASSERT_TRUE(Encrypt("tax-app", "finance/payroll", "payroll").ok());
  // A department grant does not reach other departments.
  EXPECT_EQ(Reason(Encrypt("health-app", "finance/payroll", "payroll")), "NO_GRANT");
  ASSERT_TRUE(Revoke("fin-officer", grant.id(), &revoked).ok());
  EXPECT_EQ(revoked.state(), "revoked");
  EXPECT_EQ(Reason(Encrypt("tax-app2", "finance/payroll", "payroll")), "GRANT_REVOKED");
}

TEST_F(AccessTest, AnExpiredGrantStopsWorking) {
  // The API refuses expiries in the past, so the expired grant is written to the store directly,
  // as it will look once its time has passed.
  auto store = store::SqliteStore::Open(server_->config().store().sqlite_path());
  ASSERT_TRUE(store.ok()) << store.status();
  auto created = (*store)->CreateGrant({.key_department = "finance",
                                        .key_name = "payroll",
                                        .grantee_principal = "",
                                        .grantee_department = "health",
                                        .operations = {"encrypt"},
                                        .purposes = {"payroll"},
                                        .expires = absl::Now() - absl::Hours(1),
                                        .state = store::kGrantPending,
                                        .required_approvals = 1,
                                        .requested_by = "fin-officer",
                                        .requested = absl::Now() - absl::Hours(2)});
  ASSERT_TRUE(created.ok()) << created.status();
  YJ_ASSERT_OK((*store)->ApproveGrant(created->id, "fin-officer2", absl::Now()).status());
  EXPECT_EQ(Reason(Encrypt("health-app", "finance/payroll", "payroll")), "GRANT_EXPIRED");
}

TEST_F(AccessTest, ApprovalsFollowSeparationOfDuties) {
  v1::Grant grant, approved;
  ASSERT_TRUE(RequestGrant("fin-officer", "finance/payroll", "tax-app2", "", {"decrypt"},
                           {"payroll"}, 0, &grant)
                  .ok());
  EXPECT_EQ(Reason(Approve("fin-officer", grant.id(), &approved)), "SELF_APPROVAL");
  // The grantee's key officer sees the grant but cannot approve for the owner.
  EXPECT_EQ(Reason(Approve("tax-officer", grant.id(), &approved)), "OTHER_DEPARTMENT");
  EXPECT_EQ(Reason(Approve("tax-app2", grant.id(), &approved)), "ROLE_NOT_PERMITTED");
  // Whoever cannot see the grant learns nothing about it.
  EXPECT_EQ(Approve("health-app", grant.id(), &approved).error_code(), grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(Approve("fin-officer3", grant.id(), &approved).ok());
  EXPECT_EQ(Approve("fin-officer2", grant.id(), &approved).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);  // no longer pending
}

TEST_F(AccessTest, CoreKeysAreHsmOnlyNeedAPurposeAndTwoApprovers) {
  grpc::Status software = CreateKey("fin-officer", "finance/core-sm4", v1::KEY_KIND_SM4,
                                    [](v1::KeyPolicy& p) { p.set_data_level("core"); });
  EXPECT_EQ(software.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << software.error_message();
  EXPECT_EQ(Reason(Encrypt("fin-app", "finance/crown", "")), "PURPOSE_REQUIRED");
  EXPECT_TRUE(Encrypt("fin-app", "finance/crown", "budget").ok());

  v1::Grant grant, first, second;
  ASSERT_TRUE(
      RequestGrant("fin-officer", "finance/crown", "tax-app", "", {"encrypt"}, {"audit"}, 0, &grant)
          .ok());
  EXPECT_EQ(grant.required_approvals(), 2);
  ASSERT_TRUE(Approve("fin-officer2", grant.id(), &first).ok());
  EXPECT_EQ(first.state(), "pending");
  EXPECT_EQ(Reason(Approve("fin-officer2", grant.id(), &first)), "ALREADY_APPROVED");
  EXPECT_EQ(Reason(Encrypt("tax-app", "finance/crown", "audit")), "GRANT_PENDING");
  ASSERT_TRUE(Approve("fin-officer3", grant.id(), &second).ok());
  EXPECT_EQ(second.state(), "active");
  EXPECT_TRUE(Encrypt("tax-app", "finance/crown", "audit").ok());
  EXPECT_EQ(Reason(Encrypt("tax-app", "finance/crown", "")), "PURPOSE_REQUIRED");
}

TEST_F(AccessTest, RolesKeepToTheirDuties) {
  // An application cannot create keys, a key officer cannot touch another department's keys
  // or manage principals, security administrators and auditors cannot use keys.
  EXPECT_EQ(Reason(CreateKey("fin-app", "finance/x", v1::KEY_KIND_AES256_GCM, [](auto&) {})),
            "ROLE_NOT_PERMITTED");
  EXPECT_EQ(Reason(CreateKey("tax-officer", "finance/x", v1::KEY_KIND_AES256_GCM, [](auto&) {})),
            "OTHER_DEPARTMENT");
  EXPECT_EQ(Reason(Encrypt("admin", "finance/private", "")), "ROLE_NOT_PERMITTED");
  EXPECT_EQ(Reason(Encrypt("auditor", "finance/private", "")), "ROLE_NOT_PERMITTED");
  EXPECT_EQ(Reason(Encrypt("fin-officer", "finance/private", "")), "ROLE_NOT_PERMITTED");
  v1::ListPrincipalsRequest list;
  v1::ListPrincipalsResponse principals;
  EXPECT_EQ(Reason(Access("fin-officer")->ListPrincipals(Deadline().get(), list, &principals)),
            "ROLE_NOT_PERMITTED");
  ASSERT_TRUE(Access("auditor")->ListPrincipals(Deadline().get(), list, &principals).ok());
  EXPECT_GE(principals.principals_size(), 10);
  v1::CreateDepartmentRequest department;
  department.set_name("rogue");
  v1::Department created;
  EXPECT_EQ(Reason(v1::KeyManagementService::NewStub(server_->Channel(Who("fin-officer")))
                       ->CreateDepartment(Deadline().get(), department, &created)),
            "ROLE_NOT_PERMITTED");
}

TEST_F(AccessTest, KeyOfficerAndAuditorNeverMeetInOnePrincipal) {
  v1::BindRoleRequest bind;
  bind.set_principal("fin-officer");
  bind.set_role("auditor");
  v1::Principal principal;
  grpc::Status status = Access("admin")->BindRole(Deadline().get(), bind, &principal);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  auto both = server_->IssueCertificate("both", "finance");
  ASSERT_TRUE(both.ok());
  v1::AddPrincipalRequest add;
  add.set_name("both");
  add.set_department("finance");
  add.add_roles("key-officer");
  add.add_roles("auditor");
  add.set_certificate_pem(both->certificate_pem);
  v1::AddPrincipalResponse added;
  EXPECT_EQ(Access("admin")->AddPrincipal(Deadline().get(), add, &added).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  // Nobody changes their own roles.
  bind.set_principal("admin");
  bind.set_role("key-officer");
  EXPECT_EQ(Access("admin")->BindRole(Deadline().get(), bind, &principal).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(AccessTest, RoleChangesTakeEffectOnTheNextCall) {
  auto temp = server_->AddPrincipal("health-temp", "health", {});
  ASSERT_TRUE(temp.ok()) << temp.status();
  (*people_)["health-temp"] = *temp;
  EXPECT_EQ(Reason(Encrypt("health-temp", "finance/open-sign", "")), "ROLE_NOT_PERMITTED");
  v1::BindRoleRequest bind;
  bind.set_principal("health-temp");
  bind.set_role("application");
  v1::Principal principal;
  ASSERT_TRUE(Access("admin")->BindRole(Deadline().get(), bind, &principal).ok());
  EXPECT_EQ(principal.roles_size(), 1);
  v1::GetPublicKeyRequest pub;
  pub.set_key("finance/open-sign");
  v1::GetPublicKeyResponse pem;
  EXPECT_TRUE(Crypto("health-temp")->GetPublicKey(Deadline().get(), pub, &pem).ok());
  v1::UnbindRoleRequest unbind;
  unbind.set_principal("health-temp");
  unbind.set_role("application");
  ASSERT_TRUE(Access("admin")->UnbindRole(Deadline().get(), unbind, &principal).ok());
  EXPECT_EQ(Reason(Crypto("health-temp")->GetPublicKey(Deadline().get(), pub, &pem)),
            "ROLE_NOT_PERMITTED");
}

TEST_F(AccessTest, OffboardingRevokesEverythingInOneStep) {
  auto leaver = server_->AddPrincipal("tax-leaver", "tax", {"application", "key-officer"});
  ASSERT_TRUE(leaver.ok()) << leaver.status();
  (*people_)["tax-leaver"] = *leaver;
  v1::Grant held, approved, pending;
  ASSERT_TRUE(RequestGrant("tax-officer", "finance/payroll", "tax-leaver", "", {"encrypt"},
                           {"payroll"}, 0, &held)
                  .ok());
  ASSERT_TRUE(Approve("fin-officer", held.id(), &approved).ok());
  ASSERT_TRUE(Encrypt("tax-leaver", "finance/payroll", "payroll").ok());
  // A request it made for its whole department is withdrawn too.
  ASSERT_TRUE(RequestGrant("tax-leaver", "finance/payroll", "", "tax", {"decrypt"}, {"payroll"}, 0,
                           &pending)
                  .ok());

  v1::OffboardPrincipalRequest request;
  request.set_name("tax-leaver");
  v1::OffboardReport report;
  grpc::Status status = Access("admin")->OffboardPrincipal(Deadline().get(), request, &report);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(report.principal().state(), "disabled");
  EXPECT_EQ(report.principal().roles_size(), 0);
  ASSERT_EQ(report.roles_removed_size(), 2);
  EXPECT_EQ(report.roles_removed(0), "application");
  EXPECT_EQ(report.roles_removed(1), "key-officer");
  ASSERT_EQ(report.certificates_revoked_size(), 1);
  EXPECT_EQ(report.certificates_revoked(0).fingerprint_sha256(), leaver->fingerprint);
  ASSERT_EQ(report.grants_revoked_size(), 1);
  EXPECT_EQ(report.grants_revoked(0).id(), held.id());
  ASSERT_EQ(report.requests_withdrawn_size(), 1);
  EXPECT_EQ(report.requests_withdrawn(0).id(), pending.id());

  // What it did: at least its request and its encryption, from the audit log.
  EXPECT_GE(report.activity_total(), 2);
  ASSERT_EQ(report.activity_size(), report.activity_total());
  bool encrypted = false;
  for (const std::string& entry : report.activity()) {
    EXPECT_TRUE(absl::StrContains(entry, "\"principal\":\"tax-leaver\"")) << entry;
    encrypted |= absl::StrContains(entry, "\"operation\":\"Encrypt\"");
  }
  EXPECT_TRUE(encrypted);
  grpc::Status after = Encrypt("tax-leaver", "finance/payroll", "payroll");
  EXPECT_EQ(after.error_code(), grpc::StatusCode::UNAUTHENTICATED) << after.error_message();
  // Nobody offboards themselves.
  request.set_name("admin");
  EXPECT_EQ(Access("admin")->OffboardPrincipal(Deadline().get(), request, &report).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(AccessTest, RevokedAndUnboundCertificatesAreUnauthenticated) {
  auto first = server_->AddPrincipal("health-two-certs", "health", {"application"});
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = server_->IssueCertificate("health-two-certs", "health");
  ASSERT_TRUE(second.ok());
  v1::AddCertificateRequest add;
  add.set_principal("health-two-certs");
  add.set_certificate_pem(second->certificate_pem);
  v1::AddCertificateResponse bound;
  ASSERT_TRUE(Access("admin")->AddCertificate(Deadline().get(), add, &bound).ok());
  (*people_)["first-cert"] = *first;
  (*people_)["second-cert"] = *second;
  v1::WhoAmIRequest who;
  v1::Principal me;
  ASSERT_TRUE(Access("second-cert")->WhoAmI(Deadline().get(), who, &me).ok());
  EXPECT_EQ(me.name(), "health-two-certs");
  EXPECT_EQ(me.certificates_size(), 2);

  v1::RevokeCertificateRequest revoke;
  revoke.set_fingerprint_sha256(first->fingerprint);
  v1::Certificate revoked;
  ASSERT_TRUE(Access("admin")->RevokeCertificate(Deadline().get(), revoke, &revoked).ok());
  EXPECT_EQ(revoked.state(), "revoked");
  EXPECT_EQ(Access("first-cert")->WhoAmI(Deadline().get(), who, &me).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(Access("second-cert")->WhoAmI(Deadline().get(), who, &me).ok());

  // Issued by the trusted CA, so TLS accepts it, but bound to nobody.
  auto stranger = server_->IssueCertificate("stranger", "health");
  ASSERT_TRUE(stranger.ok());
  grpc::Status status =
      v1::AccessService::NewStub(server_->Channel(*stranger))->WhoAmI(Deadline().get(), who, &me);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "not bound")) << status.error_message();
}

TEST_F(AccessTest, TheServerIssuesCertificatesForCsrsWithoutSeeingTheKey) {
  auto dir = yinjian::testing::TempDir::Create();
  ASSERT_TRUE(dir.ok());
  const std::string key = dir->File("csr.key"), csr = dir->File("csr.pem");
  YJ_ASSERT_OK(yinjian::testing::RunOpensslCliOk({"req", "-new", "-newkey", "ec", "-pkeyopt",
                                                  "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                                                  key, "-subj", "/CN=ignored", "-out", csr}));
  v1::AddPrincipalRequest add;
  add.set_name("tax-csr");
  add.set_department("tax");
  add.add_roles("application");
  add.set_csr_pem(testing::Slurp(csr));
  v1::AddPrincipalResponse added;
  grpc::Status status = Access("admin")->AddPrincipal(Deadline().get(), add, &added);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(added.ca_certificate_pem().empty());
  (*people_)["tax-csr"] = {.name = "tax-csr",
                           .certificate_pem = added.certificate_pem(),
                           .key_pem = testing::Slurp(key)};
  v1::WhoAmIRequest who;
  v1::Principal me;
  status = Access("tax-csr")->WhoAmI(Deadline().get(), who, &me);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(me.name(), "tax-csr");
  EXPECT_EQ(me.department(), "tax");
  ASSERT_EQ(me.certificates_size(), 1);
  // The certificate names the principal and department, not what the CSR asked for.
  EXPECT_TRUE(absl::StrContains(me.certificates(0).subject(), "CN=tax-csr"))
      << me.certificates(0).subject();
  // A CSR whose signature does not verify is refused.
  std::string forged = testing::Slurp(csr);
  forged[forged.size() / 2] ^= 1;
  add.set_name("tax-forged");
  add.set_csr_pem(forged);
  EXPECT_EQ(Access("admin")->AddPrincipal(Deadline().get(), add, &added).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(AccessTest, GrantsAreVisibleOnlyToThoseConcerned) {
  v1::Grant grant;
  ASSERT_TRUE(RequestGrant("fin-officer", "finance/payroll", "tax-app2", "", {"decrypt"},
                           {"tax-assessment"}, 0, &grant)
                  .ok());
  v1::ListGrantsRequest list;
  v1::ListGrantsResponse seen;
  ASSERT_TRUE(Access("health-app")->ListGrants(Deadline().get(), list, &seen).ok());
  for (const v1::Grant& g : seen.grants()) {
    EXPECT_TRUE(g.grantee_principal() == "health-app" || g.grantee_department() == "health")
        << g.id();
  }
  ASSERT_TRUE(Access("tax-app2")->ListGrants(Deadline().get(), list, &seen).ok());
  bool found = false;
  for (const v1::Grant& g : seen.grants()) found |= g.id() == grant.id();
  EXPECT_TRUE(found);
  ASSERT_TRUE(Access("auditor")->ListGrants(Deadline().get(), list, &seen).ok());
  EXPECT_GE(seen.grants_size(), 1);
  v1::GetGrantRequest get;
  get.set_id(grant.id());
  v1::Grant got;
  EXPECT_EQ(Access("health-app")->GetGrant(Deadline().get(), get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(AccessTest, KeyPoliciesAreShownAndChangedByTheOwningOfficer) {
  v1::GetKeyRequest get;
  get.set_name("finance/payroll");
  v1::Key key;
  auto officer = v1::KeyManagementService::NewStub(server_->Channel(Who("fin-officer")));
  ASSERT_TRUE(officer->GetKey(Deadline().get(), get, &key).ok());
  EXPECT_EQ(key.policy().data_level(), "important");
  EXPECT_EQ(key.policy().sharing_class(), "conditional");
  v1::SetKeyPolicyRequest set;
  set.set_name("finance/open-sign");
  set.mutable_policy()->set_sharing_class("none");
  EXPECT_EQ(Reason(v1::KeyManagementService::NewStub(server_->Channel(Who("tax-officer")))
                       ->SetKeyPolicy(Deadline().get(), set, &key)),
            "OTHER_DEPARTMENT");
  set.mutable_policy()->add_allowed_operations("encrypt");  // not a signing operation
  EXPECT_EQ(officer->SetKeyPolicy(Deadline().get(), set, &key).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  set.mutable_policy()->clear_allowed_operations();
  ASSERT_TRUE(officer->SetKeyPolicy(Deadline().get(), set, &key).ok());
  v1::GetPublicKeyRequest pub;
  pub.set_key("finance/open-sign");
  v1::GetPublicKeyResponse pem;
  EXPECT_EQ(Reason(Crypto("tax-app")->GetPublicKey(Deadline().get(), pub, &pem)), "NOT_SHARED");
  // Put it back for the other tests.
  set.mutable_policy()->set_sharing_class("unconditional");
  set.mutable_policy()->add_shared_operations("verify");
  set.mutable_policy()->add_shared_operations("get-public-key");
  ASSERT_TRUE(officer->SetKeyPolicy(Deadline().get(), set, &key).ok());
}

}  // namespace
}  // namespace yinjian::server
