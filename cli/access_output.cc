#include "cli/access_output.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/entry_json.h"

namespace yinjian::cli {
namespace {

template <typename Message>
google::protobuf::RepeatedPtrField<Message> One(const Message& message) {
  google::protobuf::RepeatedPtrField<Message> one;
  *one.Add() = message;
  return one;
}

std::string ListOrDash(const google::protobuf::RepeatedPtrField<std::string>& values) {
  return values.empty() ? "-" : absl::StrJoin(values, ",");
}

int ActiveCertificates(const v1::Principal& principal) {
  int active = 0;
  for (const v1::Certificate& certificate : principal.certificates()) {
    if (certificate.state() == "active") ++active;
  }
  return active;
}

std::string Uses(const v1::Grant& grant) {
  return absl::StrCat(grant.uses(), "/",
                      grant.max_uses() == 0 ? "unlimited" : absl::StrCat(grant.max_uses()));
}

std::string OrDash(const std::string& value) { return value.empty() ? "-" : value; }

// A heading, then `body` or "(none)".
std::string Section(absl::string_view heading, bool empty, const std::string& body) {
  return absl::StrCat("\n", heading, ":\n", empty ? "(none)\n" : body);
}

std::vector<std::string> ActivityRow(const std::string& entry) {
  const absl::StatusOr<std::vector<JsonMember>> members = ParseJsonObject(entry);
  if (!members.ok()) return {"-", "(not a JSON object)"};
  std::vector<std::string> row;
  for (const char* name : {"index", "time", "operation", "key", "decision", "result"}) {
    row.push_back(OrDash(MemberText(*members, name)));
  }
  return row;
}

}  // namespace

Table PrincipalTable(const google::protobuf::RepeatedPtrField<v1::Principal>& principals) {
  Table table{.header = {"NAME", "DEPARTMENT", "ROLES", "STATE", "CERTIFICATES", "CREATED"}};
  for (const v1::Principal& principal : principals) {
    table.rows.push_back({principal.name(), principal.department(), ListOrDash(principal.roles()),
                          principal.state(), absl::StrCat(ActiveCertificates(principal), " active"),
                          FormatTimestamp(principal.create_time())});
  }
  return table;
}

Table PrincipalTable(const v1::Principal& principal) { return PrincipalTable(One(principal)); }

Table CertificateTable(const google::protobuf::RepeatedPtrField<v1::Certificate>& certificates) {
  Table table{.header = {"FINGERPRINT", "STATE", "NOT AFTER", "SUBJECT"}};
  for (const v1::Certificate& certificate : certificates) {
    table.rows.push_back({certificate.fingerprint_sha256(), certificate.state(),
                          FormatTimestamp(certificate.not_after()), certificate.subject()});
  }
  return table;
}

Table CertificateTable(const v1::Certificate& certificate) {
  return CertificateTable(One(certificate));
}

std::string PrincipalDetail(const v1::Principal& principal) {
  std::string text = RenderTable(PrincipalTable(principal));
  if (principal.certificates().empty()) return absl::StrCat(text, "\n(no certificates)\n");
  return absl::StrCat(text, "\n", RenderTable(CertificateTable(principal.certificates())));
}

std::string GranteeOf(const v1::Grant& grant) {
  if (!grant.grantee_principal().empty()) {
    return absl::StrCat("principal ", grant.grantee_principal());
  }
  return absl::StrCat("department ", grant.grantee_department());
}

Table GrantTable(const google::protobuf::RepeatedPtrField<v1::Grant>& grants) {
  Table table{
      .header = {"ID", "STATE", "KEY", "GRANTEE", "OPERATIONS", "PURPOSES", "EXPIRES", "USES"}};
  for (const v1::Grant& grant : grants) {
    table.rows.push_back({absl::StrCat(grant.id()), OrDash(grant.effective_state()), grant.key(),
                          GranteeOf(grant), ListOrDash(grant.operations()),
                          ListOrDash(grant.purposes()), FormatTimestamp(grant.expire_time()),
                          Uses(grant)});
  }
  return table;
}

std::string GrantDetail(const v1::Grant& grant) {
  const std::string headline = absl::StrCat("grant ", grant.id(), ": ",
                                            absl::AsciiStrToUpper(OrDash(grant.effective_state())),
                                            " (stored state: ", OrDash(grant.state()), ")\n\n");
  Table fields{
      .rows = {
          {"key:", grant.key()},
          {"grantee:", GranteeOf(grant)},
          {"operations:", ListOrDash(grant.operations())},
          {"purposes:", ListOrDash(grant.purposes())},
          {"expires:", FormatTimestamp(grant.expire_time())},
          {"uses:", Uses(grant)},
          {"approvals:", absl::StrCat(grant.approved_by_size(), " of ", grant.required_approvals(),
                                      " (", ListOrDash(grant.approved_by()), ")")},
          {"requested by:", absl::StrCat(OrDash(grant.requested_by()), " at ",
                                         FormatTimestamp(grant.request_time()))},
          {"justification:", OrDash(grant.justification())},
          {"activated:", FormatTimestamp(grant.activate_time())},
      }};
  if (!grant.revoked_by().empty() || grant.has_revoke_time()) {
    fields.rows.push_back({"revoked by:", absl::StrCat(OrDash(grant.revoked_by()), " at ",
                                                       FormatTimestamp(grant.revoke_time()))});
    fields.rows.push_back({"revoke reason:", OrDash(grant.revoke_reason())});
  }
  return absl::StrCat(headline, RenderTable(fields));
}

std::string OffboardReportText(const v1::OffboardReport& report) {
  std::string text = absl::StrCat("offboarded ", report.principal().name(), " at ",
                                  FormatTimestamp(report.offboard_time()), "\n\n",
                                  RenderTable(PrincipalTable(report.principal())));
  absl::StrAppend(&text, Section("roles removed", report.roles_removed().empty(),
                                 absl::StrCat(absl::StrJoin(report.roles_removed(), ", "), "\n")));
  absl::StrAppend(&text, Section("certificates revoked", report.certificates_revoked().empty(),
                                 RenderTable(CertificateTable(report.certificates_revoked()))));
  absl::StrAppend(&text, Section("grants revoked", report.grants_revoked().empty(),
                                 RenderTable(GrantTable(report.grants_revoked()))));
  absl::StrAppend(&text, Section("grant requests withdrawn", report.requests_withdrawn().empty(),
                                 RenderTable(GrantTable(report.requests_withdrawn()))));
  absl::StrAppend(&text, Section("grants it approved that are still active (review them)",
                                 report.grants_approved().empty(),
                                 RenderTable(GrantTable(report.grants_approved()))));
  return absl::StrCat(text, "\n", ActivityText(report));
}

Table ActivityTable(const google::protobuf::RepeatedPtrField<std::string>& entries) {
  Table table{.header = {"INDEX", "TIME", "OPERATION", "KEY", "DECISION", "RESULT"}};
  for (const std::string& entry : entries) table.rows.push_back(ActivityRow(entry));
  return table;
}

std::string ActivityText(const v1::OffboardReport& report) {
  // activity_total counts them all; an older server sends only the entries.
  const int64_t total = std::max<int64_t>(report.activity_total(), report.activity_size());
  std::string text =
      absl::StrCat("activity: ", total, total == 1 ? " call" : " calls", " recorded\n");
  if (!report.activity().empty()) {
    absl::StrAppend(&text, RenderTable(ActivityTable(report.activity())));
  }
  if (total > report.activity_size()) {
    absl::StrAppend(&text, "(the first ", report.activity_size(), " of ", total,
                    " shown; `yinjianctl audit query --principal ", report.principal().name(),
                    "` lists them all)\n");
  }
  return text;
}

}  // namespace yinjian::cli
