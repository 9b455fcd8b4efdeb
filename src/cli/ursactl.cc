#include "src/cli/ursactl.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "CLI/CLI.hpp"
#include "src/cli/commands.h"
#include "src/cli/curl_transport.h"
#include "ursa/common/strings.h"

namespace ursa::cli {
namespace {

void addGlobalFlags(CLI::App& app, Session& session) {
  app.add_option("--config-file", session.flags.config_file,
                 "path to the configuration file to use (default: "
                 "$XDG_CONFIG_HOME/ursactl/config.yaml or ~/.config/ursactl/config.yaml)");
  app.add_option("--api-timeout", session.flags.api_timeout,
                 "the timeout for API calls, connection and reading the response included; "
                 "0 means none")
      ->capture_default_str();
  app.add_option("--log-level", session.flags.log_level,
                 "log level: one of off|info|debug (debug logs every API request)")
      ->capture_default_str();
}

int fail(Session& session, std::string_view message) {
  session.err() << "Error: " << message << "\n";
  return 1;
}

}  // namespace

int runUrsactl(const std::vector<std::string>& args, Runtime runtime) {
  Session session(std::move(runtime));
  CLI::App app{"ursactl: manage an ursa (Kuma-compatible) service mesh through its API"};
  app.name("ursactl");
  app.fallthrough();  // global flags may come after the subcommand
  app.require_subcommand(1);
  addGlobalFlags(app, session);
  addApplyCommand(app, session);
  addCompletionCommand(app, session);
  addConfigCommand(app, session);
  addDeleteCommand(app, session);
  addExplainCommand(app, session);
  addGenerateCommand(app, session);
  addGetCommand(app, session);
  addInspectCommand(app, session);
  addVersionCommand(app, session);

  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e, session.out(), session.err());
    return fail(session, std::string(e.what()) + "\nRun 'ursactl --help' for usage.");
  }
  if (auto s = session.validateFlags(); !s.ok()) return fail(session, fromAbsl(s.message()));
  if (!session.action) return fail(session, "no command given; run 'ursactl --help' for usage");
  try {
    absl::Status s = session.action();
    if (!s.ok()) return fail(session, fromAbsl(s.message()));
  } catch (const std::exception& e) {
    return fail(session, std::string("internal error: ") + e.what());
  }
  session.out().flush();
  return session.out() ? 0 : 1;
}

Runtime processRuntime() {
  return Runtime{
      .io = Io{std::cin, std::cout, std::cerr, ::isatty(STDOUT_FILENO) == 1},
      .transports = makeCurlTransport,
      .env = [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        return v == nullptr ? std::nullopt : std::optional<std::string>(v);
      },
      .clock = [] { return absl::Now(); },
  };
}

}  // namespace ursa::cli
