// Backups and restores on a real SoftHSM token and real SQLite files. The HSM "loses" the
// department's root keys after the backup (they are destroyed), so the restore recreates them
// in the same token; tests/cli/cli_e2e_test.sh restores into a second token and server.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "hsm/objects.h"
#include "service/backup/backup_creator.h"
#include "service/backup/backup_files.h"
#include "service/backup/restore.h"
#include "service/core/encryption_service.h"
#include "service/core/key_manager.h"
#include "service/core/signature_service.h"
#include "service/keys/root_key.h"
#include "service/pki/pem_files.h"
#include "service/store/sqlite_store.h"
#include "tests/service/core/lifecycle_fixture.h"
#include "tests/support/status_test_macros.h"

namespace yinjian::backup {
namespace {

class BackupRestoreTest : public yinjian::testing::LifecycleTest {
 protected:
  BackupRestoreTest() : LifecycleTest("bak") {}

  absl::StatusOr<CreatedBackup> Backup(int custodians = 3, int threshold = 2) {
    return CreateBackup(*store_, *tokens_,
                        {.custodians = custodians,
                         .threshold = threshold,
                         .staging_dir = dir_->path().string(),
                         .now = Now(),
                         .progress = [this](int64_t done, int64_t total) {
                           progress_.emplace_back(done, total);
                           return true;
                         }});
  }

  // Writes the backup's files into a new directory; returns it.
  std::string WriteOut(const CreatedBackup& made, const std::string& name) {
    const std::string out = dir_->File(name);
    EXPECT_EQ(::mkdir(out.c_str(), 0700), 0);
    for (const BackupFile& file : made.files) {
      std::string contents = file.contents;
      if (!file.path.empty()) {
        absl::StatusOr<std::string> read = ReadWholeFile(file.path);
        EXPECT_TRUE(read.ok()) << read.status();
        contents = read.value_or("");
      }
      std::ofstream(out + "/" + file.name, std::ios::binary) << contents;
    }
    return out;
  }

  std::vector<std::string> Shares(const std::string& dir, std::vector<int> indexes) {
    std::vector<std::string> paths;
    for (int i : indexes) paths.push_back(dir + "/" + ShareFileName(i));
    return paths;
  }

  size_t ObjectsWithId(const std::string& id) {
    absl::StatusOr<std::vector<CK_OBJECT_HANDLE>> found =
        hsm::FindObjects(token(), {.id = hsm::ToBytes(id), .token_object = true});
    EXPECT_TRUE(found.ok()) << found.status();
    return found.ok() ? found->size() : 99;
  }

  void LoseRoots(std::initializer_list<int> generations) {
    for (int generation : generations) {
      YJ_ASSERT_OK(
          core::DestroyTokenObjects(token(), hsm::ToBytes(keys::RootKeyId(dept_, generation))));
    }
  }

