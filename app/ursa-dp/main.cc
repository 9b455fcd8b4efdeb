// ursa-dp: the data plane agent beside each workload. Wiring only.
// Registration, bootstrap and certificate rotation arrive with the xDS work;
// today it reports its version.

#include <iostream>

#include "CLI/CLI.hpp"

int main(int argc, char** argv) {
  CLI::App app{"ursa-dp: the ursa data plane agent"};
  app.require_subcommand(1);
  auto* version_cmd = app.add_subcommand("version", "Print the version");
  CLI11_PARSE(app, argc, argv);
  if (version_cmd->parsed()) std::cout << "ursa-dp " << URSA_VERSION << "\n";
  return 0;
}
