// The yinjianctl command line: global options, every subcommand, and running the one given.
#ifndef YINJIAN_CLI_APP_H_
#define YINJIAN_CLI_APP_H_

#include <memory>
#include <vector>

#include "CLI/CLI.hpp"
#include "cli/command_registry.h"

namespace yinjian::cli {

// An app whose parse fills `globals` and sets `*chosen` to the subcommand's action. Both must
// outlive the app.
std::unique_ptr<CLI::App> BuildApp(GlobalOptions* globals, Action* chosen);

// Parses `args` (args[0] is the program name) and runs the chosen command. Returns the exit
// status (status_exit.h): 0, 1 for a failed RPC or a failed verification, 2 for a usage or
// local error. --help prints help and returns 0.
int RunCommandLine(std::vector<std::string> args);

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_APP_H_
