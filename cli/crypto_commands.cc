#include "cli/crypto_commands.h"

#include <memory>
#include <string>
#include <vector>

#include "cli/context_flags.h"
#include "cli/result_writer.h"
#include "common/status_macros.h"
#include "yinjian/v1/crypto.grpc.pb.h"

namespace yinjian::cli {
namespace {

struct CryptoArgs {
  std::string key;
  std::string in;
  std::string out;
  std::vector<std::string> context;
  std::string purpose;
  std::string mac_hex;   // verify-mac --mac
  std::string mac_file;  // verify-mac --mac-file
  ReceiptOptions receipt;
};

template <typename Map>
absl::Status FillContext(const std::vector<std::string>& flags, Map* context) {
  ASSIGN_OR_RETURN(const auto parsed, ParseContextFlags(flags));
  context->insert(parsed.begin(), parsed.end());
  return absl::OkStatus();
}

absl::Status RunEncrypt(const GlobalOptions& globals, const CryptoArgs& args) {
  v1::EncryptRequest request;
  request.set_key(args.key);
  request.set_purpose(args.purpose);
  RETURN_IF_ERROR(FillContext(args.context, request.mutable_context()));
  ASSIGN_OR_RETURN(*request.mutable_plaintext(), ReadFile(args.in, "--in"));
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals, args.receipt));
  auto stub = v1::CryptoService::NewStub(env.channel());
  v1::EncryptResponse response;
  const absl::Status called = env.Call(
      [&](grpc::ClientContext* context) { return stub->Encrypt(context, request, &response); });
  Wipe(request.mutable_plaintext());
  RETURN_IF_ERROR(called);
  const std::string ciphertext = std::move(*response.mutable_ciphertext());
  response.clear_ciphertext();
  return WriteResult(env, args.out, ciphertext, OutputSecrecy::kPublic, response,
                     KeyVersionTable(response.key_version()));
}

absl::Status RunDecrypt(const GlobalOptions& globals, const CryptoArgs& args) {
  v1::DecryptRequest request;
  request.set_purpose(args.purpose);
  RETURN_IF_ERROR(FillContext(args.context, request.mutable_context()));
  ASSIGN_OR_RETURN(*request.mutable_ciphertext(), ReadFile(args.in, "--in"));
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals, args.receipt));
  auto stub = v1::CryptoService::NewStub(env.channel());
  v1::DecryptResponse response;
  RETURN_IF_ERROR(env.Call(
      [&](grpc::ClientContext* context) { return stub->Decrypt(context, request, &response); }));
  std::string plaintext = std::move(*response.mutable_plaintext());
  Wipe(response.mutable_plaintext());
  const absl::Status written = WriteResult(env, args.out, plaintext, OutputSecrecy::kSecret,
                                           response, KeyVersionTable(response.key_version()));
  Wipe(&plaintext);
  return written;
}

absl::Status RunMac(const GlobalOptions& globals, const CryptoArgs& args) {
  v1::MacRequest request;
  request.set_key(args.key);
  request.set_purpose(args.purpose);
  ASSIGN_OR_RETURN(*request.mutable_message(), ReadFile(args.in, "--in"));
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals, args.receipt));
  auto stub = v1::CryptoService::NewStub(env.channel());
  v1::MacResponse response;
  RETURN_IF_ERROR(env.Call(
      [&](grpc::ClientContext* context) { return stub->Mac(context, request, &response); }));
  if (args.out.empty()) {
    return Print(env.output(), response, Table{.rows = {{ToHex(response.mac())}}});
  }
  const std::string mac = std::move(*response.mutable_mac());
  response.clear_mac();
  return WriteResult(env, args.out, mac, OutputSecrecy::kPublic, response,
                     KeyVersionTable(response.key_version()));
}

