#include "cli/audit_verify.h"

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/audit_output.h"
#include "cli/audit_paging.h"
#include "cli/command_env.h"
#include "cli/file_io.h"
#include "cli/log_check.h"
#include "cli/receipt_check.h"
#include "common/status_macros.h"
#include "service/audit/rejection.h"
#include "yinjian/v1/audit.grpc.pb.h"

namespace yinjian::cli {
namespace {

// The checker's problems, said to be about the log.
absl::Status AsLogVerdict(const absl::Status& status) {
  if (!IsNotValid(status)) return status;
  return NotValid(absl::StrCat("audit log NOT valid: ", status.message()));
}

std::vector<ListedCheckpoint> ToListed(const v1::ListCheckpointsResponse& response) {
  std::vector<ListedCheckpoint> listed;
  listed.reserve(response.checkpoints_size());
  for (const v1::SignedCheckpoint& checkpoint : response.checkpoints()) {
    listed.push_back(ListedCheckpoint{
        .size = checkpoint.size(), .root_hash = checkpoint.root_hash(), .note = checkpoint.note()});
  }
  return listed;
}

// The origin to expect when neither the user nor GetLogKey gave one: the first checkpoint's.
absl::StatusOr<std::string> FirstCheckpointOrigin(const std::vector<ListedCheckpoint>& listed) {
  if (listed.empty()) return std::string();
  absl::StatusOr<std::string> origin = UncheckedCheckpointOrigin(listed.front().note);
  if (origin.ok() || !audit::RejectionOf(origin.status()).has_value()) return origin;
  return NotValid(
      absl::StrCat("checkpoint of size ", listed.front().size, ": ", origin.status().message()));
}

absl::Status CheckServerConsistencyProof(const CommandEnv& env, v1::AuditService::Stub& stub,
                                         const LogCheckSummary& summary) {
  if (!summary.first.has_value() || summary.first->size == summary.latest->size) {
    return absl::OkStatus();
  }
  v1::GetConsistencyProofRequest request;
  request.set_old_size(int64_t(summary.first->size));
  request.set_new_size(int64_t(summary.latest->size));
  v1::ConsistencyProof response;
  RETURN_IF_ERROR(env.Call([&](grpc::ClientContext* context) {
    return stub.GetConsistencyProof(context, request, &response);
  }));
  std::vector<audit::Hash> proof;
  for (const std::string& hash : response.hashes()) {
    if (hash.size() != audit::kHashSize) {
      return NotValid(absl::StrCat("consistency proof from size ", summary.first->size, " to size ",
                                   summary.latest->size, ": a hash of ", hash.size(), " bytes"));
    }
    audit::Hash& copy = proof.emplace_back();
    std::copy(hash.begin(), hash.end(), copy.begin());
  }
  return CheckConsistencyProof(*summary.first, *summary.latest, proof);
}

absl::StatusOr<LogCheckSummary> VerifyLog(const CommandEnv& env, const AuditVerifyArgs& args,
                                          std::string trusted_pem) {
  auto stub = v1::AuditService::NewStub(env.channel());
  std::string origin = args.origin;
  std::string key_source = "--log-key";
  std::string sm2_pem;  // the server's SM2 key, if it has one and no --log-key was given
  if (trusted_pem.empty()) {
    v1::LogKey key;
    RETURN_IF_ERROR(env.Call([&](grpc::ClientContext* context) {
      return stub->GetLogKey(context, v1::GetLogKeyRequest(), &key);
    }));
    trusted_pem = key.pem();
    sm2_pem = key.sm2_pem();
    if (origin.empty()) origin = key.origin();
    key_source = "the server's log key";
  }
  v1::ListCheckpointsResponse listed;
  RETURN_IF_ERROR(env.Call([&](grpc::ClientContext* context) {
    return stub->ListCheckpoints(context, v1::ListCheckpointsRequest(), &listed);
  }));
  std::vector<ListedCheckpoint> checkpoints = ToListed(listed);
  if (origin.empty()) {
    ASSIGN_OR_RETURN(origin, FirstCheckpointOrigin(checkpoints));
  }

  // With no checkpoint (and so no origin) there is no signature to check.
  std::vector<std::unique_ptr<audit::PublicKeyNoteVerifier>> owned;
  std::vector<const audit::NoteVerifier*> verifiers;
  if (!origin.empty()) {
    std::vector<std::pair<std::string, std::string>> keys = {{trusted_pem, key_source}};
    if (!sm2_pem.empty()) keys.emplace_back(std::move(sm2_pem), "the server's SM2 log key");
    for (const std::string& file : args.previous_log_key_files) {
      ASSIGN_OR_RETURN(std::string pem, ReadFile(file, "--previous-log-key"));
      keys.emplace_back(std::move(pem), file);
    }
    for (const auto& [pem, source] : keys) {
      ASSIGN_OR_RETURN(std::unique_ptr<audit::PublicKeyNoteVerifier> verifier,
                       LogKeyVerifier(pem, origin, source));
      owned.push_back(std::move(verifier));
    }
    for (const auto& verifier : owned) verifiers.push_back(verifier.get());
  }
  LogChecker checker(std::move(checkpoints), std::move(verifiers), origin);
  RETURN_IF_ERROR(ForEachAuditEntry(env, v1::QueryRequest(), /*max_entries=*/0,
                                    [&checker](const v1::AuditEntry& entry) {
                                      return checker.AddEntry(entry.index(), entry.entry());
                                    }));
  ASSIGN_OR_RETURN(const LogCheckSummary summary, checker.Finish());
  RETURN_IF_ERROR(CheckServerConsistencyProof(env, *stub, summary));
  return summary;
}

}  // namespace

absl::Status RunAuditVerify(const GlobalOptions& globals, const AuditVerifyArgs& args) {
  std::string trusted_pem;
  if (!args.log_key_file.empty()) {
    ASSIGN_OR_RETURN(trusted_pem, ReadFile(args.log_key_file, "--log-key"));
  }
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals));
  absl::StatusOr<LogCheckSummary> summary = VerifyLog(env, args, std::move(trusted_pem));
  if (!summary.ok()) return AsLogVerdict(summary.status());
  return WriteFile(
      "-",
      env.output() == OutputFormat::kJson ? LogSummaryJson(*summary) : LogSummaryText(*summary),
      OutputSecrecy::kPublic);
}

}  // namespace yinjian::cli
