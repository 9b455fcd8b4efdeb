// ursa-dp: the data plane agent beside each workload. Flags and wiring only;
// the agent itself is src/dp/agent.h.
//
//   ursa-dp run --cp-address URL --dataplane-file FILE --dataplane-token-file FILE
//               [--ca-cert-file FILE] [--proxy grpc|envoy] [-v k=v ...]
//               [--work-dir DIR] [--admin-port N] -- APP ARGS...
//   ursa-dp version

#include <iostream>

#include "CLI/CLI.hpp"
#include "src/dp/agent.h"
#include "ursa/common/logging.h"

namespace {

// "3s", "5m", "1h30m" (Go's duration syntax, as kuma-dp's settings).
CLI::Validator durationCheck() {
  return CLI::Validator([](std::string& value) -> std::string {
    absl::Duration d;
    if (!absl::ParseDuration(value, &d) || d <= absl::ZeroDuration()) {
      return "\"" + value + "\" is not a positive duration (e.g. 3s, 5m)";
    }
    return "";
  }, "DURATION");
}

absl::Duration parseDuration(const std::string& value) {
  absl::Duration d;
  absl::ParseDuration(value, &d);
  return d;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ursa-dp: the ursa data plane agent"};
  app.require_subcommand(1);
  auto* version_cmd = app.add_subcommand("version", "Print the version");

  ursa::dp::AgentOptions o;
  std::string log_level = "info";
  std::string backoff = "3s", max_duration = "5m", cert_timeout = "30s",
              tls_hold = "10s";
  auto* run = app.add_subcommand(
      "run", "Register a Dataplane, bootstrap its proxy and run it (and the application after --)");
  run->add_option("--cp-address", o.cp_address, "URL of the control plane's data plane server")
      ->capture_default_str();
  run->add_option("--dataplane-file", o.dataplane_file,
                  "The Dataplane to register (YAML or JSON; a {{ var }} template)")
      ->required();
  run->add_option("--dataplane-var,-v", o.dataplane_vars,
                  "A template variable for --dataplane-file, key=value (repeatable)");
  run->add_option("--dataplane-token-file", o.token_file, "File holding the dataplane token")
      ->required();
  run->add_option("--ca-cert-file", o.ca_cert_file,
                  "CA certificate that signs the data plane server's certificate (PEM)");
  run->add_option("--proxy", o.proxy, "grpc (proxyless gRPC application) or envoy (sidecar)")
      ->check(CLI::IsMember({"grpc", "envoy"}))
      ->capture_default_str();
  run->add_option("--work-dir", o.work_dir,
                  "Where bootstrap and certificate files go (default $TMPDIR/ursa-dp/<mesh>.<name>)");
  run->add_option("--admin-port", o.admin_port, "Envoy's admin port (--proxy envoy)")
      ->capture_default_str();
  run->add_option("--binary-path", o.envoy_binary, "The Envoy binary (--proxy envoy)")
      ->capture_default_str();
  run->add_option("--cp-retry-backoff", backoff,
                  "Wait between bootstrap attempts while the control plane is unreachable")
      ->check(durationCheck())
      ->capture_default_str();
  run->add_option("--cp-retry-max-duration", max_duration,
                  "Give up bootstrapping after this long")
      ->check(durationCheck())
      ->capture_default_str();
  run->add_option("--certificate-timeout", cert_timeout,
                  "How long to wait for the first certificates (meshes with mTLS)")
      ->check(durationCheck())
      ->capture_default_str();
  run->add_option("--tls-config-hold-timeout", tls_hold,
                  "How long the application's TLS configuration may wait for its certificate "
                  "files before it is handed over anyway (--proxy grpc)")
      ->check(durationCheck())
      ->capture_default_str();
  run->add_option("--log-level", log_level, "debug, info, warn or error")->capture_default_str();
  run->add_option("app", o.app, "The application to run, after --");

  CLI11_PARSE(app, argc, argv);
  if (version_cmd->parsed()) {
    std::cout << "ursa-dp " << URSA_VERSION << "\n";
    return 0;
  }
  if (auto s = ursa::setupLogging(log_level, ursa::LogFormat::Text); !s.ok()) {
    std::cerr << "ursa-dp: " << s.message() << "\n";
    return 1;
  }
  o.retry.backoff = parseDuration(backoff);
  o.retry.max_duration = parseDuration(max_duration);
  o.certificate_timeout = parseDuration(cert_timeout);
  o.tls_config_hold_timeout = parseDuration(tls_hold);
  return ursa::dp::runAgent(o);
}
