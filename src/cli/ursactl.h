#pragma once

// ursactl as a function: parses `args` (args[0] is the program name), runs
// the command and returns the exit code: 0 on success, 1 on any failure
// (usage errors included), with the error on stderr as "Error: <message>".

#include <string>
#include <vector>

#include "src/cli/session.h"

namespace ursa::cli {

int runUrsactl(const std::vector<std::string>& args, Runtime runtime);

// The process's streams, environment and clock, and the libcurl transport.
Runtime processRuntime();

}  // namespace ursa::cli
