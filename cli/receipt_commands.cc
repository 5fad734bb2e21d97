#include "cli/receipt_commands.h"

#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "cli/command_env.h"
#include "cli/file_io.h"
#include "cli/output.h"
#include "cli/receipt_check.h"
#include "common/status_macros.h"
#include "yinjian/v1/audit.grpc.pb.h"

namespace yinjian::cli {
namespace {

struct VerifyArgs {
  std::string receipt_file;
  std::string log_key_file;
  std::string verifier_key;
  std::string origin;
};

struct GetArgs {
  int64_t index = 0;
  std::string out;
};

// Offline: reads the files, never the profile, and opens no channel.
absl::Status RunVerify(const GlobalOptions& globals, const VerifyArgs& args) {
  ASSIGN_OR_RETURN(const OutputFormat output, OutputFormatFromName(globals.output));
  ASSIGN_OR_RETURN(const TrustedLogKey key,
                   TrustedLogKeyFromFlags(args.log_key_file, args.verifier_key));
  ASSIGN_OR_RETURN(const std::string receipt, ReadFile(args.receipt_file, "receipt"));
  ASSIGN_OR_RETURN(const audit::VerifiedReceipt verified, CheckReceipt(receipt, key, args.origin));
  return WriteFile(
      "-",
      output == OutputFormat::kJson ? VerifiedReceiptJson(verified) : VerifiedReceiptText(verified),
      OutputSecrecy::kPublic);
}

absl::Status RunGet(const GlobalOptions& globals, const GetArgs& args) {
  if (args.out == "-") return absl::InvalidArgumentError("--out needs a file name (not -)");
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals));
  auto stub = v1::AuditService::NewStub(env.channel());
  v1::GetReceiptRequest request;
  request.set_index(args.index);
  v1::Receipt response;
  RETURN_IF_ERROR(env.Call(
      [&](grpc::ClientContext* context) { return stub->GetReceipt(context, request, &response); }));
  RETURN_IF_ERROR(ReplaceFileAtomically(args.out, response.text(), "--out"));
  response.clear_text();
  return PrintText(
      env.output(), response,
      absl::StrCat("receipt for entry ", response.index(), " saved to ", args.out, "\n"));
}

}  // namespace

void AddReceiptCommands(CLI::App& app, const CommandRegistry& registry) {
  CLI::App* receipt = app.add_subcommand(
      "receipt", "check audit receipts offline (verify) and fetch them from the server (get)");
  receipt->require_subcommand(1);

  auto verify_args = std::make_shared<VerifyArgs>();
  CLI::App* verify = receipt->add_subcommand(
      "verify", "check a receipt offline with the log's public key (exit 1 if invalid)");
  verify->add_option("FILE", verify_args->receipt_file, "the receipt, - for stdin")->required();
  CLI::Option* log_key =
      verify->add_option("--log-key", verify_args->log_key_file,
                         "the log's public key, PEM (as `audit log-key --out` saves it)");
  verify
      ->add_option("--verifier-key", verify_args->verifier_key,
                   "or the log's C2SP verifier key (as `audit log-key` prints it)")
      ->excludes(log_key);
  verify->add_option("--origin", verify_args->origin,
                     "the log's origin (default: the verifier key's name, or for --log-key the "
                     "origin line of the receipt's checkpoint)");
  OnSelected(verify, registry, [globals = registry.globals, verify_args] {
    return RunVerify(*globals, *verify_args);
  });

  auto get_args = std::make_shared<GetArgs>();
  CLI::App* get = receipt->add_subcommand("get", "fetch the receipt of one audit entry");
  get->add_option("INDEX", get_args->index, "the entry's index")
      ->required()
      ->check(CLI::Range(int64_t{0}, std::numeric_limits<int64_t>::max()));
  get->add_option("--out", get_args->out, "save the receipt here (mode 0644)")->required();
  OnSelected(get, registry,
             [globals = registry.globals, get_args] { return RunGet(*globals, *get_args); });
}

}  // namespace yinjian::cli
