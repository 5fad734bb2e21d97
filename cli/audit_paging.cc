#include "cli/audit_paging.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "yinjian/v1/audit.grpc.pb.h"

namespace yinjian::cli {

absl::Status ForEachAuditEntry(const CommandEnv& env, v1::QueryRequest filter, int64_t max_entries,
                               const std::function<absl::Status(const v1::AuditEntry&)>& visit) {
  auto stub = v1::AuditService::NewStub(env.channel());
  int64_t visited = 0;
  while (max_entries == 0 || visited < max_entries) {
    const int64_t wanted = max_entries == 0 ? kAuditPageSize : max_entries - visited;
    filter.set_limit(int32_t(std::min<int64_t>(wanted, kAuditPageSize)));
    v1::QueryResponse page;
    RETURN_IF_ERROR(env.Call(
        [&](grpc::ClientContext* context) { return stub->Query(context, filter, &page); }));
    for (const v1::AuditEntry& entry : page.entries()) {
      if (filter.has_after_index() && entry.index() <= filter.after_index()) {
        return BadServerAnswer(absl::StrCat("Query returned entry ", entry.index(), " after entry ",
                                            filter.after_index()));
      }
      filter.set_after_index(entry.index());
      RETURN_IF_ERROR(visit(entry));
      if (++visited == max_entries) return absl::OkStatus();
    }
    if (!page.more()) return absl::OkStatus();
    if (page.entries().empty()) {
      return BadServerAnswer("Query promised more entries but returned none");
    }
  }
  return absl::OkStatus();
}

}  // namespace yinjian::cli
