// `yinjianctl principal add` and `principal add-cert`: binding a certificate to a principal,
// either one the caller brings (--certificate) or one the server's CA issues for a key made
// here (--out-dir: the private key is generated and written locally and never sent anywhere).
#ifndef YINJIAN_CLI_PRINCIPAL_ENROLLMENT_H_
#define YINJIAN_CLI_PRINCIPAL_ENROLLMENT_H_

#include "CLI/CLI.hpp"
#include "cli/command_registry.h"

namespace yinjian::cli {

// Adds `add` and `add-cert` to the `principal` command.
void AddPrincipalEnrollmentCommands(CLI::App* principal, const CommandRegistry& registry);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_PRINCIPAL_ENROLLMENT_H_
