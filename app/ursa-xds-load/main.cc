// ursa-xds-load: registers a Kuma-style topology of N Dataplanes, connects N
// simulated Envoys over ADS, and measures how fast the control plane gets
// configuration to them (docs/benchmarks.md, "Load simulator"). Flags and
// wiring only; the simulator is src/loadsim/.
//
//   ursa-xds-load --cp-address https://localhost:5678 --api-address http://localhost:5681
//                 --proxies 1000 --hold 30s [--delta] [--scenarios endpoint,policy,reconnect]

#include <iostream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_split.h"
#include "src/loadsim/runner.h"
#include "ursa/common/process.h"

namespace {

// "3s", "5m", "1h30m" (Go's duration syntax).
CLI::Validator durationCheck() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        absl::Duration d;
        if (!absl::ParseDuration(value, &d) || d < absl::ZeroDuration()) {
          return "\"" + value + "\" is not a duration (e.g. 2s, 5m)";
        }
        return "";
      },
      "DURATION");
}

absl::Duration parseDuration(const std::string& value) {
  absl::Duration d;
  (void)absl::ParseDuration(value, &d);
  return d;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ursa-xds-load: an xDS load simulator for ursa (and Kuma 2.2) control planes"};
  ursa::loadsim::RunOptions o;
  std::string hold = "10s", connect_timeout = "5m", scenario_timeout = "60s";
  std::string output = "text", scenarios = "endpoint,policy,reconnect";
  bool no_tokens = false;
  app.add_option("--cp-address", o.cp_address,
                 "The data plane server (ADS): https://host:5678 (TLS) or http:// (plaintext)")
      ->capture_default_str();
  app.add_option("--api-address", o.api_address, "The control plane's REST API")
      ->capture_default_str();
  app.add_option("--diagnostics-address", o.diagnostics_address,
                 "The control plane's diagnostics server, to read /metrics (e.g. http://localhost:5680)");
  app.add_option("--cp-pid", o.cp_pid, "The control plane's pid, to read its RSS and CPU from /proc");
  app.add_option("--proxies", o.proxies, "Number of simulated proxies (Dataplanes)")
      ->capture_default_str();
  app.add_option("--hold", hold, "Stay connected this long after the scenarios (idle CPU is sampled over its second half), then report")
      ->check(durationCheck())
      ->capture_default_str();
  app.add_option("--seed", o.seed, "Seed of the topology and of NACK draws")->capture_default_str();
  app.add_option("--edge-percent", o.edge_percent,
                 "mesh-perf's percentEdge: P(i->j) = percent/100/(j-i)")
      ->capture_default_str();
  app.add_option("--mesh", o.mesh, "The mesh (created with mTLS when missing, deleted after)")
      ->capture_default_str();
  app.add_flag("--delta", o.delta, "Incremental (delta) xDS instead of state-of-the-world");
  app.add_option("--nack-fraction", o.nack_fraction,
                 "Fraction of updates to reject (never a type's first response)")
      ->capture_default_str();
  app.add_option("--scenarios", scenarios, "Comma-separated: endpoint, policy, reconnect; or none")
      ->capture_default_str();
  app.add_option("--output", output, "text or json (on stdout; progress goes to stderr)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.add_option("--ca-cert-file", o.ca_cert_file,
                 "CA certificate of the data plane server (PEM; the control plane's "
                 "{workDir}/dp-server.crt when self-signed)");
  app.add_flag("--insecure-skip-verify", o.insecure_skip_verify,
               "Do not verify the data plane server's certificate");
  app.add_option("--tls-server-name", o.tls_server_name,
                 "Check the server certificate for this name instead of the address's host");
  app.add_flag("--no-tokens", no_tokens,
               "Send no dataplane tokens (control plane with URSA_DP_SERVER_AUTHN_DP_PROXY_TYPE=none)");
  app.add_flag("--keep", o.keep, "Leave the Dataplanes (and mesh) registered at the end");
  app.add_option("--channels", o.channels, "gRPC channels (TCP connections) the streams share")
      ->capture_default_str();
  app.add_option("--api-workers", o.api_workers, "Concurrent REST connections for registration")
      ->capture_default_str();
  app.add_option("--connect-rate", o.connect_rate, "Streams opened per second (0: all at once)")
      ->capture_default_str();
  app.add_option("--connect-timeout", connect_timeout, "How long to wait for complete configuration")
      ->check(durationCheck())
      ->capture_default_str();
  app.add_option("--scenario-timeout", scenario_timeout, "How long each scenario may wait for ACKs")
      ->check(durationCheck())
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  o.hold = parseDuration(hold);
  o.connect_timeout = parseDuration(connect_timeout);
  o.scenario_timeout = parseDuration(scenario_timeout);
  o.tokens = !no_tokens;
  o.scenarios.clear();
  for (auto part : absl::StrSplit(scenarios, ',', absl::SkipWhitespace())) {
    if (part != "none") o.scenarios.emplace_back(part);
  }
  if (auto fds = ursa::raiseOpenFileLimit(); !fds.ok()) {
    std::cerr << "ursa-xds-load: open file limit: " << fds.status().message() << "\n";
  } else if (fds->current != fds->previous) {
    std::cerr << "ursa-xds-load: open file limit raised from " << fds->previous << " to " << fds->current
              << "\n";
  }
  auto report = ursa::loadsim::run(o, [](const std::string& line) {
    std::cerr << "ursa-xds-load: " << line << std::endl;
  });
  if (!report.ok()) {
    std::cerr << "ursa-xds-load: " << report.status().message() << "\n";
    return 2;
  }
  if (output == "json") {
    std::cout << ursa::loadsim::renderJson(*report).dump(2) << "\n";
  } else {
    std::cout << ursa::loadsim::renderText(*report);
  }
  return report->ok() ? 0 : 1;
}
