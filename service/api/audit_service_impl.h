// yinjian.v1.AuditService on gRPC's callback API: receipts, checkpoints, the log key and
// consistency proofs for everyone who calls; queries of the log for auditors (R9, R10).
#ifndef YINJIAN_SERVICE_API_AUDIT_SERVICE_IMPL_H_
#define YINJIAN_SERVICE_API_AUDIT_SERVICE_IMPL_H_

#include "service/access/access_controller.h"
#include "service/api/call_audit.h"
#include "service/api/call_identity.h"
#include "service/audit/audit_log.h"
#include "service/store/store.h"
#include "yinjian/v1/audit.grpc.pb.h"

namespace yinjian::api {

class AuditServiceImpl final : public v1::AuditService::CallbackService {
 public:
  // `log` null: the audit log is disabled (benchmarks only) and every call is FAILED_PRECONDITION.
  AuditServiceImpl(const CallIdentity& identity, const CallAuditor& auditor,
                   access::AccessController& access, store::Store& store, audit::AuditLog* log)
      : identity_(identity), auditor_(auditor), access_(access), store_(store), log_(log) {}

  using Context = grpc::CallbackServerContext;
  using Reactor = grpc::ServerUnaryReactor;

  Reactor* GetReceipt(Context*, const v1::GetReceiptRequest*, v1::Receipt*) override;
  Reactor* GetCheckpoint(Context*, const v1::GetCheckpointRequest*, v1::SignedCheckpoint*) override;
  Reactor* GetLogKey(Context*, const v1::GetLogKeyRequest*, v1::LogKey*) override;
  Reactor* GetConsistencyProof(Context*, const v1::GetConsistencyProofRequest*,
                               v1::ConsistencyProof*) override;
  Reactor* Query(Context*, const v1::QueryRequest*, v1::QueryResponse*) override;
  Reactor* ListCheckpoints(Context*, const v1::ListCheckpointsRequest*,
                           v1::ListCheckpointsResponse*) override;

 private:
  absl::Status Enabled() const;

  const CallIdentity& identity_;
  const CallAuditor& auditor_;
  access::AccessController& access_;
  store::Store& store_;
  audit::AuditLog* const log_;
};

}  // namespace yinjian::api

#endif  // YINJIAN_SERVICE_API_AUDIT_SERVICE_IMPL_H_
