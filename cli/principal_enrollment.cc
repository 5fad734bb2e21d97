#include "cli/principal_enrollment.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/access_names.h"
#include "cli/access_output.h"
#include "cli/certificate_signing_request.h"
#include "cli/command_env.h"
#include "cli/credential_files.h"
#include "cli/file_io.h"
#include "common/status_macros.h"
#include "service/pki/certificate_info.h"
#include "service/pki/pem_codec.h"
#include "yinjian/v1/access.grpc.pb.h"

namespace yinjian::cli {
namespace {

struct EnrollArgs {
  std::string principal;
  std::string department;          // add only
  std::vector<std::string> roles;  // add only
  std::string certificate_file;
  std::string out_dir;
  int validity_days = 0;
};

// The certificate to bind, as the request carries it: a PEM the caller brought, or a CSR for a
// key made here (kept until the certificate comes back).
struct CertificateSource {
  std::string certificate_pem;
  std::optional<KeyAndCsr> new_key;
};

// With --out-dir, the directory is made ready and the key generated. `paths_known`: the file
// names are NAME.* and can be checked now; otherwise (add-cert) they hold the fingerprint and
// are checked as they are written.
absl::StatusOr<CertificateSource> PrepareSource(const EnrollArgs& args, bool paths_known) {
  if (args.certificate_file.empty() == args.out_dir.empty()) {
    return absl::InvalidArgumentError("give exactly one of --certificate FILE and --out-dir DIR");
  }
  CertificateSource source;
  if (!args.certificate_file.empty()) {
    ASSIGN_OR_RETURN(source.certificate_pem, ReadFile(args.certificate_file, "--certificate"));
    // Checked here so a wrong file is a local error, not a round trip.
    if (absl::Status parsed = pki::InspectCertificate(source.certificate_pem).status();
        !parsed.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--certificate ", args.certificate_file, ": ", parsed.message()));
    }
    return source;
  }
  // Both check NAME (as a file name, as a certificate name) before anything is created.
  ASSIGN_OR_RETURN(const CredentialPaths paths, CredentialPathsFor(args.out_dir, args.principal));
  ASSIGN_OR_RETURN(source.new_key, GenerateKeyAndCsr(args.principal));
  RETURN_IF_ERROR(EnsureCredentialDirectory(args.out_dir));
  if (paths_known) RETURN_IF_ERROR(CheckCredentialPathsFree(paths));
  return source;
}

// The rows printed after the result: the fingerprint, then any files written.
Table CredentialRows(const std::string& fingerprint, const CredentialPaths* paths) {
  Table rows{.rows = {{"fingerprint", fingerprint}}};
  if (paths != nullptr) {
    rows.rows.push_back({"key", paths->key});
    rows.rows.push_back({"certificate", paths->certificate});
    rows.rows.push_back({"profile", paths->profile});
  }
  return rows;
}

// Checks the issued certificate against the new key and writes key, certificate and profile
// under `base` (NAME or NAME-<fingerprint prefix>) in --out-dir; returns the rows to print.
absl::StatusOr<Table> SaveNewCredential(const CommandEnv& env, const EnrollArgs& args,
                                        const KeyAndCsr& new_key, absl::string_view base,
                                        const std::string& certificate_pem,
                                        const std::string& fingerprint) {
  RETURN_IF_ERROR(CheckCertificateMatchesKey(certificate_pem, new_key.key.get()));
  ASSIGN_OR_RETURN(const CredentialPaths paths, CredentialPathsFor(args.out_dir, base));
  ASSIGN_OR_RETURN(const hsm::SecureBytes key_pem, pki::PrivateKeyToPkcs8Pem(new_key.key.get()));
  const absl::Status written =
      WriteCredentialFiles(paths, key_pem, certificate_pem,
                           ProfileForCredential(env.profile(), paths, args.principal),
                           args.principal);
  if (!written.ok()) {
    return absl::Status(
        written.code(),
        absl::StrCat("certificate ", fingerprint, " was issued, but its files were not all "
                     "written (", written.message(), "); revoke it with `yinjianctl principal "
                     "revoke-cert ", fingerprint, "` and try again"));
  }
  return CredentialRows(fingerprint, &paths);
}

// The fingerprint of what the server bound: its PEM if it sent one back, else what we sent.
absl::StatusOr<std::string> BoundFingerprint(const std::string& returned_pem,
                                             const CertificateSource& source) {
  ASSIGN_OR_RETURN(const pki::CertificateInfo info,
                   pki::InspectCertificate(returned_pem.empty() ? source.certificate_pem
                                                                : returned_pem));
  return info.fingerprint_sha256;
}

absl::Status RunAdd(const GlobalOptions& globals, const EnrollArgs& args) {
  v1::AddPrincipalRequest request;
  request.set_name(args.principal);
  request.set_department(args.department);
  ASSIGN_OR_RETURN(const std::vector<std::string> roles,
                   CheckNames("role", args.roles, RoleNames()));
  request.mutable_roles()->Assign(roles.begin(), roles.end());
  request.set_validity_days(args.validity_days);
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals));
  ASSIGN_OR_RETURN(const CertificateSource source, PrepareSource(args, /*paths_known=*/true));
  request.set_certificate_pem(source.certificate_pem);
  if (source.new_key.has_value()) request.set_csr_pem(source.new_key->csr_pem);

