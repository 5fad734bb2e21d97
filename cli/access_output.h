// How AccessService results look in table output: principals, their certificates, grants and the
// offboarding report. (JSON output prints the response messages as they are.)
#ifndef YINJIAN_CLI_ACCESS_OUTPUT_H_
#define YINJIAN_CLI_ACCESS_OUTPUT_H_

#include <string>

#include "cli/output.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "yinjian/v1/access.pb.h"

namespace yinjian::cli {

// NAME DEPARTMENT ROLES STATE CERTIFICATES (active ones) CREATED.
Table PrincipalTable(const google::protobuf::RepeatedPtrField<v1::Principal>& principals);
Table PrincipalTable(const v1::Principal& principal);

// FINGERPRINT STATE NOT AFTER SUBJECT, one row per certificate.
Table CertificateTable(const google::protobuf::RepeatedPtrField<v1::Certificate>& certificates);
Table CertificateTable(const v1::Certificate& certificate);

// The principal's row, then its certificates (or a line saying it has none).
std::string PrincipalDetail(const v1::Principal& principal);

// "principal NAME" or "department NAME".
std::string GranteeOf(const v1::Grant& grant);

// ID STATE KEY GRANTEE OPERATIONS PURPOSES EXPIRES USES, where STATE is the effective state.
Table GrantTable(const google::protobuf::RepeatedPtrField<v1::Grant>& grants);

// One grant, field by field, starting with a line that gives its effective state in capitals,
// e.g. "grant 42: EXPIRED (stored state: active)".
std::string GrantDetail(const v1::Grant& grant);

// INDEX TIME OPERATION KEY DECISION RESULT, one row per audit entry (JSON as logged); "-" for a
// member that is missing or empty, and "(not a JSON object)" for an entry that cannot be read.
Table ActivityTable(const google::protobuf::RepeatedPtrField<std::string>& entries);

// "activity: N calls recorded", then ActivityTable of the entries the report carries, and if it
// carries fewer than it counts, a line saying so and how to list them all.
std::string ActivityText(const v1::OffboardReport& report);

// What offboarding did: the principal as it is now, then each list under its own heading
// ("(none)" for an empty one), then ActivityText.
std::string OffboardReportText(const v1::OffboardReport& report);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_ACCESS_OUTPUT_H_
