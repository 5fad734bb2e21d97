// How AuditService results look on stdout: audit entries as table rows, the log key, and the
// summary of a successful `audit verify`. Entries themselves go out in JSON as their exact bytes.
#ifndef YINJIAN_CLI_AUDIT_OUTPUT_H_
#define YINJIAN_CLI_AUDIT_OUTPUT_H_

#include <string>
#include <vector>

#include "cli/log_check.h"
#include "cli/output.h"
#include "yinjian/v1/audit.pb.h"

namespace yinjian::cli {

// INDEX TIME PRINCIPAL OPERATION KEY DECISION REASON RESULT, with no rows.
Table AuditEntryTable();

// One row of AuditEntryTable from the entry's JSON members; "-" for a member that is missing or
// empty, and "(not a JSON object)" after the index for an entry that cannot be read.
std::vector<std::string> AuditEntryRow(const v1::AuditEntry& entry);

// The PEM (if `with_pem`), an empty line, then "origin" and "verifier key" rows.
std::string LogKeyText(const v1::LogKey& key, bool with_pem);

// Entries not covered by the latest checkpoint (listed after it was signed).
uint64_t UncoveredEntries(const LogCheckSummary& summary);

// "audit log valid", then entries, checkpoints, latest size and root, and uncovered entries,
// one per row.
std::string LogSummaryText(const LogCheckSummary& summary);

// The same as one JSON object on one line:
// {"valid":true,"entries":N,"checkpoints":N,"latest_size":N,"latest_root":"<base64>",
//  "uncovered_entries":N} (latest_root "" if there is no checkpoint).
std::string LogSummaryJson(const LogCheckSummary& summary);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_AUDIT_OUTPUT_H_
