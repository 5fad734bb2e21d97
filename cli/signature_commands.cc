#include "cli/signature_commands.h"

#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include "cli/result_writer.h"
#include "common/status_macros.h"
#include "yinjian/v1/crypto.grpc.pb.h"

namespace yinjian::cli {
namespace {

struct SignatureArgs {
  std::string key;
  std::string in;
  std::string out;  // sign: the signature; pubkey: the PEM
  std::string signature_file;
  bool input_is_digest = false;
  std::string purpose;
  int version = 0;
  ReceiptOptions receipt;
};

// Puts the input into `request` as a message or, with --digest, as a precomputed digest.
template <typename Request>
absl::Status FillInput(const SignatureArgs& args, Request* request) {
  ASSIGN_OR_RETURN(std::string input, ReadFile(args.in, "--in"));
  if (args.input_is_digest) {
    request->set_digest(std::move(input));
  } else {
    request->set_message(std::move(input));
  }
  return absl::OkStatus();
}

absl::Status RunSign(const GlobalOptions& globals, const SignatureArgs& args) {
  v1::SignRequest request;
  request.set_key(args.key);
  request.set_purpose(args.purpose);
  RETURN_IF_ERROR(FillInput(args, &request));
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals, args.receipt));
  auto stub = v1::CryptoService::NewStub(env.channel());
  v1::SignResponse response;
  RETURN_IF_ERROR(env.Call(
      [&](grpc::ClientContext* context) { return stub->Sign(context, request, &response); }));
  const std::string signature = std::move(*response.mutable_signature());
  response.clear_signature();
  return WriteResult(env, args.out, signature, OutputSecrecy::kPublic, response,
                     KeyVersionTable(response.key_version()));
}

absl::Status RunVerify(const GlobalOptions& globals, const SignatureArgs& args) {
  v1::VerifyRequest request;
  request.set_key(args.key);
  request.set_purpose(args.purpose);
  ASSIGN_OR_RETURN(*request.mutable_signature(), ReadFile(args.signature_file, "--sig"));
  RETURN_IF_ERROR(FillInput(args, &request));
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals, args.receipt));
  auto stub = v1::CryptoService::NewStub(env.channel());
  v1::VerifyResponse response;
  RETURN_IF_ERROR(env.Call(
      [&](grpc::ClientContext* context) { return stub->Verify(context, request, &response); }));
  Table table = KeyVersionTable(response.key_version());
  table.header.push_back("VALID");
  table.rows[0].push_back(response.valid() ? "yes" : "no");
  RETURN_IF_ERROR(Print(env.output(), response, table));
  return response.valid() ? absl::OkStatus() : NotValid("signature is NOT valid");
}

absl::Status RunPublicKey(const GlobalOptions& globals, const SignatureArgs& args) {
  v1::GetPublicKeyRequest request;
  ASSIGN_OR_RETURN(*request.mutable_key(), KeyWithVersion(args.key, args.version));
  request.set_purpose(args.purpose);
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals, args.receipt));
  auto stub = v1::CryptoService::NewStub(env.channel());
  v1::GetPublicKeyResponse response;
  RETURN_IF_ERROR(env.Call([&](grpc::ClientContext* context) {
    return stub->GetPublicKey(context, request, &response);
  }));
  if (args.out.empty()) {
    // The PEM is the useful output; JSON carries it as a field.
    if (env.output() == OutputFormat::kJson) return Print(env.output(), response, Table());
    return WriteFile("-", response.pem(), OutputSecrecy::kPublic);
  }
  const std::string pem = std::move(*response.mutable_pem());
  response.clear_pem();
  return WriteResult(env, args.out, pem, OutputSecrecy::kPublic, response,
                     KeyVersionTable(response.key_version()));
}

std::shared_ptr<SignatureArgs> AddSigningInput(CLI::App* command, const CommandRegistry& registry,
                                               absl::Status (*run)(const GlobalOptions&,
                                                                   const SignatureArgs&)) {
  auto args = std::make_shared<SignatureArgs>();
  command->add_option("KEY", args->key, "DEPT/NAME or DEPT/NAME:VERSION")->required();
  command->add_option("--in", args->in, "the message, - for stdin")->required();
  command->add_flag("--digest", args->input_is_digest,
                    "--in holds a digest computed with the key's hash (ECDSA and RSA kinds)");
  AddPurposeOption(command, &args->purpose);
  AddReceiptOptions(command, &args->receipt);
  OnSelected(command, registry,
             [globals = registry.globals, args, run] { return run(*globals, *args); });
  return args;
}

}  // namespace

void AddSignatureCommands(CLI::App& app, const CommandRegistry& registry) {
  CLI::App* sign = app.add_subcommand("sign", "sign a message or digest");
  auto sign_args = AddSigningInput(sign, registry, RunSign);
  sign->add_option("--out", sign_args->out, "signature file, - for stdout")->required();

  CLI::App* verify = app.add_subcommand("verify", "check a signature (exit 1 if not valid)");
  auto verify_args = AddSigningInput(verify, registry, RunVerify);
  verify->add_option("--sig", verify_args->signature_file, "the signature file")->required();

  auto pubkey_args = std::make_shared<SignatureArgs>();
  CLI::App* pubkey = app.add_subcommand("pubkey", "get a key version's public key (PEM)");
  pubkey->add_option("KEY", pubkey_args->key, "DEPT/NAME or DEPT/NAME:VERSION")->required();
  pubkey->add_option("--version", pubkey_args->version, "the key version (default: primary)")
      ->check(CLI::Range(1, std::numeric_limits<int32_t>::max()));
  pubkey->add_option("--out", pubkey_args->out, "write the PEM to this file");
  AddPurposeOption(pubkey, &pubkey_args->purpose);
  AddReceiptOptions(pubkey, &pubkey_args->receipt);
  OnSelected(pubkey, registry, [globals = registry.globals, pubkey_args] {
    return RunPublicKey(*globals, *pubkey_args);
  });
}

}  // namespace yinjian::cli
