// yinjianctl: the key officers' command-line client. The gRPC API it will call does not exist
// yet; for now it only reports its version.
#include <cstdio>

#include "CLI/CLI.hpp"

int main(int argc, char** argv) {
  CLI::App app{"yinjianctl: manage Yinjian keys and use them"};
  app.require_subcommand(1);
  app.add_subcommand("version", "print the version")->callback([] {
    std::printf("yinjianctl %s\n", YINJIAN_VERSION);
  });
  CLI11_PARSE(app, argc, argv);
  return 0;
}
