#include "cli/backup_commands.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/backup_drill.h"
#include "cli/command_env.h"
#include "cli/file_io.h"
#include "cli/output.h"
#include "cli/status_exit.h"
#include "common/status_macros.h"
#include "service/backup/backup_files.h"
#include "service/backup/restore.h"
#include "service/server/config.h"
#include "service/server/token_set.h"
#include "yinjian/v1/backup.grpc.pb.h"

namespace yinjian::cli {
namespace {

struct CreateArgs {
  int custodians = 0;
  std::vector<std::string> custodian_certificates;  // files
  int threshold = 0;
  std::string out;
  std::string purpose;
};

struct RestoreArgs {
  std::string from;
  std::vector<std::string> shares;
  std::string config;
  std::string module = server::kDefaultModulePath;
};

// Restores and drills fail with exit status 1 and the reason, like a failed verification.
absl::Status Failed(const absl::Status& status) {
  if (status.ok()) return status;
  return NotValid(absl::StrCat(StatusCodeName(status.code()), ": ", status.message()));
}

void PrintProgress(const char* what, int64_t done, int64_t total) {
  if (done == total || done % 100 == 0) {
    std::fprintf(stderr, "%s: %lld of %lld versions\n", what, static_cast<long long>(done),
                 static_cast<long long>(total));
  }
}

// A file name the server may send: a plain name in the backup directory.
bool PlainName(const std::string& name) {
  if (name.empty() || name == "." || name == "..") return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') {
      return false;
    }
  }
  return true;
}

// The directory the files go into: created (0700), or an existing empty one.
absl::Status PrepareOutDir(const std::string& dir) {
  std::error_code error;
  if (std::filesystem::exists(dir, error)) {
    if (!std::filesystem::is_directory(dir, error) || !std::filesystem::is_empty(dir, error)) {
      return absl::FailedPreconditionError(
          absl::StrCat("--out ", dir, " exists and is not an empty directory"));
    }
    return absl::OkStatus();
  }
  if (::mkdir(dir.c_str(), 0700) != 0) {
    return absl::FailedPreconditionError(absl::StrCat("cannot create --out ", dir));
  }
  return absl::OkStatus();
}

// Writes the streamed files; every file is private (0600): shares above all.
class FileSink {
 public:
  explicit FileSink(std::string dir) : dir_(std::move(dir)) {}
  ~FileSink() {
    if (fd_ >= 0) ::close(fd_);
    if (!complete_) {
      for (const std::string& path : written_) ::unlink(path.c_str());
    }
  }

  absl::Status Add(const v1::BackupFileChunk& chunk) {
    if (fd_ < 0) {
      if (!PlainName(chunk.name())) return BadServerAnswer("the server sent a bad file name");
      const std::string path = absl::StrCat(dir_, "/", chunk.name());
      fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd_ < 0) return absl::FailedPreconditionError(absl::StrCat("cannot create ", path));
      written_.push_back(path);
      names_.push_back(chunk.name());
    } else if (chunk.name() != names_.back()) {
      return BadServerAnswer("the server interleaved two files");
    }
    const std::string& data = chunk.data();
    size_t done = 0;
    while (done < data.size()) {
      const ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
      if (n < 0) return absl::DataLossError(absl::StrCat("cannot write ", written_.back()));
      done += size_t(n);
    }
    if (chunk.last()) {
      if (::fsync(fd_) != 0 || ::close(fd_) != 0) {
        fd_ = -1;
        return absl::DataLossError(absl::StrCat("cannot write ", written_.back()));
      }
      fd_ = -1;
    }
    return absl::OkStatus();
  }

  // Whether every file started has ended and the manifest (sent last) is among them.
  bool Whole() const {
    return fd_ < 0 && !names_.empty() && names_.back() == backup::kManifestFile;
  }
  void MarkComplete() { complete_ = true; }
  const std::vector<std::string>& names() const { return names_; }

 private:
  const std::string dir_;
  int fd_ = -1;
  bool complete_ = false;
  std::vector<std::string> written_;
  std::vector<std::string> names_;
};