// The MAC to check: hex from --mac, or --mac-file holding the raw bytes `mac --out` writes or
// the hex `mac` prints.
absl::StatusOr<std::string> ExpectedMac(const CryptoArgs& args) {
  if (args.mac_hex.empty() == args.mac_file.empty()) {
    return absl::InvalidArgumentError("give exactly one of --mac HEX and --mac-file FILE");
  }
  if (!args.mac_hex.empty()) return FromHex(args.mac_hex);
  ASSIGN_OR_RETURN(std::string contents, ReadFile(args.mac_file, "--mac-file"));
  absl::StatusOr<std::string> from_hex = FromHex(contents);
  return from_hex.ok() ? *std::move(from_hex) : contents;
}

Table VerdictTable(const v1::KeyVersionInfo& info, bool valid) {
  Table table = KeyVersionTable(info);
  table.header.push_back("VALID");
  table.rows[0].push_back(valid ? "yes" : "no");
  return table;
}

absl::Status RunVerifyMac(const GlobalOptions& globals, const CryptoArgs& args) {
  v1::VerifyMacRequest request;
  request.set_key(args.key);
  request.set_purpose(args.purpose);
  ASSIGN_OR_RETURN(*request.mutable_mac(), ExpectedMac(args));
  ASSIGN_OR_RETURN(*request.mutable_message(), ReadFile(args.in, "--in"));
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals, args.receipt));
  auto stub = v1::CryptoService::NewStub(env.channel());
  v1::VerifyMacResponse response;
  RETURN_IF_ERROR(env.Call(
      [&](grpc::ClientContext* context) { return stub->VerifyMac(context, request, &response); }));
  RETURN_IF_ERROR(
      Print(env.output(), response, VerdictTable(response.key_version(), response.valid())));
  return response.valid() ? absl::OkStatus() : NotValid("MAC is NOT valid");
}

struct NewCommand {
  CLI::App* command;
  std::shared_ptr<CryptoArgs> args;
};

// A command with KEY (if `takes_key`), --in, --purpose and the receipt options, whose action is
// `run`.
NewCommand AddCommand(CLI::App& app, const CommandRegistry& registry, const char* name,
                      const char* help, bool takes_key,
                      absl::Status (*run)(const GlobalOptions&, const CryptoArgs&)) {
  auto args = std::make_shared<CryptoArgs>();
  CLI::App* command = app.add_subcommand(name, help);
  if (takes_key) {
    command->add_option("KEY", args->key, "DEPT/NAME or DEPT/NAME:VERSION")->required();
  }
  command->add_option("--in", args->in, "input file, - for stdin")->required();
  AddPurposeOption(command, &args->purpose);
  AddReceiptOptions(command, &args->receipt);
  OnSelected(command, registry,
             [globals = registry.globals, args, run] { return run(*globals, *args); });
  return {command, args};
}

}  // namespace

void AddCryptoCommands(CLI::App& app, const CommandRegistry& registry) {
  auto [encrypt, encrypt_args] = AddCommand(
      app, registry, "encrypt", "encrypt a file with the key's primary version", true, RunEncrypt);
  encrypt->add_option("--out", encrypt_args->out, "ciphertext file, - for stdout")->required();
  AddContextOption(encrypt, &encrypt_args->context);

  auto [decrypt, decrypt_args] =
      AddCommand(app, registry, "decrypt", "decrypt a file made by encrypt", false, RunDecrypt);
  decrypt->add_option("--out", decrypt_args->out, "plaintext file (mode 0600), - for stdout")
      ->required();
  AddContextOption(decrypt, &decrypt_args->context);

  auto [mac, mac_args] = AddCommand(app, registry, "mac",
                                    "compute a MAC (printed in hex without --out)", true, RunMac);
  mac->add_option("--out", mac_args->out, "write the raw MAC to this file");

  auto [verify_mac, verify_mac_args] = AddCommand(
      app, registry, "verify-mac", "check a MAC (exit 1 if not valid)", true, RunVerifyMac);
  CLI::Option* hex = verify_mac->add_option("--mac", verify_mac_args->mac_hex, "the MAC in hex");
  verify_mac
      ->add_option("--mac-file", verify_mac_args->mac_file, "file holding the MAC (raw or hex)")
      ->excludes(hex);
}

}  // namespace yinjian::cli
