#include "cli/audit_commands.h"

#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "cli/audit_output.h"
#include "cli/audit_paging.h"
#include "cli/audit_verify.h"
#include "cli/command_env.h"
#include "cli/entry_json.h"
#include "cli/file_io.h"
#include "cli/time_flags.h"
#include "common/status_macros.h"
#include "yinjian/v1/audit.grpc.pb.h"

namespace yinjian::cli {
namespace {

// JSON lines are written to stdout in pieces of about this size.
constexpr size_t kFlushBytes = 64 * 1024;

struct QueryArgs {
  v1::QueryRequest filter;  // the string filters
  std::string from;
  std::string to;
  int64_t limit = 0;
};

struct LogKeyArgs {
  std::string out;
  bool sm2 = false;
};

absl::Status RunLogKey(const GlobalOptions& globals, const LogKeyArgs& args) {
  const std::string& out = args.out;
  if (out == "-") return absl::InvalidArgumentError("--out needs a file name (not -)");
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals));
  auto stub = v1::AuditService::NewStub(env.channel());
  v1::LogKey response;
  RETURN_IF_ERROR(env.Call([&](grpc::ClientContext* context) {
    return stub->GetLogKey(context, v1::GetLogKeyRequest(), &response);
  }));
  if (args.sm2) {
    if (response.sm2_pem().empty()) {
      return BadServerAnswer(
          "the server signs its checkpoints with no SM2 key (config audit.sm2_signature)");
    }
    // The SM2 key in the places of the ECDSA one.
    response.set_pem(response.sm2_pem());
    response.set_verifier_key(response.sm2_verifier_key());
    response.clear_sm2_pem();
    response.clear_sm2_verifier_key();
  }
  if (!out.empty()) {
    RETURN_IF_ERROR(ReplaceFileAtomically(out, response.pem(), "--out"));
    response.clear_pem();
  }
  return PrintText(env.output(), response, LogKeyText(response, out.empty()));
}

absl::Status RunCheckpoint(const GlobalOptions& globals) {
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals));
  auto stub = v1::AuditService::NewStub(env.channel());
  v1::SignedCheckpoint response;
  RETURN_IF_ERROR(env.Call([&](grpc::ClientContext* context) {
    return stub->GetCheckpoint(context, v1::GetCheckpointRequest(), &response);
  }));
  return PrintText(env.output(), response, response.note());
}

absl::StatusOr<v1::QueryRequest> BuildQuery(const QueryArgs& args) {
  v1::QueryRequest request = args.filter;
  if (!args.from.empty()) {
    ASSIGN_OR_RETURN(const absl::Time from, ParseRfc3339(args.from));
    *request.mutable_from() = ToTimestamp(from);
  }
  if (!args.to.empty()) {
    ASSIGN_OR_RETURN(const absl::Time to, ParseRfc3339(args.to));
    *request.mutable_to() = ToTimestamp(to);
  }
  return request;
}

// Streams the matching entries to stdout as JSON lines (their exact bytes), in pieces.
absl::Status PrintEntryLines(const CommandEnv& env, const v1::QueryRequest& request,
                             int64_t limit) {
  std::string pending;
  RETURN_IF_ERROR(ForEachAuditEntry(env, request, limit, [&](const v1::AuditEntry& entry) {
    absl::StrAppend(&pending, entry.entry(), "\n");
    if (pending.size() < kFlushBytes) return absl::OkStatus();
    const absl::Status written = WriteFile("-", pending, OutputSecrecy::kPublic);
    pending.clear();
    return written;
  }));
  return WriteFile("-", pending, OutputSecrecy::kPublic);
}

absl::Status RunQuery(const GlobalOptions& globals, const QueryArgs& args) {
  ASSIGN_OR_RETURN(const v1::QueryRequest request, BuildQuery(args));
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals));
  if (env.output() == OutputFormat::kJson) return PrintEntryLines(env, request, args.limit);
  Table table = AuditEntryTable();
  RETURN_IF_ERROR(ForEachAuditEntry(env, request, args.limit, [&](const v1::AuditEntry& entry) {
    table.rows.push_back(AuditEntryRow(entry));
    return absl::OkStatus();
  }));
  return WriteFile("-", RenderTable(table), OutputSecrecy::kPublic);
}

