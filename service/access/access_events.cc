#include "service/access/access_events.h"

#include <cstdio>

#include "absl/strings/str_cat.h"

namespace yinjian::access {

void LogAccessEventToStderr(const AccessEvent& event) {
  std::string line =
      absl::StrCat("yinjian-server: access: ", event.actor, " ", event.action, " ", event.subject);
  if (!event.detail.empty()) absl::StrAppend(&line, " (", event.detail, ")");
  line += "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace yinjian::access
