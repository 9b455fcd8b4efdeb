#pragma once

// `ursa-dp run`'s command line: ursa-dp's own flags and kuma-dp 2.2's, so a
// `kuma-dp run ...` line or a systemd unit setting KUMA_* variables works
// with `ursa-dp run` unchanged. Each kuma-dp setting is also read from its
// environment variable (kuma-dp's envconfig names, pkg/config/app/kuma-dp);
// a flag beats its variable. docs/configuration.md lists them all.
//
// Accepted without effect, with a warning: --bootstrap-version (deprecated
// in kuma-dp 2.2) and the --dns-* settings (ursa-dp has no built-in DNS;
// warned once when any is given and DNS is not disabled).

#include <string>

#include "CLI/CLI.hpp"
#include "src/dp/agent.h"
#include "ursa/common/status.h"

namespace ursa::dp {

// What the parser fills in; resolveRunFlags() turns it into AgentOptions.
struct RunFlags {
  AgentOptions agent;             // the settings whose types need no conversion
  std::string log_level = "info";  // ursa-dp's own (bound by the caller)
  std::string envoy_log_level;     // empty: follows log_level
  std::string backoff = "3s";
  std::string max_duration = "5m";
  std::string certificate_timeout = "30s";
  std::string tls_config_hold_timeout = "10s";
  std::string drain_time = "30s";
  std::string proxy_type = "dataplane";
  std::string bootstrap_version;
  bool dns_enabled = true;
  std::string dns_ignored;  // the --dns-* values (never used)
};

// Adds `run`'s flags (and their environment variables) to `cmd`, storing
// into `flags`. Durations are checked at parse time (Go syntax: 3s, 5m).
void addRunFlags(CLI::App& cmd, RunFlags& flags);

// After parsing: InvalidArgument naming both settings (flag and variable)
// for --dataplane with --dataplane-file and --dataplane-token with
// --dataplane-token-file; naming the setting for a --proxy-type other than
// dataplane (ingress and egress: ursa runs no zone proxies). Logs a warning
// for settings accepted without effect. `cmd` is the parsed command.
absl::StatusOr<AgentOptions> resolveRunFlags(const CLI::App& cmd, const RunFlags& flags);

// ursa-dp's log level as Envoy names it ("warn" → "warning", "err" →
// "error"; trace, debug, info, error, critical and off as they are).
std::string envoyLogLevelFor(const std::string& ursa_level);

// Checks a log level for --log-level (spdlog's names: trace, debug, info,
// warn/warning, err/error, critical, off).
CLI::Validator logLevelCheck();

}  // namespace ursa::dp