absl::Status RunExport(const GlobalOptions& globals, const std::string& out) {
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals));
  if (out.empty() || out == "-") return PrintEntryLines(env, v1::QueryRequest(), 0);
  std::string lines;
  int64_t count = 0;
  RETURN_IF_ERROR(ForEachAuditEntry(env, v1::QueryRequest(), 0, [&](const v1::AuditEntry& entry) {
    absl::StrAppend(&lines, entry.entry(), "\n");
    ++count;
    return absl::OkStatus();
  }));
  RETURN_IF_ERROR(ReplaceFileAtomically(out, lines, "--out"));
  const std::string summary =
      env.output() == OutputFormat::kJson
          ? absl::StrCat("{\"entries\":", count, ",\"out\":", JsonQuote(out), "}\n")
          : absl::StrCat("exported ", count, " entries to ", out, "\n");
  return WriteFile("-", summary, OutputSecrecy::kPublic);
}

void AddQuery(CLI::App* audit, const CommandRegistry& registry) {
  auto args = std::make_shared<QueryArgs>();
  v1::QueryRequest& filter = args->filter;
  CLI::App* query =
      audit->add_subcommand("query", "list audit entries (all filters optional; auditors only)");
  query->add_option("--principal", *filter.mutable_principal(), "made by this principal");
  query->add_option("--department", *filter.mutable_department(),
                    "made by a principal of this department");
  query->add_option("--key", *filter.mutable_key(), "on this key (DEPT/NAME)");
  query->add_option("--operation", *filter.mutable_operation(),
                    "this RPC, as entries name it (e.g. Encrypt, Decrypt, RequestGrant)");
  query->add_option("--decision", *filter.mutable_decision(), "allow or deny")
      ->check(CLI::IsMember({"allow", "deny"}));
  query->add_option("--from", args->from, "at or after this time (RFC 3339)");
  query->add_option("--to", args->to, "before this time (RFC 3339)");
  query->add_option("--limit", args->limit, "at most this many entries (default: all)")
      ->check(CLI::Range(int64_t{1}, std::numeric_limits<int64_t>::max()));
  OnSelected(query, registry,
             [globals = registry.globals, args] { return RunQuery(*globals, *args); });
}

}  // namespace

void AddAuditCommands(CLI::App& app, const CommandRegistry& registry) {
  CLI::App* audit = app.add_subcommand(
      "audit", "the tamper-evident audit log: its key, checkpoints, entries and a full check");
  audit->require_subcommand(1);

  auto key_args = std::make_shared<LogKeyArgs>();
  CLI::App* log_key =
      audit->add_subcommand("log-key", "the log's public key (PEM), origin and C2SP verifier key");
  log_key->add_option("--out", key_args->out,
                      "save the PEM here (mode 0644) instead of printing it");
  log_key->add_flag("--sm2", key_args->sm2,
                    "the SM2 log key instead of the ECDSA P-256 one (audit.sm2_signature)");
  OnSelected(log_key, registry,
             [globals = registry.globals, key_args] { return RunLogKey(*globals, *key_args); });

  CLI::App* checkpoint =
      audit->add_subcommand("checkpoint", "the latest signed checkpoint (C2SP signed note)");
  OnSelected(checkpoint, registry,
             [globals = registry.globals] { return RunCheckpoint(*globals); });

  AddQuery(audit, registry);

  auto export_out = std::make_shared<std::string>();
  CLI::App* export_command = audit->add_subcommand(
      "export", "every entry as JSON lines, exactly as logged (auditors only)");
  export_command->add_option("--out", *export_out,
                             "write them here (mode 0644, replaced atomically); default stdout");
  OnSelected(export_command, registry,
             [globals = registry.globals, export_out] { return RunExport(*globals, *export_out); });

  auto verify_args = std::make_shared<AuditVerifyArgs>();
  CLI::App* verify = audit->add_subcommand(
      "verify", "download and check the whole log against its checkpoints (auditors only)");
  verify->add_option("--log-key", verify_args->log_key_file,
                     "the trusted log key, PEM (default: the server's, from GetLogKey)");
  verify->add_option("--origin", verify_args->origin,
                     "the log's origin (default: the server's, or the first checkpoint's)");
  verify->add_option("--previous-log-key", verify_args->previous_log_key_files,
                     "a log key that signed earlier checkpoints (PEM; repeatable): after a "
                     "backup restore the log continues under the new token's key");
  OnSelected(verify, registry, [globals = registry.globals, verify_args] {
    return RunAuditVerify(*globals, *verify_args);
  });
}

}  // namespace yinjian::cli
