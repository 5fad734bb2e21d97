#include "cli/destruction_commands.h"

#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/command_env.h"
#include "cli/entry_json.h"
#include "cli/file_io.h"
#include "cli/output.h"
#include "cli/receipt_check.h"
#include "cli/status_exit.h"
#include "common/status_macros.h"
#include "hsm/software_digest.h"
#include "yinjian/v1/keys.grpc.pb.h"

namespace yinjian::cli {
namespace {

using Stub = v1::KeyManagementService::Stub;

struct RequestArgs {
  std::string key;
  std::string reason;
};

struct CancelArgs {
  int64_t id = 0;
  std::string reason;
};

struct ShowArgs {
  int64_t id = 0;
  std::string record_out;
  std::string receipt_out;
};

struct VerifyRecordArgs {
  std::string record_file;
  std::string receipt_file;
  std::string log_key_file;
  std::string verifier_key;
  std::string origin;
};

std::string Target(const v1::Destruction& destruction) {
  return destruction.version() == 0 ? absl::StrCat(destruction.key(), " (every version)")
                                    : absl::StrCat(destruction.key(), ":", destruction.version());
}

std::string Approvals(const v1::Destruction& destruction) {
  std::string approvals =
      absl::StrCat(destruction.approved_by_size(), " of ", destruction.required_approvals());
  if (destruction.approved_by_size() > 0) {
    absl::StrAppend(&approvals, " (", absl::StrJoin(destruction.approved_by(), ", "), ")");
  }
  return approvals;
}

// What the request waits for, in words.
std::string NextStep(const v1::Destruction& destruction) {
  const std::string& state = destruction.state();
  if (state == "pending") return "waiting for approval by another key officer of the department";
  if (state == "approved") return "waiting for a destruction supervisor to witness it";
  if (state == "scheduled") {
    return absl::StrCat("the server destroys it after ",
                        FormatTimestamp(destruction.destroy_after()), " unless cancelled");
  }
  if (state == "destroying") return "the server is destroying it";
  if (state == "destroyed") {
    return destruction.record().empty() ? "destroyed; the record is being written"
                                        : "destroyed; the record is in the audit log";
  }
  return "";
}

std::string DestructionDetail(const v1::Destruction& d) {
  Table fields{.rows = {
                   {"key:", Target(d)},
                   {"reason:", d.reason()},
                   {"requested by:",
                    absl::StrCat(d.requested_by(), " at ", FormatTimestamp(d.request_time()))},
                   {"approvals:", Approvals(d)},
               }};
  if (d.has_approve_time()) fields.rows.push_back({"approved:", FormatTimestamp(d.approve_time())});
  if (!d.witnessed_by().empty()) {
    fields.rows.push_back({"witnessed by:", absl::StrCat(d.witnessed_by(), " at ",
                                                         FormatTimestamp(d.witness_time()))});
    fields.rows.push_back({"destroy after:", FormatTimestamp(d.destroy_after())});
  }
  if (!d.cancelled_by().empty()) {
    fields.rows.push_back({"cancelled by:", absl::StrCat(d.cancelled_by(), " at ",
                                                         FormatTimestamp(d.cancel_time()))});
    fields.rows.push_back({"cancel reason:", d.cancel_reason().empty() ? "-" : d.cancel_reason()});
  }
  if (d.has_destroy_time()) {
    fields.rows.push_back({"destroyed:", FormatTimestamp(d.destroy_time())});
    fields.rows.push_back({"versions destroyed:", absl::StrJoin(d.destroyed_versions(), ", ")});
  }
  if (d.record_index() >= 0 && !d.record().empty()) {
    fields.rows.push_back({"record:", absl::StrCat("audit entry ", d.record_index())});
  }
  std::string text = absl::StrCat("destruction request ", d.id(), ": ", d.state());
  const std::string next = NextStep(d);
  if (!next.empty()) absl::StrAppend(&text, " (", next, ")");
  return absl::StrCat(text, "\n\n", RenderTable(fields));
}

Table DestructionTable(const google::protobuf::RepeatedPtrField<v1::Destruction>& list) {
  Table table{
      .header = {"ID", "STATE", "KEY", "REQUESTED BY", "APPROVALS", "WITNESS", "DESTROY AFTER"}};
  for (const v1::Destruction& d : list) {
    table.rows.push_back({absl::StrCat(d.id()), d.state(), Target(d), d.requested_by(),
                          Approvals(d), d.witnessed_by().empty() ? "-" : d.witnessed_by(),
                          FormatTimestamp(d.destroy_after())});
  }
  return table;
}

// A destruction call answered with the request as it now is, printed.
template <typename Request>
using DestructionRpc = grpc::Status (Stub::*)(grpc::ClientContext*, const Request&,
                                              v1::Destruction*);

template <typename Request>
absl::StatusOr<v1::Destruction> Call(const CommandEnv& env, const Request& request,
                                     DestructionRpc<Request> rpc) {
  auto stub = v1::KeyManagementService::NewStub(env.channel());
  v1::Destruction response;
  RETURN_IF_ERROR(env.Call(
      [&](grpc::ClientContext* context) { return ((*stub).*rpc)(context, request, &response); }));
  return response;
}

template <typename Request>
absl::Status CallAndPrint(const GlobalOptions& globals, const Request& request,
                          DestructionRpc<Request> rpc) {
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals));
  ASSIGN_OR_RETURN(const v1::Destruction response, Call(env, request, rpc));
  return PrintText(env.output(), response, DestructionDetail(response));
}

