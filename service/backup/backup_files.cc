#include "service/backup/backup_files.h"

#include <google/protobuf/util/json_util.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "service/backup/shamir.h"
#include "service/backup/share_envelope.h"

namespace yinjian::backup {
namespace {

absl::Span<const uint8_t> AsBytes(absl::string_view s) {
  return absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

hsm::Bytes Digest(std::initializer_list<absl::Span<const uint8_t>> parts) {
  hsm::Bytes out(EVP_MAX_MD_SIZE);
  unsigned int length = 0;
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  bool ok = context != nullptr && EVP_DigestInit_ex(context, EVP_sha256(), nullptr) == 1;
  for (absl::Span<const uint8_t> part : parts) {
    ok = ok && EVP_DigestUpdate(context, part.data(), part.size()) == 1;
  }
  ok = ok && EVP_DigestFinal_ex(context, out.data(), &length) == 1;
  EVP_MD_CTX_free(context);
  out.resize(ok ? length : 0);
  return out;
}

}  // namespace

std::string ShareFileName(int index) { return absl::StrCat("custodian-", index, ".share"); }

std::string VersionName(absl::string_view department, absl::string_view key, int32_t version) {
  return absl::StrCat(department, "/", key, ":", version);
}

void RemoveDatabaseFiles(const std::string& path) {
  if (path.empty()) return;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    ::unlink(absl::StrCat(path, suffix).c_str());
  }
}

absl::Status ForEachVersion(store::Store& store, absl::string_view department,
                            absl::FunctionRef<absl::Status(WalkedVersion)> visit) {
  ASSIGN_OR_RETURN(std::vector<store::KeyRecord> keys, store.ListKeys(department));
  for (const store::KeyRecord& key : keys) {
    ASSIGN_OR_RETURN(keys::KeyKind kind, keys::KindFromName(key.kind));
    ASSIGN_OR_RETURN(keys::Protection protection, keys::ProtectionFromName(key.protection_level));
    ASSIGN_OR_RETURN(std::vector<store::KeyVersionRecord> versions,
                     store.ListKeyVersions(department, key.name));
    for (store::KeyVersionRecord& version : versions) {
      RETURN_IF_ERROR(
          visit({.key = key, .kind = kind, .protection = protection, .version = version}));
    }
  }
  return absl::OkStatus();
}

hsm::Bytes KeyCheck(absl::string_view backup_id, absl::Span<const uint8_t> key) {
  static constexpr char kDomain[] = "yinjian-backup-key-check";
  return Digest({AsBytes(absl::string_view(kDomain, sizeof(kDomain))), AsBytes(backup_id), key});
}

hsm::Bytes Sha256(absl::string_view data) { return Digest({AsBytes(data)}); }

absl::StatusOr<std::string> ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  std::string json;
  const auto status = google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("cannot write ", message.GetTypeName(), " as JSON"));
  }
  return json;
}

absl::Status FromJson(absl::string_view json, absl::string_view what,
                      google::protobuf::Message& message) {
  const auto status = google::protobuf::util::JsonStringToMessage(std::string(json), &message, {});
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " is not a ", message.GetTypeName(), ": ",
                                                   status.message().as_string()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    std::string message = absl::StrCat("cannot read ", path, ": ", std::strerror(error));
    if (error == ENOENT) return absl::NotFoundError(message);
    return absl::FailedPreconditionError(message);
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat("cannot read ", path));
  return contents.str();
}

absl::StatusOr<BackupDirectory> ReadBackupDirectory(const std::string& dir) {
  BackupDirectory backup{.dir = dir};
  const std::string manifest_path = absl::StrCat(dir, "/", kManifestFile);
  ASSIGN_OR_RETURN(std::string manifest_json, ReadWholeFile(manifest_path));
  RETURN_IF_ERROR(FromJson(manifest_json, manifest_path, backup.manifest));
  const v1::BackupManifest& manifest = backup.manifest;
  if (manifest.format() != kBackupFormat) {
    return absl::InvalidArgumentError(absl::StrCat(manifest_path, " is of format \"",
                                                   manifest.format(), "\", not ", kBackupFormat));
  }
  if (manifest.store_file() != kStoreFile || manifest.versions_file() != kVersionsFile) {
    return absl::InvalidArgumentError(absl::StrCat(manifest_path, " names unexpected files"));
  }
  const std::string versions_path = absl::StrCat(dir, "/", kVersionsFile);
  ASSIGN_OR_RETURN(std::string versions_json, ReadWholeFile(versions_path));
  if (Sha256(versions_json) != hsm::ToBytes(manifest.versions_sha256())) {
    return absl::InvalidArgumentError(
        absl::StrCat(versions_path, " does not match the manifest's digest: altered or truncated"));
  }
  RETURN_IF_ERROR(FromJson(versions_json, versions_path, backup.versions));
  if (backup.versions.backup_id() != manifest.backup_id() ||
      backup.versions.versions_size() != manifest.versions()) {
    return absl::InvalidArgumentError(
        absl::StrCat(versions_path, " belongs to another backup than ", manifest_path));
  }
  backup.store_path = absl::StrCat(dir, "/", kStoreFile);
  ASSIGN_OR_RETURN(std::string store, ReadWholeFile(backup.store_path));
  if (Sha256(store) != hsm::ToBytes(manifest.store_sha256())) {
    return absl::InvalidArgumentError(absl::StrCat(
        backup.store_path, " does not match the manifest's digest: altered or truncated"));
  }
  return backup;
}

absl::StatusOr<hsm::SecureBytes> RecoverBackupKey(const v1::BackupManifest& manifest,
                                                  absl::Span<const std::string> share_files) {
  std::vector<Share> shares;
  for (const std::string& path : share_files) {
    ASSIGN_OR_RETURN(std::string json, ReadWholeFile(path));
    if (absl::StartsWith(json, kCmsPemHeader)) {
      return absl::InvalidArgumentError(absl::StrCat(
          path,
          " is sealed for its custodian, who opens it first: openssl cms -decrypt -inform "
          "PEM -in ",
          path, " -recip CERT -inkey KEY -out SHARE"));
    }
    v1::CustodianShare share;
    RETURN_IF_ERROR(FromJson(json, path, share));
    if (share.format() != kShareFormat) {
      return absl::InvalidArgumentError(absl::StrCat(path, " is not a Yinjian backup share"));
    }
    if (share.backup_id() != manifest.backup_id()) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, " is a share of backup ", share.backup_id(), ", not of ", manifest.backup_id()));
    }
    shares.push_back({.index = share.index(),
                      .y = hsm::SecureBytes(share.share().begin(), share.share().end())});
  }
  if (static_cast<int>(shares.size()) < manifest.threshold()) {
    return absl::FailedPreconditionError(
        absl::StrCat(shares.size(), " share(s) given; this backup needs ", manifest.threshold(),
                     " of its ", manifest.custodians(), " custodians' shares"));
  }
  ASSIGN_OR_RETURN(hsm::SecureBytes key, CombineShares(shares));
  if (key.size() != kBackupKeyBytes ||
      KeyCheck(manifest.backup_id(), key) != hsm::ToBytes(manifest.key_check())) {
    return absl::InvalidArgumentError(
        "the shares do not rebuild this backup's key: a share file was altered");
  }
  return key;
}

}  // namespace yinjian::backup
