// A key's policy on the command line (`key create`, `key set-policy`): the flags, the KeyPolicy
// they make, and how a policy is shown.
#ifndef YINJIAN_CLI_KEY_POLICY_FLAGS_H_
#define YINJIAN_CLI_KEY_POLICY_FLAGS_H_

#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "cli/output.h"
#include "yinjian/v1/keys.pb.h"

namespace yinjian::cli {

// As given; empty means "not given" (the server's default).
struct KeyPolicyFlags {
  std::string data_level;
  std::string sharing_class;
  std::vector<std::string> allowed_operations;
  std::vector<std::string> shared_operations;
  std::vector<std::string> allowed_purposes;
};

// Adds --level, --sharing, and the repeatable --allow-operation, --share-operation and
// --allow-purpose (operations may also be given comma-separated).
void AddKeyPolicyOptions(CLI::App* command, KeyPolicyFlags* flags);

// The policy `flags` describe; fields not given stay empty, which the server reads as its
// defaults (general, none, every operation, any purpose). INVALID_ARGUMENT for an unknown level,
// sharing class or operation, an empty purpose, or --share-operation without --sharing
// unconditional.
absl::StatusOr<v1::KeyPolicy> BuildKeyPolicy(const KeyPolicyFlags& flags);

// Whether any policy flag was given (`key create` sends a policy only then).
bool AnyPolicyFlag(const KeyPolicyFlags& flags);

// The data level and sharing class for display, with the defaults spelled out for empty fields.
std::string DataLevelForDisplay(const v1::KeyPolicy& policy);
std::string SharingClassForDisplay(const v1::KeyPolicy& policy);

// One row: LEVEL SHARING OPERATIONS SHARED PURPOSES, empty lists spelled as what they mean.
Table KeyPolicyTable(const v1::KeyPolicy& policy);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_KEY_POLICY_FLAGS_H_
