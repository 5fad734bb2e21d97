#include "cli/key_output.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/key_kind_names.h"
#include "cli/key_policy_flags.h"
#include "cli/rotation_period.h"

namespace yinjian::cli {
namespace {

std::string VersionState(v1::KeyVersion::State state) {
  std::string name = v1::KeyVersion::State_Name(state);
  if (absl::StartsWith(name, "STATE_")) name = absl::AsciiStrToLower(name.substr(6));
  return name;
}

std::string VersionNote(const v1::Key& key, const v1::KeyVersion& version) {
  std::vector<std::string> notes;
  if (version.version() == key.primary_version()) notes.push_back("primary");
  // Also for the primary: the server lets a version below the floor be made primary, and its
  // new ciphertexts then do not decrypt.
  if (version.state() == v1::KeyVersion::STATE_ENABLED &&
      version.version() < key.min_decrypt_version()) {
    notes.push_back("below minimum decrypt version");
  }
  if (version.has_destroy_time()) {
    std::string note = absl::StrCat("destroyed ", FormatTimestamp(version.destroy_time()));
    if (version.destruction_id() != 0) {
      absl::StrAppend(&note, " (destruction request ", version.destruction_id(), ")");
    }
    notes.push_back(std::move(note));
  }
  return absl::StrJoin(notes, "; ");
}

}  // namespace

Table KeyTable(const google::protobuf::RepeatedPtrField<v1::Key>& keys) {
  Table table{.header = {"NAME", "KIND", "PROTECTION", "PRIMARY", "LEVEL", "SHARING", "ROTATION",
                         "CREATED", "DESCRIPTION"}};
  for (const v1::Key& key : keys) {
    table.rows.push_back(
        {key.name(), KeyKindName(key.kind()), ProtectionLevelName(key.protection_level()),
         absl::StrCat(key.primary_version()), DataLevelForDisplay(key.policy()),
         SharingClassForDisplay(key.policy()), FormatRotationPeriod(key.rotation_period()),
         FormatTimestamp(key.create_time()), key.description()});
  }
  return table;
}

Table KeyLifecycleTable(const v1::Key& key) {
  return Table{
      .header = {"ORIGIN", "MIN DECRYPT VERSION", "ROTATION PERIOD", "NEXT ROTATION"},
      .rows = {{key.origin().empty() ? "-" : key.origin(),
                key.min_decrypt_version() > 0 ? absl::StrCat(key.min_decrypt_version()) : "-",
                FormatRotationPeriod(key.rotation_period()),
                FormatTimestamp(key.next_rotation_time())}}};
}

Table KeyVersionsTable(const v1::Key& key) {
  Table versions{.header = {"VERSION", "STATE", "CREATED", "NOTE"}};
  for (const v1::KeyVersion& version : key.versions()) {
    versions.rows.push_back({absl::StrCat(version.version()), VersionState(version.state()),
                             FormatTimestamp(version.create_time()), VersionNote(key, version)});
  }
  return versions;
}

std::string KeyDetail(const v1::Key& key) {
  google::protobuf::RepeatedPtrField<v1::Key> one;
  *one.Add() = key;
  return absl::StrCat(RenderTable(KeyTable(one)), "\n", RenderTable(KeyPolicyTable(key.policy())),
                      "\n", RenderTable(KeyLifecycleTable(key)), "\n",
                      RenderTable(KeyVersionsTable(key)));
}

absl::Status PrintKey(OutputFormat format, const v1::Key& key) {
  return PrintText(format, key, KeyDetail(key));
}

}  // namespace yinjian::cli