std::string ManifestText(const v1::BackupManifest& manifest, const std::string& dir,
                         const std::vector<std::string>& files) {
  Table table{
      .rows = {
          {"backup:", manifest.backup_id()},
          {"departments:", absl::StrCat(manifest.departments_size())},
          {"key versions:", absl::StrCat(manifest.versions())},
          {"audit entries:", absl::StrCat(manifest.audit_log_size())},
          {"shares:",
           absl::StrCat(manifest.threshold(), " of ", manifest.custodians(), " needed to restore")},
          {"not included:",
           manifest.not_included().empty() ? "-" : absl::StrJoin(manifest.not_included(), ", ")},
          {"directory:", dir},
          {"files:", absl::StrJoin(files, ", ")},
      }};
  if (manifest.custodian_certificates_sha256_size() > 0) {
    return absl::StrCat(RenderTable(table),
                        "\nEach custodian-<n>.share.cms is sealed for custodian n's certificate: "
                        "give it to them (only they can open it); keep the rest of the "
                        "directory off-site.\n");
  }
  return absl::StrCat(RenderTable(table),
                      "\nGive each custodian-<n>.share to its custodian and delete it from ", dir,
                      "; keep the rest of the directory off-site.\n");
}

absl::Status RunCreate(const GlobalOptions& globals, const CreateArgs& args) {
  if (args.custodians == 0 && args.custodian_certificates.empty()) {
    return absl::InvalidArgumentError("give --custodians N, or a --custodian-cert per custodian");
  }
  v1::CreateBackupRequest request;
  for (const std::string& file : args.custodian_certificates) {
    ASSIGN_OR_RETURN(std::string pem, ReadFile(file, "--custodian-cert"));
    request.add_custodian_certificates(std::move(pem));
  }
  ASSIGN_OR_RETURN(const CommandEnv env, CommandEnv::Create(globals));
  RETURN_IF_ERROR(PrepareOutDir(args.out));
  auto stub = v1::BackupService::NewStub(env.channel());
  request.set_custodians(args.custodians);
  request.set_threshold(args.threshold);
  request.set_purpose(args.purpose);
  grpc::ClientContext context;
  env.PrepareContext(&context);
  // A backup re-wraps every key version: --timeout bounds each wait, not the whole stream.
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::hours(24));
  std::unique_ptr<grpc::ClientReader<v1::CreateBackupResponse>> reader =
      stub->CreateBackup(&context, request);
  FileSink sink(args.out);
  v1::CreateBackupResponse response;
  absl::Status written = absl::OkStatus();
  while (written.ok() && reader->Read(&response)) {
    if (response.has_progress()) {
      PrintProgress("backup", response.progress().versions_done(),
                    response.progress().versions_total());
    } else if (response.has_file()) {
      written = sink.Add(response.file());
    }
  }
  if (!written.ok()) {
    context.TryCancel();
    (void)reader->Finish();
    return written;
  }
  RETURN_IF_ERROR(env.FinishCall(context, reader->Finish()));
  if (!sink.Whole()) return BadServerAnswer("the server ended the backup before its manifest");
  ASSIGN_OR_RETURN(backup::BackupDirectory backup, backup::ReadBackupDirectory(args.out));
  sink.MarkComplete();
  return PrintText(env.output(), backup.manifest,
                   ManifestText(backup.manifest, args.out, sink.names()));
}

std::string ReportText(bool drill, const backup::RestoreReport& report) {
  Table table{.rows = {
                  {"backup:", report.backup_id},
                  {"departments:", absl::StrCat(report.departments)},
                  {"key versions restored:", absl::StrCat(report.versions)},
                  {"audit entries:", absl::StrCat(report.audit_entries)},
                  {"not included:",
                   report.not_included.empty() ? "-" : absl::StrJoin(report.not_included, ", ")},
              }};
  if (drill) {
    table.rows.insert(table.rows.begin() + 3,
                      {"key versions checked:", absl::StrCat(report.versions_checked)});
  }
  return absl::StrCat(drill ? "restore drill" : "restore", " passed\n\n", RenderTable(table));
}

absl::Status PrintReport(const GlobalOptions& globals, bool drill,
                         const backup::RestoreReport& report) {
  ASSIGN_OR_RETURN(const OutputFormat output, OutputFormatFromName(globals.output));
  v1::BackupManifest summary;  // the JSON form: the fields a report has
  summary.set_backup_id(report.backup_id);
  summary.set_versions(report.versions);
  summary.set_audit_log_size(report.audit_entries);
  for (const std::string& name : report.not_included) summary.add_not_included(name);
  return PrintText(output, summary, ReportText(drill, report));
}

// The backup read and checked, and its key rebuilt from the shares: what restores and drills
// start from. Every failure here is the backup's or the shares' (exit status 1).
struct OpenedBackup {
  backup::BackupDirectory backup;
  hsm::SecureBytes key;
};
absl::StatusOr<OpenedBackup> OpenBackup(const RestoreArgs& args) {
  absl::StatusOr<backup::BackupDirectory> backup = backup::ReadBackupDirectory(args.from);
  if (!backup.ok()) return Failed(backup.status());
  absl::StatusOr<hsm::SecureBytes> key = backup::RecoverBackupKey(backup->manifest, args.shares);
  if (!key.ok()) return Failed(key.status());
  return OpenedBackup{.backup = std::move(*backup), .key = std::move(*key)};
}