  auto stub = v1::AccessService::NewStub(env.channel());
  v1::AddPrincipalResponse response;
  RETURN_IF_ERROR(env.Call([&](grpc::ClientContext* context) {
    return stub->AddPrincipal(context, request, &response);
  }));
  ASSIGN_OR_RETURN(const std::string fingerprint,
                   BoundFingerprint(response.certificate_pem(), source));
  Table rows = CredentialRows(fingerprint, nullptr);
  if (source.new_key.has_value()) {
    ASSIGN_OR_RETURN(rows, SaveNewCredential(env, args, *source.new_key, args.principal,
                                             response.certificate_pem(), fingerprint));
  }
  return PrintText(env.output(), response,
                   absl::StrCat(RenderTable(PrincipalTable(response.principal())), "\n",
                                RenderTable(rows)));
}

absl::Status RunAddCertificate(const GlobalOptions& globals, const EnrollArgs& args) {
  v1::AddCertificateRequest request;
  request.set_principal(args.principal);
  request.set_validity_days(args.validity_days);
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals));
  ASSIGN_OR_RETURN(const CertificateSource source, PrepareSource(args, /*paths_known=*/false));
  request.set_certificate_pem(source.certificate_pem);
  if (source.new_key.has_value()) request.set_csr_pem(source.new_key->csr_pem);

  auto stub = v1::AccessService::NewStub(env.channel());
  v1::AddCertificateResponse response;
  RETURN_IF_ERROR(env.Call([&](grpc::ClientContext* context) {
    return stub->AddCertificate(context, request, &response);
  }));
  ASSIGN_OR_RETURN(const std::string fingerprint,
                   BoundFingerprint(response.certificate_pem(), source));
  Table rows = CredentialRows(fingerprint, nullptr);
  if (source.new_key.has_value()) {
    const std::string base = absl::StrCat(args.principal, "-", fingerprint.substr(0, 8));
    ASSIGN_OR_RETURN(rows, SaveNewCredential(env, args, *source.new_key, base,
                                             response.certificate_pem(), fingerprint));
  }
  return PrintText(env.output(), response,
                   absl::StrCat(RenderTable(CertificateTable(response.certificate())), "\n",
                                RenderTable(rows)));
}

// --certificate, --out-dir and --validity-days, shared by both commands.
void AddSourceOptions(CLI::App* command, EnrollArgs* args, const char* files) {
  CLI::Option* certificate = command->add_option(
      "--certificate", args->certificate_file,
      "bind this certificate (PEM, from your own CA) as it is");
  CLI::Option* out_dir =
      command
          ->add_option("--out-dir", args->out_dir,
                       std::string("generate a P-256 key here and have the server's CA certify "
                                   "it; writes ") +
                           files + " (never overwriting; the directory is created 0700 if missing)")
          ->excludes(certificate);
  command
      ->add_option("--validity-days", args->validity_days,
                   "with --out-dir: how long the issued certificate is valid (server default 365)")
      ->check(CLI::Range(1, 36500))
      ->needs(out_dir);
}

}  // namespace

void AddPrincipalEnrollmentCommands(CLI::App* principal, const CommandRegistry& registry) {
  auto add_args = std::make_shared<EnrollArgs>();
  CLI::App* add = principal->add_subcommand(
      "add", "add a principal of a department with its roles and a certificate");
  add->add_option("NAME", add_args->principal, "the new principal's name")->required();
  add->add_option("--department", add_args->department, "its department")->required();
  add->add_option("--role", add_args->roles,
                  "a role; repeat for more. One of: " + absl::StrJoin(RoleNames(), ", "))
      ->required()
      ->allow_extra_args(false);
  AddSourceOptions(add, add_args.get(), "DIR/NAME.key (mode 0600), DIR/NAME.crt, DIR/NAME.profile");
  OnSelected(add, registry,
             [globals = registry.globals, add_args] { return RunAdd(*globals, *add_args); });

  auto cert_args = std::make_shared<EnrollArgs>();
  CLI::App* add_cert = principal->add_subcommand(
      "add-cert", "bind another certificate to a principal (renewal; the old one stays valid)");
  add_cert->add_option("NAME", cert_args->principal, "the principal")->required();
  AddSourceOptions(add_cert, cert_args.get(),
                   "DIR/NAME-FP8.key (mode 0600), .crt and .profile, FP8 being the first 8 hex "
                   "digits of the new certificate's fingerprint");
  OnSelected(add_cert, registry, [globals = registry.globals, cert_args] {
    return RunAddCertificate(*globals, *cert_args);
  });
}

}  // namespace yinjian::cli
