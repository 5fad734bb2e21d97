// yinjianctl: the key officers' command-line client of yinjian-server. See docs/cli.md.
#include <string>
#include <vector>

#include "cli/app.h"

int main(int argc, char** argv) {
  return yinjian::cli::RunCommandLine(std::vector<std::string>(argv, argv + argc));
}