absl::Status RunRestore(const GlobalOptions& globals, const RestoreArgs& args) {
  ASSIGN_OR_RETURN(const v1::ServerConfig config, server::LoadServerConfig(args.config));
  ASSIGN_OR_RETURN(const OpenedBackup opened, OpenBackup(args));
  ASSIGN_OR_RETURN(server::TokenSet tokens, server::OpenTokens(config.hsm()));
  absl::StatusOr<backup::RestoreReport> report = backup::RestoreBackup(
      opened.backup, opened.key,
      {.tokens = tokens.directory.get(),
       .store_path = config.store().sqlite_path(),
       .audit = !config.audit().disabled_for_benchmarks_only(),
       .audit_origin = config.audit().origin(),
       .checkpoint_file = config.audit().checkpoint_file(),
       .witness_dir = config.audit().witness_dir(),
       .progress = [](int64_t done, int64_t total) { PrintProgress("restore", done, total); }});
  if (!report.ok()) return Failed(report.status());
  return PrintReport(globals, /*drill=*/false, *report);
}

absl::Status RunVerify(const GlobalOptions& globals, const RestoreArgs& args) {
  ASSIGN_OR_RETURN(const OpenedBackup opened, OpenBackup(args));
  absl::StatusOr<backup::RestoreReport> report =
      RunRestoreDrill(opened.backup, opened.key, {.config = args.config, .module = args.module});
  if (!report.ok()) return Failed(report.status());
  return PrintReport(globals, /*drill=*/true, *report);
}

void AddSourceOptions(CLI::App* command, RestoreArgs* args) {
  command->add_option("--from", args->from, "the backup directory")->required();
  command->add_option("--shares", args->shares, "custodians' share files (at least the threshold)")
      ->required();
}

}  // namespace

void AddBackupCommands(CLI::App* app, const CommandRegistry& registry) {
  CLI::App* backup = app->add_subcommand(
      "backup", "backups for disaster recovery (R12): create, restore, and restore drills");
  backup->require_subcommand(1);

  auto create_args = std::make_shared<CreateArgs>();
  CLI::App* create = backup->add_subcommand(
      "create",
      "back up every department (security administrators): the store and every key version "
      "wrapped under a new backup key split among custodians");
  create
      ->add_option("--custodians", create_args->custodians,
                   "N: share files to make (default: one per --custodian-cert)")
      ->check(CLI::Range(2, 255));
  create->add_option("--custodian-cert", create_args->custodian_certificates,
                     "a custodian's certificate (PEM; repeat, in custodian order): share i is "
                     "then written only sealed for custodian i (custodian-<i>.share.cms)");
  create->add_option("--threshold", create_args->threshold, "M: shares needed to restore")
      ->required()
      ->check(CLI::Range(2, 255));
  create->add_option("--out", create_args->out, "a new (or empty) directory for the files")
      ->required();
  create->add_option("--purpose", create_args->purpose, "why (goes into the audit log)");
  OnSelected(create, registry, [globals = registry.globals, create_args] {
    return RunCreate(*globals, *create_args);
  });

  auto restore_args = std::make_shared<RestoreArgs>();
  CLI::App* restore = backup->add_subcommand(
      "restore",
      "restore a backup into the fresh token and new store a server config names (runs next to "
      "the HSM; then start yinjian-server with that config)");
  AddSourceOptions(restore, restore_args.get());
  restore->add_option("--config", restore_args->config, "the server config to restore into")
      ->required();
  OnSelected(restore, registry, [globals = registry.globals, restore_args] {
    return RunRestore(*globals, *restore_args);
  });

  auto verify_args = std::make_shared<RestoreArgs>();
  CLI::App* verify = backup->add_subcommand(
      "verify",
      "restore drill: restore into a throw-away SoftHSM token (or the scratch token --config "
      "names) and a temporary store, check every key version, and delete it all");
  AddSourceOptions(verify, verify_args.get());
  verify->add_option("--config", verify_args->config,
                     "a server config naming a scratch token to drill into (its store and "
                     "checkpoint paths are ignored)");
  verify->add_option("--module", verify_args->module, "the SoftHSM module for the throw-away token")
      ->capture_default_str();
  OnSelected(verify, registry, [globals = registry.globals, verify_args] {
    return RunVerify(*globals, *verify_args);
  });
}

}  // namespace yinjian::cli
