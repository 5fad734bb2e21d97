#include "cli/access_output.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"

namespace yinjian::cli {
namespace {

v1::Principal Alice() {
  v1::Principal principal;
  principal.set_name("alice");
  principal.set_department("hr");
  principal.add_roles("key-officer");
  principal.add_roles("auditor");
  principal.set_state("enabled");
  principal.mutable_create_time()->set_seconds(1767225600);  // 2026-01-01T00:00:00Z
  v1::Certificate* active = principal.add_certificates();
  active->set_fingerprint_sha256(std::string(64, 'a'));
  active->set_state("active");
  active->set_subject("CN=alice");
  active->mutable_not_after()->set_seconds(1798761600);  // 2027-01-01T00:00:00Z
  v1::Certificate* revoked = principal.add_certificates();
  revoked->set_fingerprint_sha256(std::string(64, 'b'));
  revoked->set_state("revoked");
  revoked->set_subject("CN=alice");
  return principal;
}

v1::Grant ExpiredGrant() {
  v1::Grant grant;
  grant.set_id(42);
  grant.set_key("hr/payroll");
  grant.set_grantee_department("finance");
  grant.add_operations("decrypt");
  grant.add_purposes("audit");
  grant.mutable_expire_time()->set_seconds(1767225600);
  grant.set_max_uses(10);
  grant.set_uses(3);
  grant.set_state("active");
  grant.set_effective_state("expired");
  grant.set_required_approvals(2);
  grant.add_approved_by("carol");
  grant.add_approved_by("dave");
  grant.set_requested_by("bob");
  return grant;
}

TEST(AccessOutputTest, PrincipalDetailListsRolesAndCertificates) {
  EXPECT_EQ(PrincipalDetail(Alice()),
            "NAME   DEPARTMENT  ROLES                STATE    CERTIFICATES  CREATED\n"
            "alice  hr          key-officer,auditor  enabled  1 active      2026-01-01T00:00:00Z\n"
            "\n"
            "FINGERPRINT                                                       STATE    NOT AFTER"
            "             SUBJECT\n" +
                std::string(64, 'a') + "  active   2027-01-01T00:00:00Z  CN=alice\n" +
                std::string(64, 'b') + "  revoked  -                     CN=alice\n");
}

TEST(AccessOutputTest, PrincipalWithoutCertificatesSaysSo) {
  v1::Principal principal;
  principal.set_name("app");
  EXPECT_TRUE(absl::EndsWith(PrincipalDetail(principal), "\n(no certificates)\n"));
}

TEST(AccessOutputTest, GrantTableShowsTheEffectiveState) {
  google::protobuf::RepeatedPtrField<v1::Grant> grants;
  *grants.Add() = ExpiredGrant();
  v1::Grant* unlimited = grants.Add();
  unlimited->set_id(7);
  unlimited->set_key("it/release");
  unlimited->set_grantee_principal("ci-bot");
  unlimited->set_state("pending");
  unlimited->set_effective_state("pending");
  EXPECT_EQ(RenderTable(GrantTable(grants)),
            "ID  STATE    KEY         GRANTEE             OPERATIONS  PURPOSES  EXPIRES"
            "               USES\n"
            "42  expired  hr/payroll  department finance  decrypt     audit     "
            "2026-01-01T00:00:00Z  3/10\n"
            "7   pending  it/release  principal ci-bot    -           -         -"
            "                     0/unlimited\n");
}

TEST(AccessOutputTest, GrantDetailLeadsWithTheEffectiveState) {
  const std::string detail = GrantDetail(ExpiredGrant());
  EXPECT_TRUE(absl::StartsWith(detail, "grant 42: EXPIRED (stored state: active)\n\n")) << detail;
  EXPECT_TRUE(absl::StrContains(detail, "approvals:      2 of 2 (carol,dave)\n")) << detail;
  EXPECT_TRUE(absl::StrContains(detail, "uses:           3/10\n")) << detail;
  EXPECT_FALSE(absl::StrContains(detail, "revoked by")) << detail;

  v1::Grant revoked = ExpiredGrant();
  revoked.set_state("revoked");
  revoked.set_effective_state("revoked");
  revoked.set_revoked_by("erin");
  revoked.set_revoke_reason("project ended");
  const std::string revoked_detail = GrantDetail(revoked);
  EXPECT_TRUE(absl::StartsWith(revoked_detail, "grant 42: REVOKED")) << revoked_detail;
  EXPECT_TRUE(absl::StrContains(revoked_detail, "revoke reason:  project ended\n"))
      << revoked_detail;
}

TEST(AccessOutputTest, OffboardReportHasEverySection) {
  v1::OffboardReport report;
  *report.mutable_principal() = Alice();
  report.mutable_principal()->clear_roles();
  report.mutable_principal()->set_state("disabled");
  report.add_roles_removed("key-officer");
  report.add_roles_removed("auditor");
  *report.add_certificates_revoked() = Alice().certificates(0);
  *report.add_grants_approved() = ExpiredGrant();
  const std::string text = OffboardReportText(report);
  EXPECT_TRUE(absl::StartsWith(text, "offboarded alice at -\n\n")) << text;
  EXPECT_TRUE(absl::StrContains(text, "\nroles removed:\nkey-officer, auditor\n")) << text;
  EXPECT_TRUE(absl::StrContains(text, "\ncertificates revoked:\nFINGERPRINT")) << text;
  EXPECT_TRUE(absl::StrContains(text, "\ngrants revoked:\n(none)\n")) << text;
  EXPECT_TRUE(absl::StrContains(text, "\ngrant requests withdrawn:\n(none)\n")) << text;
  EXPECT_TRUE(absl::StrContains(text, "still active (review them):\nID  STATE    KEY")) << text;
  EXPECT_TRUE(absl::EndsWith(text, "\nactivity: 0 calls recorded\n")) << text;
}

TEST(AccessOutputTest, OffboardReportListsTheActivity) {
  v1::OffboardReport report;
  report.mutable_principal()->set_name("tax-app");
  report.add_activity(
      "{\"decision\":\"allow\",\"index\":7,\"key\":\"finance/payroll\",\"operation\":"
      "\"Decrypt\",\"result\":\"OK\",\"time\":\"2026-11-21T14:25:00.123456Z\",\"v\":1}");
  report.add_activity(
      "{\"decision\":\"deny\",\"index\":9,\"key\":\"\",\"operation\":\"WhoAmI\","
      "\"result\":\"PERMISSION_DENIED\",\"time\":\"2026-11-21T14:26:00Z\",\"v\":1}");
  report.add_activity("not json");
  report.set_activity_total(3);
  EXPECT_EQ(ActivityText(report),
            "activity: 3 calls recorded\n"
            "INDEX  TIME                         OPERATION  KEY              DECISION  RESULT\n"
            "7      2026-11-21T14:25:00.123456Z  Decrypt    finance/payroll  allow     OK\n"
            "9      2026-11-21T14:26:00Z         WhoAmI     -                deny      "
            "PERMISSION_DENIED\n"
            "-      (not a JSON object)\n");
  EXPECT_TRUE(absl::EndsWith(OffboardReportText(report), "\n\n" + ActivityText(report)));
}

TEST(AccessOutputTest, OffboardActivityBeyondTheReportIsPointedTo) {
  v1::OffboardReport report;
  report.mutable_principal()->set_name("bob");
  report.add_activity("{\"index\":1,\"operation\":\"Encrypt\"}");
  report.set_activity_total(1500);
  const std::string text = ActivityText(report);
  EXPECT_TRUE(absl::StartsWith(text, "activity: 1500 calls recorded\nINDEX")) << text;
  EXPECT_TRUE(absl::EndsWith(
      text,
      "(the first 1 of 1500 shown; `yinjianctl audit query --principal bob` lists them all)\n"))
      << text;

  v1::OffboardReport one;
  one.add_activity("{\"index\":1}");
  one.set_activity_total(1);
  EXPECT_TRUE(absl::StartsWith(ActivityText(one), "activity: 1 call recorded\nINDEX"));
}

}  // namespace
}  // namespace yinjian::cli
