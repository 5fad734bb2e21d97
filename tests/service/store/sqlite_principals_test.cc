// SqliteStore's principals and certificates (R7) and offboarding (R8), on a real database file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "service/store/records.h"
#include "service/store/sqlite_store.h"
#include "tests/service/store/record_printers.h"
#include "tests/service/store/store_test_util.h"
#include "tests/support/status_test_macros.h"
#include "tests/support/temp_dir.h"

namespace yinjian::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::yinjian::store::testing::Ids;

// Sub-microsecond times prove that records come back as stored, not as given.
absl::Time SomeTime(int64_t seconds) {
  return absl::FromUnixSeconds(1700000000 + seconds) + absl::Nanoseconds(123456789);
}
absl::Time Stored(absl::Time t) { return absl::FromUnixMicros(absl::ToUnixMicros(t)); }

PrincipalRecord Principal(const std::string& name, const std::string& department,
                          std::vector<std::string> roles = {"application"}) {
  return {.name = name,
          .department = department,
          .roles = std::move(roles),
          .state = kPrincipalEnabled,
          .created_by = "admin",
          .created = SomeTime(10)};
}

std::string Fingerprint(char digit) { return std::string(64, digit); }

CertificateRecord Certificate(const std::string& fingerprint, const std::string& principal,
                              int64_t added_seconds = 20) {
  return {.fingerprint_sha256 = fingerprint,
          .principal = principal,
          .subject = absl::StrCat("CN=", principal, ",O=Yinjian"),
          .not_after = SomeTime(86400),
          .state = kCertificateActive,
          .added = SomeTime(added_seconds)};
}

class SqlitePrincipalsTest : public ::yinjian::store::testing::StoreFileTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StoreFileTest::SetUp());
    for (const char* name : {"tax", "health", "police"}) {
      YJ_ASSERT_OK(store_->CreateDepartment({.name = name, .created = SomeTime(0)}));
    }
  }

  // The record CreatePrincipal(p) stores.
  static PrincipalRecord AsStored(PrincipalRecord p) {
    p.created = Stored(p.created);
    return p;
  }
};

TEST_F(SqlitePrincipalsTest, CreateAndGetRoundTripEveryField) {
  PrincipalRecord alice = Principal("alice", "health", {"key-officer", "application"});
  YJ_ASSERT_OK(store_->CreatePrincipal(alice));
  YJ_ASSERT_OK_AND_ASSIGN(PrincipalRecord got, store_->GetPrincipal("alice"));
  PrincipalRecord want = AsStored(alice);
  want.roles = {"application", "key-officer"};
  EXPECT_EQ(got, want);
  EXPECT_EQ(got.disabled, absl::InfinitePast());  // the sentinel comes back exactly

  // The bootstrap admin: no creator, no roles; a principal created disabled keeps its time.
  PrincipalRecord root = Principal("root", "tax", {});
  root.created_by = "";
  root.state = kPrincipalDisabled;
  root.disabled = SomeTime(11);
  YJ_ASSERT_OK(store_->CreatePrincipal(root));
  YJ_ASSERT_OK_AND_ASSIGN(got, store_->GetPrincipal("root"));
  want = AsStored(root);
  want.disabled = Stored(root.disabled);
  EXPECT_EQ(got, want);
}