absl::Status RunShow(const GlobalOptions& globals, const ShowArgs& args) {
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals));
  v1::DestructionIdRequest request;
  request.set_id(args.id);
  ASSIGN_OR_RETURN(const v1::Destruction response, Call(env, request, &Stub::GetDestruction));
  if (!args.record_out.empty() || !args.receipt_out.empty()) {
    if (response.record().empty()) {
      return absl::FailedPreconditionError(absl::StrCat("destruction request ", response.id(),
                                                        " has no record yet (it is ",
                                                        response.state(), ")"));
    }
    if (!args.record_out.empty()) {
      RETURN_IF_ERROR(ReplaceFileAtomically(args.record_out, response.record(), "--record-out"));
    }
    if (!args.receipt_out.empty()) {
      if (response.record_receipt().empty()) {
        return BadServerAnswer("the server sent no receipt for the record");
      }
      RETURN_IF_ERROR(
          ReplaceFileAtomically(args.receipt_out, response.record_receipt(), "--receipt-out"));
    }
  }
  return PrintText(env.output(), response, DestructionDetail(response));
}

absl::Status RunList(const GlobalOptions& globals, const v1::ListDestructionsRequest& request) {
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals));
  auto stub = v1::KeyManagementService::NewStub(env.channel());
  v1::ListDestructionsResponse response;
  RETURN_IF_ERROR(env.Call([&](grpc::ClientContext* context) {
    return stub->ListDestructions(context, request, &response);
  }));
  return Print(env.output(), response, DestructionTable(response.destructions()));
}

// Offline: the receipt verifies under the log key, its entry is a destruction record entry, and
// the entry's response_digest is the SHA-256 of the record file.
absl::Status RunVerifyRecord(const GlobalOptions& globals, const VerifyRecordArgs& args) {
  ASSIGN_OR_RETURN(const OutputFormat output, OutputFormatFromName(globals.output));
  ASSIGN_OR_RETURN(const TrustedLogKey key,
                   TrustedLogKeyFromFlags(args.log_key_file, args.verifier_key));
  ASSIGN_OR_RETURN(const std::string record, ReadFile(args.record_file, "record"));
  ASSIGN_OR_RETURN(const std::string receipt, ReadFile(args.receipt_file, "--receipt"));
  ASSIGN_OR_RETURN(const audit::VerifiedReceipt verified, CheckReceipt(receipt, key, args.origin));
  const std::string entry(verified.entry.begin(), verified.entry.end());
  absl::StatusOr<std::vector<JsonMember>> members = ParseJsonObject(entry);
  if (!members.ok() || MemberText(*members, "operation") != "KeyDestroyed") {
    return NotValid("invalid record: the receipt's entry is not a destruction record entry");
  }
  const uint8_t* bytes = reinterpret_cast<const uint8_t*>(record.data());
  ASSIGN_OR_RETURN(const hsm::Bytes digest,
                   hsm::SoftwareDigest(hsm::DigestAlgorithm::kSha256,
                                       absl::MakeConstSpan(bytes, record.size())));
  const std::string hex = absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
  if (MemberText(*members, "response_digest") != hex) {
    return NotValid(
        "invalid record: its SHA-256 is not the digest the audit entry carries (the record was "
        "altered, or belongs to another entry)");
  }
  return WriteFile(
      "-",
      output == OutputFormat::kJson
          ? VerifiedReceiptJson(verified)
          : absl::StrCat("destruction record valid: ", MemberText(*members, "purpose"), " of ",
                         MemberText(*members, "key"), ", audit entry ", verified.index, "\n"),
      OutputSecrecy::kPublic);
}

void AddIdOption(CLI::App* command, int64_t* id) {
  command->add_option("ID", *id, "the destruction request's number")
      ->required()
      ->check(CLI::Range(int64_t{1}, std::numeric_limits<int64_t>::max()));
}

