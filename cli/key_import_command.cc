#include "cli/key_import_command.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "cli/command_env.h"
#include "cli/file_io.h"
#include "cli/key_import.h"
#include "cli/key_kind_names.h"
#include "cli/key_output.h"
#include "cli/key_policy_flags.h"
#include "cli/receipt_capture.h"
#include "cli/status_exit.h"
#include "common/status_macros.h"
#include "yinjian/v1/keys.grpc.pb.h"

namespace yinjian::cli {
namespace {

struct ImportArgs {
  std::string name;
  std::string kind;
  std::string material_path;
  std::string description;
  bool new_version = false;
  KeyPolicyFlags policy;
  ReceiptOptions receipt;
};

// What is known before any connection is made: the flags and the material, checked.
struct PreparedImport {
  std::string department;
  v1::KeyKind kind = v1::KEY_KIND_UNSPECIFIED;
  v1::KeyPolicy policy;
  bool has_policy = false;
  ImportMaterial material;
};

absl::StatusOr<std::string> DepartmentOf(const std::string& name) {
  const size_t slash = name.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == name.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("key name \"", name, "\" is not DEPT/NAME (e.g. hr/payroll)"));
  }
  return name.substr(0, slash);
}

absl::StatusOr<ImportMaterial> LoadMaterial(v1::KeyKind kind, const std::string& path) {
  ASSIGN_OR_RETURN(std::string file, ReadFile(path, "material"));
  absl::StatusOr<ImportMaterial> material = ReadImportMaterial(kind, file);
  Wipe(&file);
  return material;
}

absl::StatusOr<PreparedImport> Prepare(const ImportArgs& args) {
  PreparedImport prepared;
  ASSIGN_OR_RETURN(prepared.department, DepartmentOf(args.name));
  ASSIGN_OR_RETURN(prepared.kind, KeyKindFromName(args.kind));
  RETURN_IF_ERROR(CheckImportableKind(prepared.kind));
  if (args.new_version && (!args.description.empty() || AnyPolicyFlag(args.policy))) {
    return absl::InvalidArgumentError(
        "--description and the policy flags are for a new key, not with --new-version (use "
        "key set-policy)");
  }
  if (AnyPolicyFlag(args.policy)) {
    ASSIGN_OR_RETURN(prepared.policy, BuildKeyPolicy(args.policy));
    prepared.has_policy = true;
  }
  ASSIGN_OR_RETURN(prepared.material, LoadMaterial(prepared.kind, args.material_path));
  return prepared;
}

absl::Status RunImport(const GlobalOptions& globals, const ImportArgs& args) {
  ASSIGN_OR_RETURN(const PreparedImport prepared, Prepare(args));
  // --receipt-out is about the import itself, so GetImportParameters runs in an environment
  // without it; both calls go over that environment's channel.
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals));
  ASSIGN_OR_RETURN(const CommandEnv import_env, CommandEnv::Create(globals, args.receipt));
  auto stub = v1::KeyManagementService::NewStub(env.channel());

  v1::GetImportParametersRequest parameters_request;
  parameters_request.set_department(prepared.department);
  v1::ImportParameters parameters;
  RETURN_IF_ERROR(env.Call([&](grpc::ClientContext* context) {
    return stub->GetImportParameters(context, parameters_request, &parameters);
  }));
  absl::StatusOr<std::string> wrapped = WrapForImport(
      parameters.public_key_pem(), parameters.oaep_hash(), prepared.material.material);
  if (!wrapped.ok()) {
    if (wrapped.status().code() != absl::StatusCode::kInvalidArgument) return wrapped.status();
    return BadServerAnswer(absl::StrCat("the import parameters of ", prepared.department,
                                        " are unusable: ", wrapped.status().message()));
  }
  const std::string public_key_der = hsm::ToString(prepared.material.public_key_der);

  v1::Key response;
  if (args.new_version) {
    v1::ImportKeyVersionRequest request;
    request.set_name(args.name);
    request.set_wrapped_key_material(*wrapped);
    request.set_public_key_der(public_key_der);
    RETURN_IF_ERROR(import_env.Call([&](grpc::ClientContext* context) {
      return stub->ImportKeyVersion(context, request, &response);
    }));
  } else {
    v1::ImportKeyRequest request;
    request.set_name(args.name);
    request.set_kind(prepared.kind);
    request.set_description(args.description);
    if (prepared.has_policy) *request.mutable_policy() = prepared.policy;
    request.set_wrapped_key_material(*wrapped);
    request.set_public_key_der(public_key_der);
    RETURN_IF_ERROR(import_env.Call([&](grpc::ClientContext* context) {
      return stub->ImportKey(context, request, &response);
    }));
  }
  return PrintKey(import_env.output(), response);
}

}  // namespace

void AddKeyImportCommand(CLI::App* key, const CommandRegistry& registry) {
  auto args = std::make_shared<ImportArgs>();
  CLI::App* import = key->add_subcommand(
      "import",
      "create a key from your own key material (its version 1), or with --new-version add a new "
      "primary version to an imported key; the material is wrapped for the department's import "
      "key before it leaves this machine");
  import->add_option("DEPT/NAME", args->name, "the key")->required();
  import
      ->add_option("--kind", args->kind,
                   "aes256-gcm, hmac-sha256, hmac-sha384, ecdsa-p256, ecdsa-p384, "
                   "rsa-pss-{2048,3072,4096} or rsa-pkcs1-{2048,3072,4096}; with --new-version, "
                   "the existing key's kind")
      ->required();
  import
      ->add_option("--material", args->material_path,
                   "the key: raw bytes for aes256-gcm and hmac-* (32, 32, 48 bytes), an "
                   "unencrypted PEM private key otherwise; - for stdin")
      ->required();
  import->add_option("--description", args->description, "what the key is for (new keys only)");
  import->add_flag("--new-version", args->new_version,
                   "import a new primary version of an existing imported key instead");
  AddKeyPolicyOptions(import, &args->policy);
  AddReceiptOptions(import, &args->receipt);
  OnSelected(import, registry,
             [globals = registry.globals, args] { return RunImport(*globals, *args); });
}

}  // namespace yinjian::cli
