// Changes to who may do what (role binds, principals, certificates, grants) are logged
// operations (R6, R13). Until the tamper-evident audit log exists they go to the server log as
// one line each; the sink is where the audit log will take them over.
#ifndef YINJIAN_SERVICE_ACCESS_ACCESS_EVENTS_H_
#define YINJIAN_SERVICE_ACCESS_ACCESS_EVENTS_H_

#include <functional>
#include <string>

#include "absl/strings/string_view.h"
#include "service/access/caller.h"

namespace yinjian::access {

struct AccessEvent {
  std::string actor;    // the principal who made the change
  std::string action;   // e.g. "role.bind", "principal.offboard", "grant.approve"
  std::string subject;  // what was changed: a principal, "grant 12", a fingerprint
  std::string detail;   // e.g. "role key-officer"; never secrets
};

using AccessEventSink = std::function<void(const AccessEvent&)>;

// Writes "yinjian-server: access: <actor> <action> <subject> (<detail>)" to stderr.
void LogAccessEventToStderr(const AccessEvent& event);

}  // namespace yinjian::access

#endif  // YINJIAN_SERVICE_ACCESS_ACCESS_EVENTS_H_