  std::vector<std::pair<int64_t, int64_t>> progress_;
};

TEST_F(BackupRestoreTest, OldCiphertextsAndSignaturesWorkAfterARestore) {
  using keys::KeyKind;
  YJ_ASSERT_OK(manager_->CreateKey(Name("docs"), KeyKind::kAes256Gcm, std::nullopt, "").status());
  YJ_ASSERT_OK(manager_->CreateKey(Name("seal"), KeyKind::kEcdsaP256, std::nullopt, "").status());
  YJ_ASSERT_OK(manager_->CreateKey(Name("gm"), KeyKind::kSm4, std::nullopt, "").status());
  YJ_ASSERT_OK(manager_->CreateKey(Name("ed"), KeyKind::kEd25519, std::nullopt, "").status());
  core::EncryptionService encryption(*resolver_);
  YJ_ASSERT_OK_AND_ASSIGN(core::EncryptResult v1, encryption.Encrypt(Name("docs"), "one", {}));
  YJ_ASSERT_OK(manager_->RotateKey(Name("docs")).status());
  resolver_->Invalidate(dept_, "docs");
  YJ_ASSERT_OK_AND_ASSIGN(core::EncryptResult v2, encryption.Encrypt(Name("docs"), "two", {}));
  YJ_ASSERT_OK_AND_ASSIGN(core::EncryptResult gm, encryption.Encrypt(Name("gm"), "sm4", {}));
  core::SignatureService signatures(*resolver_);
  YJ_ASSERT_OK_AND_ASSIGN(core::SignResult sealed, signatures.Sign(Name("seal"), {"order", false}));
  // A root rotation has begun but re-wrapped nothing: versions are still under generation 1.
  YJ_ASSERT_OK(manager_->RotateRootKey(dept_, "alice", Now()).status());

  YJ_ASSERT_OK_AND_ASSIGN(CreatedBackup made, Backup(3, 2));
  const v1::BackupManifest& manifest = made.manifest;
  EXPECT_EQ(manifest.versions(), 4);  // docs:1, docs:2, seal:1, gm:1
  ASSERT_EQ(manifest.not_included_size(), 1);
  EXPECT_EQ(manifest.not_included(0), Name("ed") + ":1");
  ASSERT_EQ(manifest.departments_size(), 1);
  EXPECT_EQ(manifest.departments(0).root_key_id(), keys::RootKeyId(dept_, 2));
  ASSERT_FALSE(progress_.empty());
  EXPECT_EQ(progress_.back(), std::make_pair(int64_t{4}, int64_t{4}));
  const std::string out = WriteOut(made, "backup");
  // Nothing in the backup is key material in the clear: no file holds the plaintext root or
  // version keys (which never left the HSM), and each share alone is not the backup key.
  YJ_ASSERT_OK_AND_ASSIGN(BackupDirectory backup, ReadBackupDirectory(out));
  EXPECT_EQ(backup.versions.versions_size(), 4);

  // The HSM loses the department's roots; a new store is restored next to the old one.
  LoseRoots({1, 2});
  YJ_ASSERT_OK_AND_ASSIGN(hsm::SecureBytes key,
                          RecoverBackupKey(backup.manifest, Shares(out, {3, 1})));
  const std::string restored_path = dir_->File("restored.db");
  YJ_ASSERT_OK_AND_ASSIGN(RestoreReport report,
                          RestoreBackup(backup, key,
                                        {.tokens = tokens_.get(),
                                         .store_path = restored_path,
                                         .audit = true,
                                         .audit_origin = "yinjian/backup-test",
                                         .checkpoint_file = dir_->File("restored.checkpoint")}));
  EXPECT_EQ(report.versions, 4);
  EXPECT_EQ(report.audit_entries, 1);  // the test store had no log; BackupRestored starts it
  EXPECT_EQ(ObjectsWithId(keys::RootKeyId(dept_, 2)), 1u);
  EXPECT_EQ(ObjectsWithId(keys::RootKeyId(dept_, 1)), 0u);

  YJ_ASSERT_OK_AND_ASSIGN(auto restored, store::SqliteStore::Open(restored_path));
  core::KeyResolver resolver(*restored, *tokens_);
  core::EncryptionService reopened(resolver);
  for (const auto& [ciphertext, plaintext] :
       {std::pair{v1.ciphertext, "one"}, {v2.ciphertext, "two"}, {gm.ciphertext, "sm4"}}) {
    YJ_ASSERT_OK_AND_ASSIGN(core::DecryptResult opened, reopened.Decrypt(ciphertext, {}));
    EXPECT_EQ(std::string(opened.plaintext.begin(), opened.plaintext.end()), plaintext);
  }
  core::SignatureService verifier(resolver);
  YJ_ASSERT_OK_AND_ASSIGN(core::VerifyResult verified,
                          verifier.Verify(Name("seal"), {"order", false}, sealed.signature));
  EXPECT_TRUE(verified.valid);
  YJ_ASSERT_OK_AND_ASSIGN(store::KeyVersionRecord docs1, restored->GetKeyVersion(dept_, "docs", 1));
  EXPECT_EQ(docs1.root_key_id, keys::RootKeyId(dept_, 2));

  // The roots exist now: a second restore into this token is refused, and changes nothing.
  const std::string again = dir_->File("again.db");
  EXPECT_EQ(
      RestoreBackup(backup, key, {.tokens = tokens_.get(), .store_path = again, .audit = false})
          .status()
          .code(),
      absl::StatusCode::kFailedPrecondition);
  YJ_ASSERT_OK_AND_ASSIGN(bool exists, pki::PathExists(again));
  EXPECT_FALSE(exists);
}

TEST_F(BackupRestoreTest, RefusesTooFewAlteredOrForeignSharesAndAlteredFiles) {
  YJ_ASSERT_OK(
      manager_->CreateKey(Name("docs"), keys::KeyKind::kAes256Gcm, std::nullopt, "").status());
  EXPECT_EQ(Backup(3, 1).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Backup(2, 3).status().code(), absl::StatusCode::kInvalidArgument);
  // Custodian certificates: one per custodian, each a certificate.
  for (const std::vector<std::string>& certificates :
       {std::vector<std::string>{"not a certificate", "nor this"},
        std::vector<std::string>{"only one"}}) {
    absl::Status sealed = CreateBackup(*store_, *tokens_,
                                       {.custodians = 2,
                                        .threshold = 2,
                                        .custodian_certificates = certificates,
                                        .staging_dir = dir_->path().string(),
                                        .now = Now()})
                              .status();
    EXPECT_EQ(sealed.code(), absl::StatusCode::kInvalidArgument) << sealed;
  }
  YJ_ASSERT_OK_AND_ASSIGN(CreatedBackup made, Backup(5, 3));
  const std::string out = WriteOut(made, "backup");
  YJ_ASSERT_OK_AND_ASSIGN(BackupDirectory backup, ReadBackupDirectory(out));

  absl::Status few = RecoverBackupKey(backup.manifest, Shares(out, {1, 4})).status();
  EXPECT_EQ(few.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(few.message().find("needs 3 of its 5"), absl::string_view::npos) << few;
  EXPECT_EQ(RecoverBackupKey(backup.manifest, Shares(out, {1, 1, 2})).status().code(),
            absl::StatusCode::kInvalidArgument);
  // An altered share (its y bytes) no longer rebuilds the key.
  {
    YJ_ASSERT_OK_AND_ASSIGN(std::string json, ReadWholeFile(out + "/" + ShareFileName(2)));
    v1::CustodianShare share;
    YJ_ASSERT_OK(FromJson(json, "share", share));
    std::string y = share.share();
    y[5] ^= 1;
    share.set_share(y);
    YJ_ASSERT_OK_AND_ASSIGN(std::string altered, ToJson(share));
    std::ofstream(out + "/" + ShareFileName(2), std::ios::binary | std::ios::trunc) << altered;
    absl::Status bad = RecoverBackupKey(backup.manifest, Shares(out, {1, 2, 3})).status();
    EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(bad.message().find("altered"), absl::string_view::npos) << bad;
  }
  // A share of another backup.
  YJ_ASSERT_OK_AND_ASSIGN(CreatedBackup other, Backup(5, 3));
  const std::string other_out = WriteOut(other, "other");
  std::vector<std::string> mixed = Shares(out, {1, 3});
  mixed.push_back(other_out + "/" + ShareFileName(4));
  EXPECT_EQ(RecoverBackupKey(backup.manifest, mixed).status().code(),
            absl::StatusCode::kInvalidArgument);

  YJ_ASSERT_OK_AND_ASSIGN(hsm::SecureBytes key,
                          RecoverBackupKey(backup.manifest, Shares(out, {1, 3, 5})));
  // An altered versions file is caught by its digest.
  {
    std::ofstream(out + "/" + kVersionsFile, std::ios::app) << " ";
    EXPECT_EQ(ReadBackupDirectory(out).status().code(), absl::StatusCode::kInvalidArgument);
  }
  // A version's wrapped material altered (digest "fixed" in the manifest too) does not unwrap
  // under the backup key; the restore undoes itself.
  LoseRoots({1});
  BackupDirectory forged = backup;
  std::string wrapped = forged.versions.versions(0).wrapped();
  wrapped[3] ^= 1;
  forged.versions.mutable_versions(0)->set_wrapped(wrapped);
  const std::string target = dir_->File("forged.db");
  absl::Status restored =
      RestoreBackup(forged, key, {.tokens = tokens_.get(), .store_path = target, .audit = false})
          .status();
  EXPECT_EQ(restored.code(), absl::StatusCode::kInvalidArgument) << restored;
  YJ_ASSERT_OK_AND_ASSIGN(bool exists, pki::PathExists(target));
  EXPECT_FALSE(exists);
  EXPECT_EQ(ObjectsWithId(keys::RootKeyId(dept_, 1)), 0u);
  // An existing store is never overwritten.
  EXPECT_EQ(RestoreBackup(
                backup, key,
                {.tokens = tokens_.get(), .store_path = dir_->File("yinjian.db"), .audit = false})
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace yinjian::backup
