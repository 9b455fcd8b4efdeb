// ursa-dp: the data plane agent beside each workload. Flags and wiring only;
// the agent itself is src/dp/agent.h, the flags src/dp/run_flags.h.
//
//   ursa-dp [--log-level L] run --cp-address URL
//       (--dataplane-file|-d FILE | --dataplane TEXT) [-v k=v ...] | --name N [--mesh M]
//       (--dataplane-token-file FILE | --dataplane-token TOKEN)
//       [--ca-cert-file FILE] [--proxy grpc|envoy] [--work-dir|--config-dir DIR]
//       [--admin-port N] [--binary-path ENVOY] [--drain-time 30s] [--concurrency N]
//       [--envoy-log-level L] [--cp-retry-backoff 3s] [--cp-retry-max-duration 5m]
//       [--certificate-timeout 30s] -- APP ARGS...
//   ursa-dp version
//
// kuma-dp 2.2's `run` line works as it is (--proxy-type dataplane, --mesh,
// --name, --bootstrap-version and --dns-* accepted), and so do its KUMA_*
// environment variables; a flag beats its variable. Errors exit with code 1.

#include <iostream>

#include "CLI/CLI.hpp"
#include "src/dp/agent.h"
#include "src/dp/run_flags.h"
#include "ursa/common/logging.h"

int main(int argc, char** argv) {
  CLI::App app{"ursa-dp: the ursa data plane agent"};
  app.require_subcommand(1);
  auto* version_cmd = app.add_subcommand("version", "Print the version");

  ursa::dp::RunFlags flags;
  // A root flag, as kuma-dp's; `run --log-level` reaches it too (fallthrough).
  app.add_option("--log-level", flags.log_level, "trace, debug, info, warn, error or off")
      ->check(ursa::dp::logLevelCheck())
      ->capture_default_str();
  auto* run = app.add_subcommand(
      "run", "Register a Dataplane, bootstrap its proxy and run it (and the application after --)");
  run->fallthrough();
  ursa::dp::addRunFlags(*run, flags);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);  // prints help, or the error
    return code == 0 ? 0 : 1;
  }
  if (version_cmd->parsed()) {
    std::cout << "ursa-dp " << URSA_VERSION << "\n";
    return 0;
  }
  if (auto s = ursa::setupLogging(flags.log_level, ursa::LogFormat::Text); !s.ok()) {
    std::cerr << "ursa-dp: " << s.message() << "\n";
    return 1;
  }
  auto options = ursa::dp::resolveRunFlags(*run, flags);
  if (!options.ok()) {
    std::cerr << "ursa-dp: " << options.status().message() << "\n";
    return 1;
  }
  return ursa::dp::runAgent(*options);
}
