#include "service/api/audit_service_impl.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "service/access/decision_trace.h"
#include "service/api/proto_convert.h"
#include "service/api/unary.h"

namespace yinjian::api {
namespace {

using access::Caller;
using policy::Action;

constexpr int32_t kMaxQueryLimit = 1000;

void ToProto(const store::AuditCheckpointRecord& checkpoint, v1::SignedCheckpoint* out) {
  out->set_size(checkpoint.size);
  out->set_root_hash(checkpoint.root_hash);
  out->set_note(checkpoint.note);
  *out->mutable_create_time() = ToTimestamp(checkpoint.created);
}

}  // namespace

absl::Status AuditServiceImpl::Enabled() const {
  if (log_ != nullptr) return absl::OkStatus();
  return absl::FailedPreconditionError("this server runs without an audit log (benchmarks only)");
}

grpc::ServerUnaryReactor* AuditServiceImpl::GetReceipt(Context* context,
                                                       const v1::GetReceiptRequest* request,
                                                       v1::Receipt* response) {
  return RunAsCaller(
      context, "GetReceipt", identity_, auditor_, request, response,
      [&](const Caller& caller) -> absl::Status {
        RETURN_IF_ERROR(Enabled());
        // Auditors may fetch any receipt; everyone else only those of their own calls.
        absl::StatusOr<store::AuditEntryRecord> entry = store_.GetAuditEntry(request->index());
        if (entry.ok() && entry->principal == caller.principal.name) {
          access::TraceDecision("", {.allowed = true, .reason = policy::Reason::kOwner});
        } else {
          RETURN_IF_ERROR(access_.Authorize(caller, Action::kReadAudit));
        }
        ASSIGN_OR_RETURN(std::string text, log_->Receipt(request->index()));
        response->set_index(request->index());
        response->set_text(std::move(text));
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AuditServiceImpl::GetCheckpoint(Context* context,
                                                          const v1::GetCheckpointRequest* request,
                                                          v1::SignedCheckpoint* response) {
  return RunAsCaller(context, "GetCheckpoint", identity_, auditor_, request, response,
                     [&](const Caller&) -> absl::Status {
                       RETURN_IF_ERROR(Enabled());
                       ASSIGN_OR_RETURN(store::AuditCheckpointRecord latest,
                                        log_->LatestCheckpoint());
                       ToProto(latest, response);
                       return absl::OkStatus();
                     });
}

grpc::ServerUnaryReactor* AuditServiceImpl::GetLogKey(Context* context,
                                                      const v1::GetLogKeyRequest* request,
                                                      v1::LogKey* response) {
  return RunAsCaller(context, "GetLogKey", identity_, auditor_, request, response,
                     [&](const Caller&) -> absl::Status {
                       RETURN_IF_ERROR(Enabled());
                       response->set_pem(log_->log_key_pem());
                       response->set_origin(log_->origin());
                       response->set_verifier_key(log_->VerifierKey());
                       response->set_sm2_pem(log_->sm2_log_key_pem());
                       response->set_sm2_verifier_key(log_->Sm2VerifierKey());
                       return absl::OkStatus();
                     });
}

grpc::ServerUnaryReactor* AuditServiceImpl::GetConsistencyProof(
    Context* context, const v1::GetConsistencyProofRequest* request,
    v1::ConsistencyProof* response) {
  return RunAsCaller(context, "GetConsistencyProof", identity_, auditor_, request, response,
                     [&](const Caller&) -> absl::Status {
                       RETURN_IF_ERROR(Enabled());
                       ASSIGN_OR_RETURN(
                           std::vector<audit::Hash> proof,
                           log_->ConsistencyProof(request->old_size(), request->new_size()));
                       response->set_old_size(request->old_size());
                       response->set_new_size(request->new_size());
                       for (const audit::Hash& hash : proof) {
                         response->add_hashes(std::string(hash.begin(), hash.end()));
                       }
                       return absl::OkStatus();
                     });
}

grpc::ServerUnaryReactor* AuditServiceImpl::Query(Context* context, const v1::QueryRequest* request,
                                                  v1::QueryResponse* response) {
  return RunAsCaller(
      context, "Query", identity_, auditor_, request, response,
      [&](const Caller& caller) -> absl::Status {
        RETURN_IF_ERROR(Enabled());
        RETURN_IF_ERROR(access_.Authorize(caller, Action::kReadAudit));
        if (request->limit() < 0) return absl::InvalidArgumentError("limit must not be negative");
        const int32_t limit =
            request->limit() == 0 ? kMaxQueryLimit : std::min(request->limit(), kMaxQueryLimit);
        store::AuditFilter filter{
            .principal = request->principal(),
            .department = request->department(),
            .key = request->key(),
            .operation = request->operation(),
            .decision = request->decision(),
            .after_index = request->has_after_index() ? request->after_index() : -1,
            .limit = limit + 1};
        if (request->has_from()) filter.from = FromTimestamp(request->from());
        if (request->has_to()) filter.to = FromTimestamp(request->to());
        ASSIGN_OR_RETURN(std::vector<store::AuditEntryRecord> entries, store_.QueryAudit(filter));
        response->set_more(entries.size() > size_t(limit));
        if (response->more()) entries.pop_back();
        for (const store::AuditEntryRecord& entry : entries) {
          v1::AuditEntry* out = response->add_entries();
          out->set_index(entry.index);
          out->set_entry(entry.entry);
        }
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AuditServiceImpl::ListCheckpoints(
    Context* context, const v1::ListCheckpointsRequest* request,
    v1::ListCheckpointsResponse* response) {
  return RunAsCaller(context, "ListCheckpoints", identity_, auditor_, request, response,
                     [&](const Caller& caller) -> absl::Status {
                       RETURN_IF_ERROR(Enabled());
                       RETURN_IF_ERROR(access_.Authorize(caller, Action::kReadAudit));
                       ASSIGN_OR_RETURN(std::vector<store::AuditCheckpointRecord> all,
                                        store_.ListAuditCheckpoints());
                       for (const auto& checkpoint : all) {
                         ToProto(checkpoint, response->add_checkpoints());
                       }
                       return absl::OkStatus();
                     });
}

}  // namespace yinjian::api
