#include "cli/key_commands.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "cli/command_env.h"
#include "cli/destruction_commands.h"
#include "cli/key_import_command.h"
#include "cli/key_kind_names.h"
#include "cli/key_lifecycle_commands.h"
#include "cli/key_output.h"
#include "cli/key_policy_flags.h"
#include "cli/receipt_capture.h"
#include "cli/rotation_period.h"
#include "common/status_macros.h"
#include "yinjian/v1/keys.grpc.pb.h"

namespace yinjian::cli {
namespace {

struct CreateKeyArgs {
  std::string name;
  std::string kind;
  std::string protection;
  std::string description;
  std::string rotation_period;  // empty: not given
  KeyPolicyFlags policy;
  ReceiptOptions receipt;
};

struct SetPolicyArgs {
  std::string name;
  KeyPolicyFlags policy;
  ReceiptOptions receipt;
};

absl::StatusOr<v1::CreateKeyRequest> BuildCreateRequest(const CreateKeyArgs& args) {
  v1::CreateKeyRequest request;
  request.set_name(args.name);
  ASSIGN_OR_RETURN(const v1::KeyKind kind, KeyKindFromName(args.kind));
  request.set_kind(kind);
  if (!args.protection.empty()) {
    ASSIGN_OR_RETURN(const v1::ProtectionLevel level, ProtectionLevelFromName(args.protection));
    request.set_protection_level(level);
  }
  request.set_description(args.description);
  if (AnyPolicyFlag(args.policy)) {
    ASSIGN_OR_RETURN(*request.mutable_policy(), BuildKeyPolicy(args.policy));
  }
  if (!args.rotation_period.empty()) {
    ASSIGN_OR_RETURN(*request.mutable_rotation_period(),
                     ParseRotationPeriod("--rotation-period", args.rotation_period));
  }
  return request;
}

absl::Status RunCreate(const GlobalOptions& globals, const CreateKeyArgs& args) {
  // Flags are checked before any connection is made.
  ASSIGN_OR_RETURN(const v1::CreateKeyRequest request, BuildCreateRequest(args));
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals, args.receipt));
  auto stub = v1::KeyManagementService::NewStub(env.channel());
  v1::Key response;
  RETURN_IF_ERROR(env.Call(
      [&](grpc::ClientContext* context) { return stub->CreateKey(context, request, &response); }));
  return PrintKey(env.output(), response);
}

absl::Status RunSetPolicy(const GlobalOptions& globals, const SetPolicyArgs& args) {
  v1::SetKeyPolicyRequest request;
  request.set_name(args.name);
  ASSIGN_OR_RETURN(*request.mutable_policy(), BuildKeyPolicy(args.policy));
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals, args.receipt));
  auto stub = v1::KeyManagementService::NewStub(env.channel());
  v1::Key response;
  RETURN_IF_ERROR(env.Call([&](grpc::ClientContext* context) {
    return stub->SetKeyPolicy(context, request, &response);
  }));
  return PrintKey(env.output(), response);
}

absl::Status RunShow(const GlobalOptions& globals, const std::string& name) {
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals));
  auto stub = v1::KeyManagementService::NewStub(env.channel());
  v1::GetKeyRequest request;
  request.set_name(name);
  v1::Key response;
  RETURN_IF_ERROR(env.Call(
      [&](grpc::ClientContext* context) { return stub->GetKey(context, request, &response); }));
  return PrintKey(env.output(), response);
}

absl::Status RunList(const GlobalOptions& globals, const std::string& department) {
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals));
  auto stub = v1::KeyManagementService::NewStub(env.channel());
  v1::ListKeysRequest request;
  request.set_department(department);
  v1::ListKeysResponse response;
  RETURN_IF_ERROR(env.Call(
      [&](grpc::ClientContext* context) { return stub->ListKeys(context, request, &response); }));
  return Print(env.output(), response, KeyTable(response.keys()));
}

void AddCreate(CLI::App* key, const CommandRegistry& registry) {
  auto args = std::make_shared<CreateKeyArgs>();
  CLI::App* create = key->add_subcommand("create", "create a key (its version 1 is primary)");
  create->add_option("DEPT/NAME", args->name, "the new key's name")->required();
  create->add_option("--kind", args->kind, "one of: " + absl::StrJoin(KeyKindNames(), ", "))
      ->required();
  create->add_option("--protection", args->protection,
                     "hsm or software (default: hsm where the token supports the kind)");
  create->add_option("--description", args->description, "what the key is for");
  create->add_option("--rotation-period", args->rotation_period,
                     "rotate automatically this often, e.g. 90d, 12h, 1d12h (default: 0, never)");
  AddKeyPolicyOptions(create, &args->policy);
  AddReceiptOptions(create, &args->receipt);
  OnSelected(create, registry,
             [globals = registry.globals, args] { return RunCreate(*globals, *args); });
}

void AddSetPolicy(CLI::App* key, const CommandRegistry& registry) {
  auto args = std::make_shared<SetPolicyArgs>();
  CLI::App* set_policy = key->add_subcommand(
      "set-policy",
      "replace a key's policy; every flag not given takes its default (general, none, every "
      "operation, any purpose), whatever the key had before");
  set_policy->add_option("DEPT/NAME", args->name, "the key")->required();
  AddKeyPolicyOptions(set_policy, &args->policy);
  AddReceiptOptions(set_policy, &args->receipt);
  OnSelected(set_policy, registry,
             [globals = registry.globals, args] { return RunSetPolicy(*globals, *args); });
}

}  // namespace

void AddKeyCommands(CLI::App& app, const CommandRegistry& registry) {
  CLI::App* key = app.add_subcommand("key",
                                     "create, import, list and show keys, set their policy, rotate "
                                     "them and manage their versions");
  key->require_subcommand(1);
  AddCreate(key, registry);
  AddKeyImportCommand(key, registry);
  AddSetPolicy(key, registry);
  AddKeyLifecycleCommands(key, registry);
  AddDestructionCommands(key, registry);

  auto department = std::make_shared<std::string>();
  CLI::App* list = key->add_subcommand("list", "list a department's keys");
  list->add_option("DEPT", *department, "the department")->required();
  OnSelected(list, registry,
             [globals = registry.globals, department] { return RunList(*globals, *department); });

  auto name = std::make_shared<std::string>();
  CLI::App* show = key->add_subcommand(
      "show", "show a key, its policy, its rotation and decrypt settings and its versions");
  show->add_option("DEPT/NAME", *name, "the key")->required();
  OnSelected(show, registry,
             [globals = registry.globals, name] { return RunShow(*globals, *name); });
}

}  // namespace yinjian::cli
