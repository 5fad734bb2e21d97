// Reading the audit log through AuditService.Query a page at a time, for `audit query`,
// `audit export` and `audit verify`.
#ifndef YINJIAN_CLI_AUDIT_PAGING_H_
#define YINJIAN_CLI_AUDIT_PAGING_H_

#include <cstdint>
#include <functional>

#include "absl/status/status.h"
#include "cli/command_env.h"
#include "yinjian/v1/audit.pb.h"

namespace yinjian::cli {

// The most entries one Query returns (the server's maximum).
inline constexpr int32_t kAuditPageSize = 1000;

// Calls Query with `filter` page after page (setting its after_index and limit) and hands each
// entry to `visit`, in index order, until the server says no more match or `max_entries` have
// been visited (0: no limit). A page is only asked for if entries may remain, so nothing is
// fetched that is not visited. Errors: the RPC's; BadServerAnswer if a page goes backwards or is
// empty while more are promised; the first error of `visit`.
absl::Status ForEachAuditEntry(const CommandEnv& env, v1::QueryRequest filter, int64_t max_entries,
                               const std::function<absl::Status(const v1::AuditEntry&)>& visit);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_AUDIT_PAGING_H_
