// GoogleTest printers for the store's records, so a failed EXPECT_EQ on whole records shows
// fields instead of bytes. Found by argument-dependent lookup (same namespace as the records).
#ifndef YINJIAN_TESTS_SERVICE_STORE_RECORD_PRINTERS_H_
#define YINJIAN_TESTS_SERVICE_STORE_RECORD_PRINTERS_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "service/store/records.h"

namespace yinjian::store {

inline std::string PrintableList(const std::vector<std::string>& items) {
  return absl::StrCat("[", absl::StrJoin(items, ","), "]");
}

inline void PrintTo(const KeyRecord& k, std::ostream* os) {
  *os << "KeyRecord{" << k.department << "/" << k.name << " kind=" << k.kind
      << " protection=" << k.protection_level << " primary=" << k.primary_version
      << " description=" << k.description << " created=" << k.created << " level=" << k.data_level
      << " sharing=" << k.sharing_class << " allowed=" << PrintableList(k.allowed_operations)
      << " shared=" << PrintableList(k.shared_operations)
      << " purposes=" << PrintableList(k.allowed_purposes) << "}";
}

inline void PrintTo(const PrincipalRecord& p, std::ostream* os) {
  *os << "PrincipalRecord{" << p.name << " department=" << p.department
      << " roles=" << PrintableList(p.roles) << " state=" << p.state
      << " created_by=" << p.created_by << " created=" << p.created << " disabled=" << p.disabled
      << "}";
}

inline void PrintTo(const CertificateRecord& c, std::ostream* os) {
  *os << "CertificateRecord{" << c.fingerprint_sha256 << " principal=" << c.principal
      << " subject=" << c.subject << " not_after=" << c.not_after << " state=" << c.state
      << " added=" << c.added << " revoked=" << c.revoked << "}";
}

inline void PrintTo(const GrantRecord& g, std::ostream* os) {
  *os << "GrantRecord{id=" << g.id << " key=" << g.key_department << "/" << g.key_name
      << " grantee=" << g.grantee_principal << "@" << g.grantee_department
      << " operations=" << PrintableList(g.operations) << " purposes=" << PrintableList(g.purposes)
      << " expires=" << g.expires << " uses=" << g.uses << "/" << g.max_uses << " state=" << g.state
      << " required=" << g.required_approvals << " justification=" << g.justification
      << " requested_by=" << g.requested_by << " requested=" << g.requested
      << " approved_by=" << PrintableList(g.approved_by) << " activated=" << g.activated
      << " revoked_by=" << g.revoked_by << " reason=" << g.revoke_reason << " revoked=" << g.revoked
      << "}";
}

// Blobs (entries, hashes) as hex: they hold arbitrary bytes.
inline void PrintTo(const AuditEntryRecord& e, std::ostream* os) {
  *os << "AuditEntryRecord{" << e.index << " entry=" << absl::BytesToHexString(e.entry)
      << " leaf=" << absl::BytesToHexString(e.leaf_hash) << " time=" << e.time
      << " principal=" << e.principal << "@" << e.department << " operation=" << e.operation
      << " key=" << e.key << " decision=" << e.decision << " result=" << e.result << "}";
}

inline void PrintTo(const AuditCheckpointRecord& c, std::ostream* os) {
  *os << "AuditCheckpointRecord{size=" << c.size << " root=" << absl::BytesToHexString(c.root_hash)
      << " created=" << c.created << " note=" << c.note << "}";
}

inline void PrintTo(const DestructionRecord& d, std::ostream* os) {
  *os << "DestructionRecord{id=" << d.id << " key=" << d.department << "/" << d.key
      << " version=" << d.version << " reason=" << d.reason << " state=" << d.state
      << " required=" << d.required_approvals << " requested_by=" << d.requested_by
      << " requested=" << d.requested << " approved_by=" << PrintableList(d.approved_by)
      << " approved=" << d.approved << " witnessed_by=" << d.witnessed_by
      << " witnessed=" << d.witnessed << " destroy_after=" << d.destroy_after
      << " cancelled_by=" << d.cancelled_by << " cancel_reason=" << d.cancel_reason
      << " cancelled=" << d.cancelled << " destroyed=" << d.destroyed << " destroyed_versions=["
      << absl::StrJoin(d.destroyed_versions, ",") << "] record=" << d.record
      << " record_index=" << d.record_index << "}";
}

// Root key ids are CKA_IDs: arbitrary bytes, printed as hex.
inline void PrintTo(const RootRotationRecord& r, std::ostream* os) {
  *os << "RootRotationRecord{id=" << r.id << " department=" << r.department
      << " old=" << absl::BytesToHexString(r.old_root_key_id)
      << " new=" << absl::BytesToHexString(r.new_root_key_id) << " started_by=" << r.started_by
      << " started=" << r.started << " versions_total=" << r.versions_total
      << " last_progress=" << r.last_progress << " finished=" << r.finished << "}";
}

}  // namespace yinjian::store

#endif  // YINJIAN_TESTS_SERVICE_STORE_RECORD_PRINTERS_H_