TEST_F(SqlitePrincipalsTest, RolesAreSortedAndDeduplicated) {
  YJ_ASSERT_OK(store_->CreatePrincipal(
      Principal("alice", "health", {"security-admin", "application", "security-admin"})));
  YJ_ASSERT_OK_AND_ASSIGN(PrincipalRecord got, store_->GetPrincipal("alice"));
  EXPECT_THAT(got.roles, ElementsAre("application", "security-admin"));

  YJ_ASSERT_OK_AND_ASSIGN(PrincipalRecord updated,
                          store_->SetPrincipalRoles("alice", {"auditor", "auditor", "a-role"}));
  EXPECT_THAT(updated.roles, ElementsAre("a-role", "auditor"));
  YJ_ASSERT_OK_AND_ASSIGN(got, store_->GetPrincipal("alice"));
  EXPECT_EQ(got, updated);
  EXPECT_EQ(got.created, Stored(SomeTime(10)));

  YJ_ASSERT_OK_AND_ASSIGN(updated, store_->SetPrincipalRoles("alice", {}));
  EXPECT_THAT(updated.roles, IsEmpty());
  YJ_ASSERT_OK_AND_ASSIGN(got, store_->GetPrincipal("alice"));
  EXPECT_THAT(got.roles, IsEmpty());
}

TEST_F(SqlitePrincipalsTest, CreatePrincipalErrors) {
  EXPECT_EQ(store_->CreatePrincipal(Principal("", "health")).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->CreatePrincipal(Principal("alice", "")).code(),
            absl::StatusCode::kInvalidArgument);
  PrincipalRecord odd_state = Principal("alice", "health");
  odd_state.state = "suspended";
  EXPECT_EQ(store_->CreatePrincipal(odd_state).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->CreatePrincipal(Principal("alice", "health", {"application", ""})).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->CreatePrincipal(Principal("alice", "health", {"app\nlication"})).code(),
            absl::StatusCode::kInvalidArgument);
  const absl::Status no_department = store_->CreatePrincipal(Principal("alice", "nowhere"));
  EXPECT_EQ(no_department.code(), absl::StatusCode::kNotFound) << no_department;
  EXPECT_THAT(no_department.message(), HasSubstr("nowhere"));
  // None of that stored anything.
  EXPECT_EQ(store_->GetPrincipal("alice").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetPrincipal("").status().code(), absl::StatusCode::kInvalidArgument);

  YJ_ASSERT_OK(store_->CreatePrincipal(Principal("alice", "health")));
  const absl::Status duplicate = store_->CreatePrincipal(Principal("alice", "tax"));
  EXPECT_EQ(duplicate.code(), absl::StatusCode::kAlreadyExists) << duplicate;
  EXPECT_THAT(duplicate.message(), HasSubstr("alice"));
  // A disabled principal keeps its name.
  YJ_ASSERT_OK(store_->DisablePrincipal("alice", SomeTime(30)).status());
  EXPECT_EQ(store_->CreatePrincipal(Principal("alice", "health")).code(),
            absl::StatusCode::kAlreadyExists);
  YJ_ASSERT_OK_AND_ASSIGN(PrincipalRecord got, store_->GetPrincipal("alice"));
  EXPECT_EQ(got.department, "health");
}

