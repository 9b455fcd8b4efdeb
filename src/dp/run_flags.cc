#include "src/dp/run_flags.h"

#include <cstdlib>
#include <set>

#include "absl/time/time.h"
#include "ursa/common/logging.h"
#include "ursa/common/strings.h"

namespace ursa::dp {
namespace {

// kuma-dp's --dns-* flags and their variables: accepted, never used.
struct IgnoredDnsSetting {
  const char* flag;
  const char* env;
};
constexpr IgnoredDnsSetting kDnsSettings[] = {
    {"--dns-envoy-port", "KUMA_DNS_ENVOY_DNS_PORT"},
    {"--dns-coredns-port", "KUMA_DNS_CORE_DNS_PORT"},
    {"--dns-coredns-empty-port", "KUMA_DNS_CORE_DNS_EMPTY_PORT"},
    {"--dns-coredns-path", "KUMA_DNS_CORE_DNS_BINARY_PATH"},
    {"--dns-coredns-config-template-path", "KUMA_DNS_CORE_DNS_CONFIG_TEMPLATE_PATH"},
    {"--dns-server-config-dir", "KUMA_DNS_CONFIG_DIR"},
    {"--dns-prometheus-port", "KUMA_DNS_PROMETHEUS_PORT"},
};

// Where a bad value may have come from, for validator messages.
std::string source(const std::string& flag, const std::string& env) {
  return env.empty() ? flag : strCat(flag, " or ", env);
}

// "3s", "5m", "1h30m" (Go's duration syntax, as kuma-dp's settings).
CLI::Validator durationCheck(const std::string& flag, const std::string& env,
                             bool allow_zero = false) {
  return CLI::Validator(
      [=](std::string& value) -> std::string {
        absl::Duration d;
        if (!absl::ParseDuration(value, &d) || d < absl::ZeroDuration() ||
            (d == absl::ZeroDuration() && !allow_zero)) {
          return strCat("\"", value, "\" is not a ", allow_zero ? "" : "positive ",
                        "duration (e.g. 3s, 5m; from ", source(flag, env), ")");
        }
        return "";
      },
      "DURATION");
}

CLI::Validator memberCheck(const std::set<std::string>& allowed, const std::string& flag,
                           const std::string& env) {
  return CLI::Validator(
      [=](std::string& value) -> std::string {
        if (allowed.count(value) > 0) return "";
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        return strCat("\"", value, "\" is not one of ", list, " (from ", source(flag, env), ")");
      },
      "LEVEL");
}

// A whole number within [0, max] (kuma-dp's uint32 settings).
CLI::Validator uintCheck(uint64_t max, const std::string& flag, const std::string& env) {
  return CLI::Validator(
      [=](std::string& value) -> std::string {
        uint64_t n = 0;
        bool ok = !value.empty() && value.size() <= 10;
        for (char c : value) {
          ok = ok && c >= '0' && c <= '9';
          if (ok) n = n * 10 + static_cast<uint64_t>(c - '0');
        }
        if (ok && n <= max) return "";
        return strCat("\"", value, "\" is not a whole number within 0-", max, " (from ",
                      source(flag, env), ")");
      },
      "N");
}

template <typename T>
CLI::Option* add(CLI::App& cmd, const std::string& names, T& into, const std::string& help,
                 const std::string& env = "") {
  CLI::Option* opt = cmd.add_option(names, into, help);
  if (!env.empty()) opt->envname(env);
  return opt;
}

absl::Duration parseDuration(const std::string& value) {
  absl::Duration d;
  absl::ParseDuration(value, &d);  // checked by durationCheck at parse time
  return d;
}

bool given(const CLI::App& cmd, const std::string& flag) {
  return cmd.get_option(flag)->count() > 0;
}

// "--flag (ENV)".
std::string named(const CLI::App& cmd, const std::string& flag) {
  std::string env = cmd.get_option(flag)->get_envname();
  return env.empty() ? flag : strCat(flag, " (", env, ")");
}

absl::Status exclusive(const CLI::App& cmd, const std::string& a, const std::string& b,
                       const std::string& what) {
  if (!given(cmd, a) || !given(cmd, b)) return absl::OkStatus();
  return absl::InvalidArgumentError(strCat(named(cmd, a), " and ", named(cmd, b),
                                           " are both set: give ", what, " one way only"));
}

absl::Status checkProxyType(const CLI::App& cmd, const std::string& type) {
  if (type == "dataplane") return absl::OkStatus();
  if (type == "ingress" || type == "egress") {
    return absl::InvalidArgumentError(
        strCat(named(cmd, "--proxy-type"), " is \"", type,
               "\": ursa does not run zone proxies (ZoneIngress, ZoneEgress) yet; "
               "ursa-dp runs dataplane proxies only"));
  }
  return absl::InvalidArgumentError(strCat(named(cmd, "--proxy-type"), " \"", type,
                                           "\" is invalid: it must be dataplane (kuma-dp also "
                                           "knows ingress and egress, which ursa does not run)"));
}

void warnAboutIgnoredSettings(const CLI::App& cmd, const RunFlags& f) {
  if (given(cmd, "--bootstrap-version")) {
    logger("dp")->warn(
        "--bootstrap-version is deprecated (as in kuma-dp 2.2) and has no effect: Envoy's v3 API "
        "is always used");
  }
  bool dns_given = given(cmd, "--dns-enabled");
  for (const auto& s : kDnsSettings) dns_given = dns_given || given(cmd, s.flag);
  if (dns_given && f.dns_enabled) {
    logger("dp")->warn(
        "ursa-dp has no built-in DNS (kuma-dp's CoreDNS and Envoy DNS filter): the --dns-* "
        "settings (KUMA_DNS_*) are accepted so kuma-dp scripts run, and ignored; nothing answers "
        "DNS for mesh services (--dns-enabled=false silences this)");
  }
}

void addKumaDpFlags(CLI::App& cmd, RunFlags& f) {
  AgentOptions& o = f.agent;
  add(cmd, "--name", o.name, "The Dataplane's name (fills or must equal the template's)",
      "KUMA_DATAPLANE_NAME");
  add(cmd, "--mesh", o.mesh, "The Dataplane's mesh (fills or must equal the template's)",
      "KUMA_DATAPLANE_MESH");
  add(cmd, "--proxy-type", f.proxy_type, "dataplane (ursa runs no ingress or egress)",
      "KUMA_DATAPLANE_PROXY_TYPE")
      ->capture_default_str();
  add(cmd, "--drain-time", f.drain_time, "Envoy's drain time (--drain-time-s)",
      "KUMA_DATAPLANE_DRAIN_TIME")
      ->check(durationCheck("--drain-time", "KUMA_DATAPLANE_DRAIN_TIME", /*allow_zero=*/true))
      ->capture_default_str();
  add(cmd, "--concurrency", o.concurrency,
      "Envoy's worker threads (unset or 0: --cpuset-threads)", "KUMA_DATAPLANE_RUNTIME_CONCURRENCY")
      ->check(uintCheck(UINT32_MAX, "--concurrency", "KUMA_DATAPLANE_RUNTIME_CONCURRENCY"));
  add(cmd, "--dataplane-token", o.token, "The dataplane token itself",
      "KUMA_DATAPLANE_RUNTIME_TOKEN");
  add(cmd, "--dataplane", o.dataplane_text, "The Dataplane template itself (YAML or JSON)",
      "KUMA_DATAPLANE_RUNTIME_RESOURCE");
  const std::set<std::string> envoy_levels = {"trace", "debug", "info",     "warning",
                                              "warn",  "error", "critical", "off"};
  add(cmd, "--envoy-log-level", f.envoy_log_level, "Envoy's log level (default: --log-level's)",
      "KUMA_DATAPLANE_RUNTIME_ENVOY_LOG_LEVEL")
      ->check(memberCheck(envoy_levels, "--envoy-log-level", "KUMA_DATAPLANE_RUNTIME_ENVOY_LOG_LEVEL"));
  add(cmd, "--bootstrap-version", f.bootstrap_version, "Deprecated in kuma-dp 2.2; no effect");
  cmd.add_flag("--dns-enabled", f.dns_enabled, "Accepted, no effect: ursa-dp has no built-in DNS")
      ->envname("KUMA_DNS_ENABLED");
  for (const auto& s : kDnsSettings) {
    add(cmd, s.flag, f.dns_ignored, "Accepted, no effect: ursa-dp has no built-in DNS", s.env);
  }
}

}  // namespace

void addRunFlags(CLI::App& cmd, RunFlags& f) {
  AgentOptions& o = f.agent;
  add(cmd, "--cp-address", o.cp_address, "URL of the control plane's data plane server",
      "KUMA_CONTROL_PLANE_URL")
      ->capture_default_str();
  add(cmd, "--dataplane-file,-d", o.dataplane_file,
      "The Dataplane template to register (YAML or JSON; {{ var }}s; - for stdin)",
      "KUMA_DATAPLANE_RUNTIME_RESOURCE_PATH");
  add(cmd, "--dataplane-var,-v", o.dataplane_vars,
      "A template variable, key=value or k1=v1,k2=v2 (repeatable)");
  add(cmd, "--dataplane-token-file", o.token_file, "File holding the dataplane token",
      "KUMA_DATAPLANE_RUNTIME_TOKEN_PATH");
  add(cmd, "--ca-cert-file", o.ca_cert_file,
      "CA certificate that signs the data plane server's certificate (PEM)",
      "KUMA_CONTROL_PLANE_CA_CERT_FILE");
  add(cmd, "--proxy", o.proxy, "grpc (proxyless gRPC application) or envoy (sidecar)")
      ->check(CLI::IsMember({"grpc", "envoy"}))
      ->capture_default_str();
  add(cmd, "--work-dir,--config-dir", o.work_dir,
      "Where bootstrap and certificate files go (default $TMPDIR/ursa-dp/<mesh>.<name>)",
      "KUMA_DATAPLANE_RUNTIME_CONFIG_DIR");
  add(cmd, "--admin-port", o.admin_port, "Envoy's admin port (--proxy envoy)")
      ->capture_default_str();
  add(cmd, "--binary-path", o.envoy_binary, "The Envoy binary (--proxy envoy)",
      "KUMA_DATAPLANE_RUNTIME_BINARY_PATH")
      ->capture_default_str();
  add(cmd, "--cp-retry-backoff", f.backoff,
      "Wait between bootstrap attempts while the control plane is unreachable",
      "KUMA_CONTROL_PLANE_RETRY_BACKOFF")
      ->check(durationCheck("--cp-retry-backoff", "KUMA_CONTROL_PLANE_RETRY_BACKOFF"))
      ->capture_default_str();
  add(cmd, "--cp-retry-max-duration", f.max_duration, "Give up bootstrapping after this long",
      "KUMA_CONTROL_PLANE_RETRY_MAX_DURATION")
      ->check(durationCheck("--cp-retry-max-duration", "KUMA_CONTROL_PLANE_RETRY_MAX_DURATION"))
      ->capture_default_str();
  add(cmd, "--certificate-timeout", f.certificate_timeout,
      "How long to wait for the first certificates (meshes with mTLS)")
      ->check(durationCheck("--certificate-timeout", ""))
      ->capture_default_str();
  add(cmd, "--tls-config-hold-timeout", f.tls_config_hold_timeout,
      "How long the application's TLS configuration may wait for its certificate files before "
      "it is handed over anyway (--proxy grpc)")
      ->check(durationCheck("--tls-config-hold-timeout", ""))
      ->capture_default_str();
  addKumaDpFlags(cmd, f);
  add(cmd, "app", o.app, "The application to run, after --");
}

absl::StatusOr<AgentOptions> resolveRunFlags(const CLI::App& cmd, const RunFlags& f) {
  URSA_RETURN_IF_ERROR(exclusive(cmd, "--dataplane", "--dataplane-file", "the Dataplane template"));
  URSA_RETURN_IF_ERROR(
      exclusive(cmd, "--dataplane-token", "--dataplane-token-file", "the dataplane token"));
  URSA_RETURN_IF_ERROR(checkProxyType(cmd, f.proxy_type));
  warnAboutIgnoredSettings(cmd, f);
  AgentOptions o = f.agent;
  if (const char* ca = std::getenv("KUMA_CONTROL_PLANE_CA_CERT"); ca != nullptr && *ca != '\0') {
    o.ca_cert_pem = ca;  // kuma-dp: the CA itself beats the file
  }
  o.retry.backoff = parseDuration(f.backoff);
  o.retry.max_duration = parseDuration(f.max_duration);
  o.certificate_timeout = parseDuration(f.certificate_timeout);
  o.tls_config_hold_timeout = parseDuration(f.tls_config_hold_timeout);
  o.drain_time = parseDuration(f.drain_time);
  o.envoy_log_level = f.envoy_log_level.empty() ? envoyLogLevelFor(f.log_level) : f.envoy_log_level;
  return o;
}

std::string envoyLogLevelFor(const std::string& ursa_level) {
  if (ursa_level == "warn") return "warning";
  if (ursa_level == "err") return "error";
  return ursa_level;
}

CLI::Validator logLevelCheck() {
  return memberCheck({"trace", "debug", "info", "warn", "warning", "err", "error", "critical", "off"},
                     "--log-level", "");
}

}  // namespace ursa::dp
