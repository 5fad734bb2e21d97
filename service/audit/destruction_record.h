// The destruction record (R11): what was destroyed, on whose request, approved and witnessed by
// whom, and when, as canonical JSON (sorted keys, no whitespace, times RFC 3339 UTC):
//
//   {"approve_time":"…","approved_by":["bob"],"destroy_after":"…","destroy_time":"…",
//    "destroyed_versions":[{"created":"…","hsm_resident":true,"version":1}],"id":3,
//    "key":"finance/old-payroll","kind":"aes256-gcm","protection":"hsm","reason":"…",
//    "request_time":"…","requested_by":"alice","required_approvals":1,
//    "type":"yinjian-destruction-record","v":1,"version":0,"witness_time":"…",
//    "witnessed_by":"sam"}
//
// The service signs it by logging it: one audit entry (operation "KeyDestroyed", principal
// "yinjian-destruction", purpose "destruction request <id>") whose response_digest is the
// lowercase hex SHA-256 of the record's bytes, so its receipt proves the record was written
// into the tamper-evident log under the HSM log key.
#ifndef YINJIAN_SERVICE_AUDIT_DESTRUCTION_RECORD_H_
#define YINJIAN_SERVICE_AUDIT_DESTRUCTION_RECORD_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "service/audit/audit_entry.h"
#include "service/store/records.h"

namespace yinjian::audit {

inline constexpr char kDestructionPrincipal[] = "yinjian-destruction";
inline constexpr char kDestructionOperation[] = "KeyDestroyed";

// The record of a destroyed request; `versions` are the versions it destroyed, as they were.
std::string EncodeDestructionRecord(const store::DestructionRecord& request,
                                    const store::KeyRecord& key,
                                    const std::vector<store::KeyVersionRecord>& versions);

// The audit event that carries `record` (see above), at `time`.
AuditEvent DestructionEvent(const store::DestructionRecord& request, const std::string& record,
                            absl::Time time);

}  // namespace yinjian::audit

#endif  // YINJIAN_SERVICE_AUDIT_DESTRUCTION_RECORD_H_
