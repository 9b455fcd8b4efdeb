// ursactl: the command line client of the ursa API. Wiring only.

#include <iostream>

#include "CLI/CLI.hpp"

int main(int argc, char** argv) {
  CLI::App app{"ursactl: manage an ursa service mesh"};
  app.require_subcommand(1);
  auto* version_cmd = app.add_subcommand("version", "Print the version");
  CLI11_PARSE(app, argc, argv);
  if (version_cmd->parsed()) std::cout << "ursactl " << URSA_VERSION << "\n";
  return 0;
}
