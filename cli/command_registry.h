// How subcommands hand their work to main: CLI11 only parses; a subcommand's callback records
// the action it stands for, and main runs that action after parsing, outside CLI11.
#ifndef YINJIAN_CLI_COMMAND_REGISTRY_H_
#define YINJIAN_CLI_COMMAND_REGISTRY_H_

#include <functional>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "cli/profile.h"

namespace yinjian::cli {

// The global options, filled in by CLI11 while it parses.
struct GlobalOptions {
  std::string profile_path;
  ConnectionFlags connection;
  std::string output = "table";
  double timeout_seconds = 30;
};

// A command chosen on the command line.
using Action = std::function<absl::Status()>;

// What the Add*Commands functions need. Both pointers outlive the parse and the action.
struct CommandRegistry {
  const GlobalOptions* globals;
  Action* chosen;
};

// Makes `action` the one main runs if `command` is the subcommand given.
inline void OnSelected(CLI::App* command, const CommandRegistry& registry, Action action) {
  command->callback([chosen = registry.chosen, action = std::move(action)] { *chosen = action; });
}

}  // namespace yinjian::cli

#endif  // YINJIAN_CLI_COMMAND_REGISTRY_H_
