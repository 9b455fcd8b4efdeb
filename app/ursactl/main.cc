// ursactl: the command line client of the ursa API. Wiring only; the
// commands live in src/cli/.

#include <string>
#include <vector>

#include "src/cli/ursactl.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  return ursa::cli::runUrsactl(args, ursa::cli::processRuntime());
}
