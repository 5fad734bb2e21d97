#include "cli/key_policy_flags.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/access_names.h"
#include "common/status_macros.h"

namespace yinjian::cli {
namespace {

std::string ListOr(const google::protobuf::RepeatedPtrField<std::string>& values,
                   const char* if_empty) {
  return values.empty() ? if_empty : absl::StrJoin(values, ",");
}

}  // namespace

void AddKeyPolicyOptions(CLI::App* command, KeyPolicyFlags* flags) {
  const std::string operations = absl::StrJoin(OperationNames(), ", ");
  command->add_option("--level", flags->data_level,
                      "data level: general (default), important or core");
  command->add_option("--sharing", flags->sharing_class,
                      "who else may use the key: none (default: the owning department only), "
                      "conditional (with a grant) or unconditional");
  command
      ->add_option("--allow-operation", flags->allowed_operations,
                   "an operation the key allows; repeat or separate with commas (default: every "
                   "operation of its kind). One of: " +
                       operations)
      ->delimiter(',')
      ->allow_extra_args(false);
  command
      ->add_option("--share-operation", flags->shared_operations,
                   "with --sharing unconditional: an operation other departments may use without "
                   "a grant; repeat or separate with commas (default: the allowed operations)")
      ->delimiter(',')
      ->allow_extra_args(false);
  command
      ->add_option("--allow-purpose", flags->allowed_purposes,
                   "a purpose callers may state; repeat for more (default: any purpose; core keys "
                   "still need one on every call)")
      ->allow_extra_args(false);
}

bool AnyPolicyFlag(const KeyPolicyFlags& flags) {
  return !flags.data_level.empty() || !flags.sharing_class.empty() ||
         !flags.allowed_operations.empty() || !flags.shared_operations.empty() ||
         !flags.allowed_purposes.empty();
}

absl::StatusOr<v1::KeyPolicy> BuildKeyPolicy(const KeyPolicyFlags& flags) {
  v1::KeyPolicy policy;
  if (!flags.data_level.empty()) {
    RETURN_IF_ERROR(CheckName("data level", flags.data_level, DataLevelNames()));
    policy.set_data_level(flags.data_level);
  }
  if (!flags.sharing_class.empty()) {
    RETURN_IF_ERROR(CheckName("sharing class", flags.sharing_class, SharingClassNames()));
    policy.set_sharing_class(flags.sharing_class);
  }
  ASSIGN_OR_RETURN(const std::vector<std::string> allowed,
                   CheckNames("operation", flags.allowed_operations, OperationNames()));
  policy.mutable_allowed_operations()->Assign(allowed.begin(), allowed.end());
  ASSIGN_OR_RETURN(const std::vector<std::string> shared,
                   CheckNames("operation", flags.shared_operations, OperationNames()));
  if (!shared.empty() && flags.sharing_class != "unconditional") {
    return absl::InvalidArgumentError(
        "--share-operation applies only to keys with --sharing unconditional");
  }
  policy.mutable_shared_operations()->Assign(shared.begin(), shared.end());
  for (const std::string& purpose : flags.allowed_purposes) {
    if (purpose.empty()) return absl::InvalidArgumentError("--allow-purpose must not be empty");
    *policy.add_allowed_purposes() = purpose;
  }
  return policy;
}

std::string DataLevelForDisplay(const v1::KeyPolicy& policy) {
  return policy.data_level().empty() ? "general" : policy.data_level();
}

std::string SharingClassForDisplay(const v1::KeyPolicy& policy) {
  return policy.sharing_class().empty() ? "none" : policy.sharing_class();
}

Table KeyPolicyTable(const v1::KeyPolicy& policy) {
  return Table{.header = {"LEVEL", "SHARING", "OPERATIONS", "SHARED", "PURPOSES"},
               .rows = {{DataLevelForDisplay(policy), SharingClassForDisplay(policy),
                         ListOr(policy.allowed_operations(), "(all)"),
                         ListOr(policy.shared_operations(),
                                SharingClassForDisplay(policy) == "unconditional" ? "(allowed)"
                                                                                  : "-"),
                         ListOr(policy.allowed_purposes(), "(any)")}}};
}

}  // namespace yinjian::cli