TEST_F(SqlitePrincipalsTest, ListPrincipalsByDepartmentOrAll) {
  for (const auto& [name, department] : std::vector<std::pair<std::string, std::string>>{
           {"zoe", "health"}, {"bob", "tax"}, {"alice", "health"}, {"mia", "health"}}) {
    YJ_ASSERT_OK(store_->CreatePrincipal(Principal(name, department)));
  }
  auto names = [](const std::vector<PrincipalRecord>& principals) {
    std::vector<std::string> out;
    for (const PrincipalRecord& p : principals) out.push_back(p.name);
    return out;
  };
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<PrincipalRecord> health, store_->ListPrincipals("health"));
  EXPECT_THAT(names(health), ElementsAre("alice", "mia", "zoe"));
  YJ_ASSERT_OK_AND_ASSIGN(PrincipalRecord alice, store_->GetPrincipal("alice"));
  EXPECT_EQ(health[0], alice);
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<PrincipalRecord> all, store_->ListPrincipals(""));
  EXPECT_THAT(names(all), ElementsAre("alice", "bob", "mia", "zoe"));
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<PrincipalRecord> police, store_->ListPrincipals("police"));
  EXPECT_THAT(police, IsEmpty());
  EXPECT_EQ(store_->ListPrincipals("nowhere").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(SqlitePrincipalsTest, SetPrincipalRolesErrors) {
  EXPECT_EQ(store_->SetPrincipalRoles("ghost", {"application"}).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->SetPrincipalRoles("", {"application"}).status().code(),
            absl::StatusCode::kInvalidArgument);
  YJ_ASSERT_OK(store_->CreatePrincipal(Principal("alice", "health", {"application"})));
  EXPECT_EQ(store_->SetPrincipalRoles("alice", {""}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->SetPrincipalRoles("alice", {"a\nb"}).status().code(),
            absl::StatusCode::kInvalidArgument);
  YJ_ASSERT_OK(store_->DisablePrincipal("alice", SomeTime(30)).status());
  const absl::Status disabled = store_->SetPrincipalRoles("alice", {"auditor"}).status();
  EXPECT_EQ(disabled.code(), absl::StatusCode::kFailedPrecondition) << disabled;
  YJ_ASSERT_OK_AND_ASSIGN(PrincipalRecord got, store_->GetPrincipal("alice"));
  EXPECT_THAT(got.roles, ElementsAre("application"));
}

TEST_F(SqlitePrincipalsTest, DisableRevokesCertificatesAndKeepsRoles) {
  YJ_ASSERT_OK(store_->CreatePrincipal(Principal("alice", "health", {"application"})));
  YJ_ASSERT_OK(store_->CreatePrincipal(Principal("bob", "health")));
  YJ_ASSERT_OK(store_->AddCertificate(Certificate(Fingerprint('a'), "alice")));
  YJ_ASSERT_OK(store_->AddCertificate(Certificate(Fingerprint('b'), "alice", 21)));
  YJ_ASSERT_OK(store_->AddCertificate(Certificate(Fingerprint('c'), "bob")));

  YJ_ASSERT_OK_AND_ASSIGN(PrincipalRecord disabled,
                          store_->DisablePrincipal("alice", SomeTime(40)));
  EXPECT_EQ(disabled.state, kPrincipalDisabled);
  EXPECT_EQ(disabled.disabled, Stored(SomeTime(40)));
  EXPECT_THAT(disabled.roles, ElementsAre("application"));
  YJ_ASSERT_OK_AND_ASSIGN(PrincipalRecord got, store_->GetPrincipal("alice"));
  EXPECT_EQ(got, disabled);
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<CertificateRecord> certificates,
                          store_->ListCertificates("alice"));
  ASSERT_EQ(certificates.size(), 2u);
  for (const CertificateRecord& certificate : certificates) {
    EXPECT_EQ(certificate.state, kCertificateRevoked);
    EXPECT_EQ(certificate.revoked, Stored(SomeTime(40)));
  }
  YJ_ASSERT_OK_AND_ASSIGN(CertificateRecord bobs, store_->GetCertificate(Fingerprint('c')));
  EXPECT_EQ(bobs.state, kCertificateActive);
  EXPECT_EQ(bobs.revoked, absl::InfinitePast());

  // Again: a no-op that keeps the first time.
  YJ_ASSERT_OK_AND_ASSIGN(PrincipalRecord again, store_->DisablePrincipal("alice", SomeTime(50)));
  EXPECT_EQ(again, disabled);
  EXPECT_EQ(store_->DisablePrincipal("ghost", SomeTime(50)).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->DisablePrincipal("", SomeTime(50)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(SqlitePrincipalsTest, CertificatesRoundTripEveryField) {
  YJ_ASSERT_OK(store_->CreatePrincipal(Principal("alice", "health")));
  const CertificateRecord first = Certificate(Fingerprint('1'), "alice", 25);
  CertificateRecord second = Certificate(Fingerprint('2'), "alice", 22);
  second.not_after = absl::InfiniteFuture();
  second.subject = "";
  YJ_ASSERT_OK(store_->AddCertificate(first));
  YJ_ASSERT_OK(store_->AddCertificate(second));

  CertificateRecord want_first = first;
  want_first.not_after = Stored(first.not_after);
  want_first.added = Stored(first.added);
  CertificateRecord want_second = second;
  want_second.added = Stored(second.added);
  YJ_ASSERT_OK_AND_ASSIGN(CertificateRecord got, store_->GetCertificate(Fingerprint('1')));
  EXPECT_EQ(got, want_first);
  YJ_ASSERT_OK_AND_ASSIGN(got, store_->GetCertificate(Fingerprint('2')));
  EXPECT_EQ(got, want_second);
  EXPECT_EQ(got.not_after, absl::InfiniteFuture());

  // Listed by the time they were added.
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<CertificateRecord> listed, store_->ListCertificates("alice"));
  EXPECT_THAT(listed, ElementsAre(want_second, want_first));
}

TEST_F(SqlitePrincipalsTest, AddCertificateErrors) {
  YJ_ASSERT_OK(store_->CreatePrincipal(Principal("alice", "health")));
  YJ_ASSERT_OK(store_->CreatePrincipal(Principal("bob", "tax")));
  EXPECT_EQ(store_->AddCertificate(Certificate("", "alice")).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->AddCertificate(Certificate(Fingerprint('a'), "")).code(),
            absl::StatusCode::kInvalidArgument);
  CertificateRecord odd_state = Certificate(Fingerprint('a'), "alice");
  odd_state.state = "expired";
  EXPECT_EQ(store_->AddCertificate(odd_state).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->AddCertificate(Certificate(Fingerprint('a'), "ghost")).code(),
            absl::StatusCode::kNotFound);

  YJ_ASSERT_OK(store_->AddCertificate(Certificate(Fingerprint('a'), "alice")));
  // Bound to anyone, in any state: never again.
  const absl::Status same = store_->AddCertificate(Certificate(Fingerprint('a'), "alice"));
  EXPECT_EQ(same.code(), absl::StatusCode::kAlreadyExists) << same;
  EXPECT_EQ(store_->AddCertificate(Certificate(Fingerprint('a'), "bob")).code(),
            absl::StatusCode::kAlreadyExists);
  YJ_ASSERT_OK(store_->RevokeCertificate(Fingerprint('a'), SomeTime(30)).status());
  EXPECT_EQ(store_->AddCertificate(Certificate(Fingerprint('a'), "bob")).code(),
            absl::StatusCode::kAlreadyExists);
  YJ_ASSERT_OK_AND_ASSIGN(CertificateRecord kept, store_->GetCertificate(Fingerprint('a')));
  EXPECT_EQ(kept.principal, "alice");
  EXPECT_EQ(kept.state, kCertificateRevoked);

  YJ_ASSERT_OK(store_->DisablePrincipal("bob", SomeTime(31)).status());
  const absl::Status disabled = store_->AddCertificate(Certificate(Fingerprint('b'), "bob"));
  EXPECT_EQ(disabled.code(), absl::StatusCode::kFailedPrecondition) << disabled;
  EXPECT_EQ(store_->GetCertificate(Fingerprint('b')).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(SqlitePrincipalsTest, GetAndListCertificateErrors) {
  EXPECT_EQ(store_->GetCertificate(Fingerprint('f')).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetCertificate("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ListCertificates("ghost").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->ListCertificates("").status().code(), absl::StatusCode::kInvalidArgument);
  YJ_ASSERT_OK(store_->CreatePrincipal(Principal("alice", "health")));
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<CertificateRecord> none, store_->ListCertificates("alice"));
  EXPECT_THAT(none, IsEmpty());
}

TEST_F(SqlitePrincipalsTest, RevokeCertificateOnceThenNoOp) {
  YJ_ASSERT_OK(store_->CreatePrincipal(Principal("alice", "health")));
  YJ_ASSERT_OK(store_->AddCertificate(Certificate(Fingerprint('a'), "alice")));
  YJ_ASSERT_OK(store_->AddCertificate(Certificate(Fingerprint('b'), "alice")));
  YJ_ASSERT_OK_AND_ASSIGN(CertificateRecord revoked,
                          store_->RevokeCertificate(Fingerprint('a'), SomeTime(40)));
  EXPECT_EQ(revoked.state, kCertificateRevoked);
  EXPECT_EQ(revoked.revoked, Stored(SomeTime(40)));
  YJ_ASSERT_OK_AND_ASSIGN(CertificateRecord got, store_->GetCertificate(Fingerprint('a')));
  EXPECT_EQ(got, revoked);
  YJ_ASSERT_OK_AND_ASSIGN(CertificateRecord again,
                          store_->RevokeCertificate(Fingerprint('a'), SomeTime(50)));
  EXPECT_EQ(again, revoked);
  YJ_ASSERT_OK_AND_ASSIGN(got, store_->GetCertificate(Fingerprint('b')));
  EXPECT_EQ(got.state, kCertificateActive);
  EXPECT_EQ(store_->RevokeCertificate(Fingerprint('f'), SomeTime(50)).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->RevokeCertificate("", SomeTime(50)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// Offboarding fixture: tax's key "payroll" shared with health's alice and bob.
class OffboardTest : public SqlitePrincipalsTest {
 protected:
  void SetUp() override {
    SqlitePrincipalsTest::SetUp();
    YJ_ASSERT_OK(store_
                     ->CreateKey({.department = "tax",
                                  .name = "payroll",
                                  .kind = "aes256-gcm",
                                  .protection_level = "software",
                                  .sharing_class = "conditional"},
                                 {.state = kVersionEnabled, .wrapped_material = "wrapped"})
                     .status());
    YJ_ASSERT_OK(store_->CreatePrincipal(Principal("alice", "health", {"application"})));
    YJ_ASSERT_OK(store_->CreatePrincipal(Principal("bob", "health", {"application"})));
    YJ_ASSERT_OK(store_->CreatePrincipal(Principal("officer", "tax", {"key-officer"})));
  }

  // A grant on tax/payroll to `grantee` ("" for all of health) requested by `requested_by`,
  // approved into "active" or left "pending" or revoked.
  int64_t Grant(const std::string& grantee, const std::string& requested_by,
                const std::string& state) {
    GrantRecord grant{.key_department = "tax",
                      .key_name = "payroll",
                      .grantee_principal = grantee,
                      .grantee_department = "health",
                      .operations = {"decrypt"},
                      .purposes = {"payroll-run"},
                      .expires = absl::InfiniteFuture(),
                      .requested_by = requested_by,
                      .requested = SomeTime(60)};
    absl::StatusOr<GrantRecord> created = store_->CreateGrant(grant);
    EXPECT_TRUE(created.ok()) << created.status();
    if (!created.ok()) return 0;
    if (state != kGrantPending) {
      EXPECT_TRUE(store_->ApproveGrant(created->id, "officer", SomeTime(61)).ok());
    }
    if (state == kGrantRevoked) {
      EXPECT_TRUE(store_->RevokeGrant(created->id, "officer", "done", SomeTime(62)).ok());
    }
    return created->id;
  }
};

TEST_F(OffboardTest, OffboardingChangesExactlyWhatItReports) {
  const int64_t held_active = Grant("alice", "alice", kGrantActive);
  const int64_t held_pending = Grant("alice", "officer", kGrantPending);
  const int64_t held_revoked = Grant("alice", "alice", kGrantRevoked);
  const int64_t requested_for_department = Grant("", "alice", kGrantPending);
  const int64_t requested_for_bob_active = Grant("bob", "alice", kGrantActive);
  const int64_t requested_for_bob_pending = Grant("bob", "alice", kGrantPending);
  const int64_t bobs_own = Grant("bob", "bob", kGrantActive);
  const int64_t department_active = Grant("", "bob", kGrantActive);
  YJ_ASSERT_OK(store_->AddCertificate(Certificate(Fingerprint('1'), "alice", 21)));
  YJ_ASSERT_OK(store_->AddCertificate(Certificate(Fingerprint('2'), "alice", 22)));
  YJ_ASSERT_OK(store_->AddCertificate(Certificate(Fingerprint('3'), "alice", 23)));
  YJ_ASSERT_OK(store_->RevokeCertificate(Fingerprint('3'), SomeTime(24)).status());
  YJ_ASSERT_OK(store_->AddCertificate(Certificate(Fingerprint('4'), "bob")));
  YJ_ASSERT_OK_AND_ASSIGN(PrincipalRecord alice_before, store_->GetPrincipal("alice"));
  YJ_ASSERT_OK_AND_ASSIGN(std::vector<GrantRecord> all_before, store_->ListGrants({}));
  YJ_ASSERT_OK_AND_ASSIGN(CertificateRecord revoked_earlier,
                          store_->GetCertificate(Fingerprint('3')));

  YJ_ASSERT_OK_AND_ASSIGN(OffboardResult result,
                          store_->OffboardPrincipal("alice", "admin", SomeTime(100)));

  EXPECT_EQ(result.before, alice_before);
  PrincipalRecord want_after = alice_before;
  want_after.state = kPrincipalDisabled;
  want_after.roles.clear();
  want_after.disabled = Stored(SomeTime(100));
  EXPECT_EQ(result.after, want_after);
  YJ_ASSERT_OK_AND_ASSIGN(PrincipalRecord alice_now, store_->GetPrincipal("alice"));
  EXPECT_EQ(alice_now, want_after);

  // Certificates: the two active ones, now revoked; the one revoked earlier keeps its time.
  ASSERT_EQ(result.certificates_revoked.size(), 2u);
  EXPECT_EQ(result.certificates_revoked[0].fingerprint_sha256, Fingerprint('1'));
  EXPECT_EQ(result.certificates_revoked[1].fingerprint_sha256, Fingerprint('2'));
  for (const CertificateRecord& certificate : result.certificates_revoked) {
    EXPECT_EQ(certificate.state, kCertificateRevoked);
    EXPECT_EQ(certificate.revoked, Stored(SomeTime(100)));
    YJ_ASSERT_OK_AND_ASSIGN(CertificateRecord stored,
                            store_->GetCertificate(certificate.fingerprint_sha256));
    EXPECT_EQ(stored, certificate);
  }
  YJ_ASSERT_OK_AND_ASSIGN(CertificateRecord earlier, store_->GetCertificate(Fingerprint('3')));
  EXPECT_EQ(earlier, revoked_earlier);
  YJ_ASSERT_OK_AND_ASSIGN(CertificateRecord bobs, store_->GetCertificate(Fingerprint('4')));
  EXPECT_EQ(bobs.state, kCertificateActive);

  // Grants: those alice held (active or pending), then the pending ones she requested.
  EXPECT_THAT(Ids(result.grants_revoked), ElementsAre(held_active, held_pending));
  EXPECT_THAT(Ids(result.requests_withdrawn),
              ElementsAre(requested_for_department, requested_for_bob_pending));
  std::vector<GrantRecord> changed = result.grants_revoked;
  changed.insert(changed.end(), result.requests_withdrawn.begin(), result.requests_withdrawn.end());
  for (const GrantRecord& grant : changed) {
    EXPECT_EQ(grant.state, kGrantRevoked);
    EXPECT_EQ(grant.revoked_by, "admin");
    EXPECT_EQ(grant.revoke_reason, "offboarded");
    EXPECT_EQ(grant.revoked, Stored(SomeTime(100)));
    YJ_ASSERT_OK_AND_ASSIGN(GrantRecord stored, store_->GetGrant(grant.id));
    EXPECT_EQ(stored, grant);
  }
  // Everything else is exactly as it was.
  for (const GrantRecord& before : all_before) {
    if (before.id == held_active || before.id == held_pending ||
        before.id == requested_for_department || before.id == requested_for_bob_pending) {
      continue;
    }
    YJ_ASSERT_OK_AND_ASSIGN(GrantRecord now, store_->GetGrant(before.id));
    EXPECT_EQ(now, before) << "grant " << before.id;
  }
  for (int64_t id : {held_revoked, requested_for_bob_active, bobs_own, department_active}) {
    YJ_ASSERT_OK_AND_ASSIGN(GrantRecord now, store_->GetGrant(id));
    EXPECT_NE(now.revoke_reason, "offboarded") << "grant " << id;
  }
  YJ_ASSERT_OK_AND_ASSIGN(PrincipalRecord bob, store_->GetPrincipal("bob"));
  EXPECT_EQ(bob.state, kPrincipalEnabled);
  EXPECT_THAT(bob.roles, ElementsAre("application"));
}

TEST_F(OffboardTest, OffboardingADisabledPrincipalKeepsItsDisabledTime) {
  const int64_t held = Grant("alice", "officer", kGrantActive);
  YJ_ASSERT_OK(store_->DisablePrincipal("alice", SomeTime(90)).status());
  YJ_ASSERT_OK_AND_ASSIGN(OffboardResult result,
                          store_->OffboardPrincipal("alice", "admin", SomeTime(100)));
  EXPECT_EQ(result.before.state, kPrincipalDisabled);
  EXPECT_EQ(result.after.disabled, Stored(SomeTime(90)));
  EXPECT_THAT(result.after.roles, IsEmpty());
  EXPECT_THAT(result.certificates_revoked, IsEmpty());
  EXPECT_THAT(Ids(result.grants_revoked), ElementsAre(held));
  EXPECT_THAT(result.requests_withdrawn, IsEmpty());
}

TEST_F(OffboardTest, OffboardingNothingToChange) {
  YJ_ASSERT_OK_AND_ASSIGN(OffboardResult result,
                          store_->OffboardPrincipal("bob", "admin", SomeTime(100)));
  EXPECT_EQ(result.after.state, kPrincipalDisabled);
  EXPECT_THAT(result.certificates_revoked, IsEmpty());
  EXPECT_THAT(result.grants_revoked, IsEmpty());
  EXPECT_THAT(result.requests_withdrawn, IsEmpty());
  EXPECT_EQ(store_->OffboardPrincipal("ghost", "admin", SomeTime(100)).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->OffboardPrincipal("", "admin", SomeTime(100)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(SqlitePrincipalsTest, PrincipalsAndCertificatesSurviveReopen) {
  YJ_ASSERT_OK(store_->CreatePrincipal(Principal("alice", "health", {"auditor"})));
  YJ_ASSERT_OK(store_->AddCertificate(Certificate(Fingerprint('a'), "alice")));
  YJ_ASSERT_OK_AND_ASSIGN(PrincipalRecord alice, store_->DisablePrincipal("alice", SomeTime(70)));
  YJ_ASSERT_OK_AND_ASSIGN(CertificateRecord certificate, store_->GetCertificate(Fingerprint('a')));
  store_.reset();
  YJ_ASSERT_OK_AND_ASSIGN(store_, SqliteStore::Open(path_));
  YJ_ASSERT_OK_AND_ASSIGN(PrincipalRecord alice_again, store_->GetPrincipal("alice"));
  EXPECT_EQ(alice_again, alice);
  YJ_ASSERT_OK_AND_ASSIGN(CertificateRecord certificate_again,
                          store_->GetCertificate(Fingerprint('a')));
  EXPECT_EQ(certificate_again, certificate);
}

}  // namespace
}  // namespace yinjian::store
