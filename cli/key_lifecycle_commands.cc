#include "cli/key_lifecycle_commands.h"

#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include "cli/command_env.h"
#include "cli/key_output.h"
#include "cli/receipt_capture.h"
#include "cli/rotation_period.h"
#include "common/status_macros.h"
#include "yinjian/v1/keys.grpc.pb.h"

namespace yinjian::cli {
namespace {

struct LifecycleArgs {
  std::string name;
  int32_t version = 0;
  std::string period;
  ReceiptOptions receipt;
};

// A KeyManagementService call that answers with the key as it is afterwards.
template <typename Request>
using KeyRpc = grpc::Status (v1::KeyManagementService::Stub::*)(grpc::ClientContext*,
                                                                const Request&, v1::Key*);

template <typename Request>
absl::Status CallAndPrint(const GlobalOptions& globals, const ReceiptOptions& receipt,
                          const Request& request, KeyRpc<Request> rpc) {
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals, receipt));
  auto stub = v1::KeyManagementService::NewStub(env.channel());
  v1::Key response;
  RETURN_IF_ERROR(env.Call(
      [&](grpc::ClientContext* context) { return ((*stub).*rpc)(context, request, &response); }));
  return PrintKey(env.output(), response);
}

// A subcommand of `key` with its DEPT/NAME argument and the receipt options, into `args`.
CLI::App* AddLifecycleCommand(CLI::App* key, const char* name, const char* help,
                              LifecycleArgs* args) {
  CLI::App* command = key->add_subcommand(name, help);
  command->add_option("DEPT/NAME", args->name, "the key")->required();
  AddReceiptOptions(command, &args->receipt);
  return command;
}

// A subcommand taking DEPT/NAME and VERSION (at least `lowest`), calling `rpc`.
template <typename Request>
void AddVersionCommand(CLI::App* key, const CommandRegistry& registry, const char* name,
                       const char* help, const char* version_help, int32_t lowest,
                       KeyRpc<Request> rpc) {
  auto args = std::make_shared<LifecycleArgs>();
  CLI::App* command = AddLifecycleCommand(key, name, help, args.get());
  command->add_option("VERSION", args->version, version_help)
      ->required()
      ->check(CLI::Range(lowest, std::numeric_limits<int32_t>::max()));
  OnSelected(command, registry, [globals = registry.globals, args, rpc] {
    Request request;
    request.set_name(args->name);
    request.set_version(args->version);
    return CallAndPrint(*globals, args->receipt, request, rpc);
  });
}

void AddRotate(CLI::App* key, const CommandRegistry& registry) {
  auto args = std::make_shared<LifecycleArgs>();
  CLI::App* command = AddLifecycleCommand(
      key, "rotate",
      "make a new version the primary one (older versions keep decrypting and verifying); with "
      "a rotation period, the next scheduled rotation is a full period from now",
      args.get());
  OnSelected(command, registry, [globals = registry.globals, args] {
    v1::RotateKeyRequest request;
    request.set_name(args->name);
    return CallAndPrint(*globals, args->receipt, request,
                        &v1::KeyManagementService::Stub::RotateKey);
  });
}

void AddSetRotation(CLI::App* key, const CommandRegistry& registry) {
  auto args = std::make_shared<LifecycleArgs>();
  CLI::App* command = AddLifecycleCommand(
      key, "set-rotation",
      "rotate the key automatically every PERIOD, the first time one PERIOD from now; 0 stops "
      "automatic rotation",
      args.get());
  command->add_option("PERIOD", args->period, "e.g. 90d, 12h, 1d12h (units d, h, m, s), or 0")
      ->required();
  OnSelected(command, registry, [globals = registry.globals, args]() -> absl::Status {
    // The period is checked before any connection is made.
    v1::SetRotationPeriodRequest request;
    request.set_name(args->name);
    ASSIGN_OR_RETURN(*request.mutable_rotation_period(),
                     ParseRotationPeriod("PERIOD", args->period));
    return CallAndPrint(*globals, args->receipt, request,
                        &v1::KeyManagementService::Stub::SetRotationPeriod);
  });
}

}  // namespace

void AddKeyLifecycleCommands(CLI::App* key, const CommandRegistry& registry) {
  using Stub = v1::KeyManagementService::Stub;
  AddRotate(key, registry);
  AddVersionCommand<v1::SetPrimaryVersionRequest>(
      key, registry, "set-primary",
      "make an enabled version the primary one (new encryptions and signatures use it)",
      "the version", 1, &Stub::SetPrimaryVersion);
  AddVersionCommand<v1::KeyVersionRequest>(
      key, registry, "disable-version",
      "disable a version: it refuses every operation until enabled again (not the primary)",
      "the version", 1, &Stub::DisableVersion);
  AddVersionCommand<v1::KeyVersionRequest>(key, registry, "enable-version",
                                           "enable a disabled version again", "the version", 1,
                                           &Stub::EnableVersion);
  AddVersionCommand<v1::SetMinDecryptVersionRequest>(
      key, registry, "set-min-decrypt-version",
      "versions below VERSION refuse decrypt and verify (their ciphertexts and signatures are "
      "retired); 0 lifts the floor",
      "the lowest version that still decrypts and verifies, at most the primary; 0 for none", 0,
      &Stub::SetMinDecryptVersion);
  AddSetRotation(key, registry);
}

}  // namespace yinjian::cli