// A subcommand taking only an ID, calling `rpc`.
void AddIdCommand(CLI::App* destroy, const CommandRegistry& registry, const char* name,
                  const char* help, DestructionRpc<v1::DestructionIdRequest> rpc) {
  auto id = std::make_shared<int64_t>(0);
  CLI::App* command = destroy->add_subcommand(name, help);
  AddIdOption(command, id.get());
  OnSelected(command, registry, [globals = registry.globals, id, rpc] {
    v1::DestructionIdRequest request;
    request.set_id(*id);
    return CallAndPrint(*globals, request, rpc);
  });
}

}  // namespace

void AddDestructionCommands(CLI::App* parent, const CommandRegistry& registry) {
  CLI::App* destroy = parent->add_subcommand(
      "destroy",
      "supervised destruction: request, approve (another key officer), witness (a destruction "
      "supervisor), then the server destroys the material after the waiting period");
  destroy->require_subcommand(1);

  auto request_args = std::make_shared<RequestArgs>();
  CLI::App* request = destroy->add_subcommand(
      "request",
      "ask for the destruction of a key version (or, without :VERSION, of every "
      "version of the key)");
  request->add_option("KEY", request_args->key, "DEPT/NAME or DEPT/NAME:VERSION")->required();
  request->add_option("--reason", request_args->reason, "why (goes into the record)")->required();
  OnSelected(request, registry, [globals = registry.globals, request_args] {
    v1::RequestDestructionRequest message;
    message.set_name(request_args->key);
    message.set_reason(request_args->reason);
    return CallAndPrint(*globals, message, &Stub::RequestDestruction);
  });

  AddIdCommand(destroy, registry, "approve",
               "approve a pending request (key officers of the key's department, not the "
               "requester; core keys need two)",
               &Stub::ApproveDestruction);
  AddIdCommand(destroy, registry, "witness",
               "witness an approved request (destruction supervisors who took no other part); "
               "the waiting period starts",
               &Stub::WitnessDestruction);

  auto cancel_args = std::make_shared<CancelArgs>();
  CLI::App* cancel =
      destroy->add_subcommand("cancel", "cancel a request before the server begins destroying");
  AddIdOption(cancel, &cancel_args->id);
  cancel->add_option("--reason", cancel_args->reason, "why (recorded with the request)");
  OnSelected(cancel, registry, [globals = registry.globals, cancel_args] {
    v1::CancelDestructionRequest message;
    message.set_id(cancel_args->id);
    message.set_reason(cancel_args->reason);
    return CallAndPrint(*globals, message, &Stub::CancelDestruction);
  });

  auto show_args = std::make_shared<ShowArgs>();
  CLI::App* show = destroy->add_subcommand("show", "show a request and where it stands");
  AddIdOption(show, &show_args->id);
  show->add_option("--record-out", show_args->record_out,
                   "save the destruction record (JSON) here once destroyed");
  show->add_option("--receipt-out", show_args->receipt_out,
                   "save the record's audit receipt here (check both with verify-record)");
  OnSelected(show, registry,
             [globals = registry.globals, show_args] { return RunShow(*globals, *show_args); });

  auto filter = std::make_shared<v1::ListDestructionsRequest>();
  CLI::App* list = destroy->add_subcommand("list", "list destruction requests you may see");
  list->add_option("--key", *filter->mutable_key(), "of this key (DEPT/NAME)");
  list->add_option("--department", *filter->mutable_department(), "of this department's keys");
  list->add_option("--state", *filter->mutable_state(),
                   "pending, approved, scheduled, destroying, destroyed or cancelled");
  OnSelected(list, registry,
             [globals = registry.globals, filter] { return RunList(*globals, *filter); });

  auto verify_args = std::make_shared<VerifyRecordArgs>();
  CLI::App* verify = destroy->add_subcommand(
      "verify-record",
      "check a saved destruction record and its receipt offline (exit 1 if invalid)");
  verify->add_option("RECORD", verify_args->record_file, "the record (from show --record-out)")
      ->required();
  verify->add_option("--receipt", verify_args->receipt_file, "its receipt (show --receipt-out)")
      ->required();
  CLI::Option* log_key = verify->add_option("--log-key", verify_args->log_key_file,
                                            "the log's public key, PEM (audit log-key --out)");
  verify->add_option("--verifier-key", verify_args->verifier_key, "or the log's C2SP verifier key")
      ->excludes(log_key);
  verify->add_option("--origin", verify_args->origin, "the log's origin (as for receipt verify)");
  OnSelected(verify, registry, [globals = registry.globals, verify_args] {
    return RunVerifyRecord(*globals, *verify_args);
  });
}

}  // namespace yinjian::cli
