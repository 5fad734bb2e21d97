// rewrap_bench: re-wrap throughput (docs/performance.md, "Root key re-wrap, backup and
// restore"). Versions re-wrapped per second by core::RootRewrapJob (per version: an unwrap and a
// wrap inside the HSM; per pass, one SQLite transaction of compare-and-swaps), by a backup
// (snapshot, then each version from its root to the backup key) and by a restore (each version
// from the backup key to a new root, committed in batches), against, in the same run on the same
// token, the raw rate of the same HSM work alone through the keys layer
// (keys::RewrapVersionMaterial: unwrap under one root, wrap under another, destroy).
//
//   build/bin/rewrap_bench --versions 2000 [--batch 1000]
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/scratch_token.h"
#include "common/status_macros.h"
#include "hsm/module.h"
#include "hsm/pin.h"
#include "hsm/token.h"
#include "service/backup/backup_creator.h"
#include "service/backup/backup_files.h"
#include "service/backup/restore.h"
#include "service/core/key_manager.h"
#include "service/core/key_resolver.h"
#include "service/core/root_rotation.h"
#include "service/keys/root_key.h"
#include "service/keys/version_material.h"
#include "service/pki/pem_files.h"
#include "service/store/sqlite_store.h"

namespace yinjian::bench {
namespace {

constexpr char kModule[] = "/usr/lib/softhsm/libsofthsm2.so";

struct Flags {
  int versions = 1000;
  int batch = 1000;
};

absl::Status Run(const Flags& flags) {
  ASSIGN_OR_RETURN(std::unique_ptr<ScratchToken> scratch,
                   ScratchToken::Create(kModule, "yinjian-rewrap-bench"));
  ASSIGN_OR_RETURN(std::shared_ptr<hsm::Pkcs11Module> module,
                   hsm::Pkcs11Module::Load({.path = kModule}));
  ASSIGN_OR_RETURN(hsm::SecureBytes pin, hsm::ReadPin({.file = scratch->pin_file()}));
  ASSIGN_OR_RETURN(std::unique_ptr<hsm::Token> token,
                   hsm::Token::Open(module, {.label = scratch->label(), .pin = std::move(pin)}));
  ASSIGN_OR_RETURN(std::unique_ptr<store::SqliteStore> store,
                   store::SqliteStore::Open(scratch->dir() + "/bench.db"));
  core::TokenDirectory tokens(token.get());
  core::KeyManager manager(*store, tokens);
  core::KeyResolver resolver(*store, tokens);

  // A department with one AES key of `versions` versions, all under root generation 1.
  RETURN_IF_ERROR(manager.CreateDepartment("bench", "", "").status());
  RETURN_IF_ERROR(
      manager.CreateKey("bench/k", keys::KeyKind::kAes256Gcm, std::nullopt, "").status());
  for (int i = 1; i < flags.versions; ++i) RETURN_IF_ERROR(manager.RotateKey("bench/k").status());
  ASSIGN_OR_RETURN(store::KeyVersionRecord first, store->GetKeyVersion("bench", "k", 1));

  // Raw: the HSM work of one re-wrap, `versions` times, from root 1 to a second root.
  ASSIGN_OR_RETURN(std::string other_root, keys::CreateRootKey(*token, "bench-raw", 1));
  hsm::KeyRef from = keys::RootKeyRef(*token, first.root_key_id);
  hsm::KeyRef to = keys::RootKeyRef(*token, other_root);
  const keys::VersionMaterial stored{.wrapped = hsm::ToBytes(first.wrapped_material)};
  absl::Time start = absl::Now();
  for (int i = 0; i < flags.versions; ++i) {
    RETURN_IF_ERROR(keys::RewrapVersionMaterial(*token, from, to, keys::KeyKind::kAes256Gcm,
                                                keys::Protection::kHsm, stored)
                        .status());
  }
  const double raw_seconds = absl::ToDoubleSeconds(absl::Now() - start);

  // The job: begin a rotation, then passes until nothing remains under the old root.
  RETURN_IF_ERROR(manager.RotateRootKey("bench", "bench", absl::Now()).status());
  core::RootRewrapJob job(
      *store, tokens, resolver, {.batch = flags.batch, .retire_grace = absl::Hours(1)},
      [] { return absl::Now(); }, nullptr);
  start = absl::Now();
  int rewrapped = 0;
  while (rewrapped < flags.versions) {
    ASSIGN_OR_RETURN(int pass, job.RunOnce());
    if (pass == 0) return absl::InternalError("a pass re-wrapped nothing");
    rewrapped += pass;
  }
  const double job_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  ASSIGN_OR_RETURN(core::RootRotationStatus status, manager.RootRotation("bench"));
  if (status.versions_remaining != 0) return absl::InternalError("versions remain");

  // A backup of the store (3 custodians, 2 needed), then, with the department's current root
  // gone from the token, a restore of it into a new store.
  start = absl::Now();
  ASSIGN_OR_RETURN(
      backup::CreatedBackup made,
      backup::CreateBackup(
          *store, tokens,
          {.custodians = 3, .threshold = 2, .staging_dir = scratch->dir(), .now = absl::Now()}));
  const double backup_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  const std::string out = scratch->dir() + "/backup";
  RETURN_IF_ERROR(pki::EnsurePrivateDirectory(out));
  for (const backup::BackupFile& file : made.files) {
    std::string contents = file.contents;
    if (!file.path.empty()) {
      ASSIGN_OR_RETURN(contents, backup::ReadWholeFile(file.path));
    }
    RETURN_IF_ERROR(
        pki::WriteFileAtomically(out + "/" + file.name, contents, 0600, pki::IfExists::kFail));
  }
  ASSIGN_OR_RETURN(backup::BackupDirectory read, backup::ReadBackupDirectory(out));
  const std::string shares[] = {out + "/" + backup::ShareFileName(1),
                                out + "/" + backup::ShareFileName(3)};
  ASSIGN_OR_RETURN(hsm::SecureBytes key, backup::RecoverBackupKey(read.manifest, shares));
  RETURN_IF_ERROR(core::DestroyTokenObjects(*token, hsm::ToBytes(status.rotation.new_root_key_id)));
  start = absl::Now();
  ASSIGN_OR_RETURN(
      backup::RestoreReport restored,
      backup::RestoreBackup(
          read, key,
          {.tokens = &tokens, .store_path = scratch->dir() + "/restored.db", .audit = false}));
  const double restore_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  if (restored.versions != flags.versions) return absl::InternalError("versions not restored");

  const double raw_rate = flags.versions / raw_seconds;
  const double job_rate = flags.versions / job_seconds;
  const double backup_rate = flags.versions / backup_seconds;
  const double restore_rate = flags.versions / restore_seconds;
  std::printf("root key re-wrap of %d aes256-gcm versions (batch %d), one thread, token '%s'\n\n",
              flags.versions, flags.batch, scratch->label().c_str());
  std::printf("| what | versions/s | ratio to raw |\n|---|---|---|\n");
  std::printf("| raw: keys::RewrapVersionMaterial (unwrap, wrap, destroy) | %.0f | 1.00 |\n",
              raw_rate);
  std::printf("| RootRewrapJob (the above + one SQLite transaction per pass) | %.0f | %.2f |\n",
              job_rate, job_rate / raw_rate);
  std::printf(
      "| backup::CreateBackup (snapshot, re-wrap to the backup key, digests) | %.0f | %.2f "
      "|\n",
      backup_rate, backup_rate / raw_rate);
  std::printf(
      "| backup::RestoreBackup (re-wrap to a new root + batched SQLite commits) | %.0f | %.2f |\n",
      restore_rate, restore_rate / raw_rate);
  token.reset();
  return absl::OkStatus();
}

}  // namespace
}  // namespace yinjian::bench

int main(int argc, char** argv) {
  yinjian::bench::Flags flags;
  CLI::App app{"Department root key re-wrap throughput against the raw HSM rate."};
  app.add_option("--versions", flags.versions, "versions to re-wrap")
      ->check(CLI::Range(2, 1000000));
  app.add_option("--batch", flags.batch, "versions per job pass")->check(CLI::Range(1, 1000000));
  CLI11_PARSE(app, argc, argv);
  absl::Status status = yinjian::bench::Run(flags);
  if (!status.ok()) {
    std::fprintf(stderr, "rewrap_bench: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  return 0;
}
