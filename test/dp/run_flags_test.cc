// `ursa-dp run`'s command line (src/dp/run_flags.h): kuma-dp 2.2's flags and
// KUMA_* variables, which wins, the combinations refused, and Envoy's
// command line they produce. (test/e2e/dp_kuma_cli_e2e_test.cc runs the
// binary with them.)

#include "src/dp/run_flags.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <memory>
#include <string>
#include <vector>

namespace ursa::dp {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Every variable the flags read: cleared around each test.
const char* const kVariables[] = {
    "KUMA_CONTROL_PLANE_URL", "KUMA_CONTROL_PLANE_CA_CERT", "KUMA_CONTROL_PLANE_CA_CERT_FILE",
    "KUMA_CONTROL_PLANE_RETRY_BACKOFF", "KUMA_CONTROL_PLANE_RETRY_MAX_DURATION",
    "KUMA_DATAPLANE_NAME", "KUMA_DATAPLANE_MESH", "KUMA_DATAPLANE_PROXY_TYPE",
    "KUMA_DATAPLANE_DRAIN_TIME", "KUMA_DATAPLANE_RUNTIME_BINARY_PATH",
    "KUMA_DATAPLANE_RUNTIME_CONFIG_DIR", "KUMA_DATAPLANE_RUNTIME_CONCURRENCY",
    "KUMA_DATAPLANE_RUNTIME_TOKEN", "KUMA_DATAPLANE_RUNTIME_TOKEN_PATH",
    "KUMA_DATAPLANE_RUNTIME_RESOURCE", "KUMA_DATAPLANE_RUNTIME_RESOURCE_PATH",
    "KUMA_DATAPLANE_RUNTIME_ENVOY_LOG_LEVEL", "KUMA_DNS_ENABLED", "KUMA_DNS_CORE_DNS_PORT",
};

class RunFlagsTest : public ::testing::Test {
 protected:
  void SetUp() override { clear(); }
  void TearDown() override { clear(); }
  static void clear() {
    for (const char* v : kVariables) unsetenv(v);
  }

  // Parses `args` as `run`'s; the parse error's text, or "" when it parsed.
  std::string parse(const std::vector<std::string>& args) {
    cmd_ = std::make_unique<CLI::App>("run");
    flags_ = RunFlags{};
    addRunFlags(*cmd_, flags_);
    std::vector<const char*> argv = {"run"};
    for (const auto& a : args) argv.push_back(a.c_str());
    try {
      cmd_->parse(static_cast<int>(argv.size()), argv.data());
    } catch (const CLI::ParseError& e) {
      return e.what();
    }
    return "";
  }

  // Parses and resolves; fails the test on a parse error.
  absl::StatusOr<AgentOptions> resolve(const std::vector<std::string>& args) {
    std::string error = parse(args);
    EXPECT_EQ(error, "");
    return resolveRunFlags(*cmd_, flags_);
  }

  std::unique_ptr<CLI::App> cmd_;
  RunFlags flags_;
};

TEST_F(RunFlagsTest, KumaDpVariablesApplyWhenNoFlagIsGiven) {
  setenv("KUMA_CONTROL_PLANE_URL", "https://cp.internal:5678", 1);
  setenv("KUMA_CONTROL_PLANE_CA_CERT_FILE", "/etc/kuma/ca.pem", 1);
  setenv("KUMA_CONTROL_PLANE_RETRY_BACKOFF", "1s", 1);
  setenv("KUMA_CONTROL_PLANE_RETRY_MAX_DURATION", "2m", 1);
  setenv("KUMA_DATAPLANE_NAME", "web-1", 1);
  setenv("KUMA_DATAPLANE_MESH", "demo", 1);
  setenv("KUMA_DATAPLANE_DRAIN_TIME", "12s", 1);
  setenv("KUMA_DATAPLANE_RUNTIME_BINARY_PATH", "/opt/envoy", 1);
  setenv("KUMA_DATAPLANE_RUNTIME_CONFIG_DIR", "/var/run/web-1", 1);
  setenv("KUMA_DATAPLANE_RUNTIME_CONCURRENCY", "4", 1);
  setenv("KUMA_DATAPLANE_RUNTIME_TOKEN_PATH", "/etc/kuma/token", 1);
  setenv("KUMA_DATAPLANE_RUNTIME_RESOURCE_PATH", "/etc/kuma/dp.yaml", 1);
  setenv("KUMA_DATAPLANE_RUNTIME_ENVOY_LOG_LEVEL", "trace", 1);
  auto o = resolve({});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->cp_address, "https://cp.internal:5678");
  EXPECT_EQ(o->ca_cert_file, "/etc/kuma/ca.pem");
  EXPECT_EQ(o->retry.backoff, absl::Seconds(1));
  EXPECT_EQ(o->retry.max_duration, absl::Minutes(2));
  EXPECT_EQ(o->name, "web-1");
  EXPECT_EQ(o->mesh, "demo");
  EXPECT_EQ(o->drain_time, absl::Seconds(12));
  EXPECT_EQ(o->envoy_binary, "/opt/envoy");
  EXPECT_EQ(o->work_dir, "/var/run/web-1");
  EXPECT_EQ(o->concurrency, 4u);
  EXPECT_EQ(o->token_file, "/etc/kuma/token");
  EXPECT_EQ(o->dataplane_file, "/etc/kuma/dp.yaml");
  EXPECT_EQ(o->envoy_log_level, "trace");
}

TEST_F(RunFlagsTest, InlineTokenTemplateAndCaComeFromTheirVariables) {
  setenv("KUMA_DATAPLANE_RUNTIME_TOKEN", "a.b.c", 1);
  setenv("KUMA_DATAPLANE_RUNTIME_RESOURCE", "type: Dataplane", 1);
  setenv("KUMA_CONTROL_PLANE_CA_CERT", "-----BEGIN CERTIFICATE-----", 1);
  auto o = resolve({});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->token, "a.b.c");
  EXPECT_EQ(o->dataplane_text, "type: Dataplane");
  EXPECT_EQ(o->ca_cert_pem, "-----BEGIN CERTIFICATE-----");
}

TEST_F(RunFlagsTest, AFlagBeatsItsVariable) {
  setenv("KUMA_CONTROL_PLANE_URL", "https://env:5678", 1);
  setenv("KUMA_DATAPLANE_NAME", "from-env", 1);
  setenv("KUMA_DATAPLANE_DRAIN_TIME", "12s", 1);
  setenv("KUMA_DATAPLANE_RUNTIME_CONCURRENCY", "4", 1);
  setenv("KUMA_DATAPLANE_RUNTIME_CONFIG_DIR", "/env", 1);
  auto o = resolve({"--cp-address", "https://flag:5678", "--name", "from-flag", "--drain-time",
                    "7s", "--concurrency", "2", "--config-dir", "/flag"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->cp_address, "https://flag:5678");
  EXPECT_EQ(o->name, "from-flag");
  EXPECT_EQ(o->drain_time, absl::Seconds(7));
  EXPECT_EQ(o->concurrency, 2u);
  EXPECT_EQ(o->work_dir, "/flag");
}

TEST_F(RunFlagsTest, KumaDpsNamesAndShorthandsReachUrsasSettings) {
  auto o = resolve({"--config-dir", "/cfg", "-d", "dp.yaml", "-v", "name=a,port=1"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->work_dir, "/cfg");
  EXPECT_EQ(o->dataplane_file, "dp.yaml");
  EXPECT_THAT(o->dataplane_vars, ElementsAre("name=a,port=1"));
  auto work_dir = resolve({"--work-dir", "/w"});
  ASSERT_TRUE(work_dir.ok());
  EXPECT_EQ(work_dir->work_dir, "/w");
}

TEST_F(RunFlagsTest, DefaultsAreKumaDps) {
  auto o = resolve({});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->cp_address, "https://localhost:5678");
  EXPECT_EQ(o->drain_time, absl::Seconds(30));
  EXPECT_EQ(o->concurrency, 0u);
  EXPECT_EQ(o->envoy_binary, "envoy");
  EXPECT_EQ(o->retry.backoff, absl::Seconds(3));
  EXPECT_EQ(o->retry.max_duration, absl::Minutes(5));
  EXPECT_EQ(o->envoy_log_level, "info");
  EXPECT_EQ(o->tls_config_hold_timeout, absl::Seconds(10));
}

TEST_F(RunFlagsTest, UrsasOwnTimeoutsAreRead) {
  auto o = resolve({"--certificate-timeout", "45s", "--tls-config-hold-timeout", "2s"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->certificate_timeout, absl::Seconds(45));
  EXPECT_EQ(o->tls_config_hold_timeout, absl::Seconds(2));
  EXPECT_THAT(parse({"--tls-config-hold-timeout", "soon"}), HasSubstr("--tls-config-hold-timeout"));
}

TEST_F(RunFlagsTest, EnvoysLogLevelFollowsUrsasUnlessGiven) {
  ASSERT_EQ(parse({}), "");
  flags_.log_level = "warn";
  EXPECT_EQ(resolveRunFlags(*cmd_, flags_)->envoy_log_level, "warning");
  flags_.log_level = "debug";
  EXPECT_EQ(resolveRunFlags(*cmd_, flags_)->envoy_log_level, "debug");
  ASSERT_EQ(parse({"--envoy-log-level", "critical"}), "");
  flags_.log_level = "debug";
  EXPECT_EQ(resolveRunFlags(*cmd_, flags_)->envoy_log_level, "critical");
  EXPECT_EQ(envoyLogLevelFor("err"), "error");
  EXPECT_EQ(envoyLogLevelFor("off"), "off");
}

TEST_F(RunFlagsTest, BothTemplatesOrBothTokensAreRefusedNamingBoth) {
  auto templates = resolve({"--dataplane", "type: Dataplane", "--dataplane-file", "dp.yaml"});
  EXPECT_TRUE(absl::IsInvalidArgument(templates.status()));
  EXPECT_THAT(std::string(templates.status().message()),
              HasSubstr("--dataplane (KUMA_DATAPLANE_RUNTIME_RESOURCE) and --dataplane-file "
                        "(KUMA_DATAPLANE_RUNTIME_RESOURCE_PATH) are both set"));
  auto tokens = resolve({"--dataplane-token", "a.b.c", "--dataplane-token-file", "token"});
  EXPECT_THAT(std::string(tokens.status().message()),
              HasSubstr("--dataplane-token (KUMA_DATAPLANE_RUNTIME_TOKEN) and "
                        "--dataplane-token-file (KUMA_DATAPLANE_RUNTIME_TOKEN_PATH) are both set"));
  // A variable counts as given, too.
  setenv("KUMA_DATAPLANE_RUNTIME_TOKEN_PATH", "/etc/kuma/token", 1);
  EXPECT_FALSE(resolve({"--dataplane-token", "a.b.c"}).ok());
}

TEST_F(RunFlagsTest, OnlyDataplaneProxiesRun) {
  for (const std::string type : {"ingress", "egress"}) {
    auto o = resolve({"--proxy-type", type});
    EXPECT_TRUE(absl::IsInvalidArgument(o.status()));
    EXPECT_THAT(std::string(o.status().message()),
                HasSubstr("ursa does not run zone proxies (ZoneIngress, ZoneEgress) yet"));
  }
  setenv("KUMA_DATAPLANE_PROXY_TYPE", "gateway", 1);
  auto bad = resolve({});
  EXPECT_THAT(std::string(bad.status().message()),
              HasSubstr(R"(--proxy-type (KUMA_DATAPLANE_PROXY_TYPE) "gateway" is invalid)"));
  EXPECT_TRUE(resolve({"--proxy-type", "dataplane"}).ok());
}

TEST_F(RunFlagsTest, BadValuesNameTheFlagAndItsVariable) {
  setenv("KUMA_DATAPLANE_DRAIN_TIME", "soon", 1);
  EXPECT_THAT(parse({}), HasSubstr(R"(--drain-time: "soon" is not a duration)"));
  EXPECT_THAT(parse({}), HasSubstr("KUMA_DATAPLANE_DRAIN_TIME"));
  unsetenv("KUMA_DATAPLANE_DRAIN_TIME");
  EXPECT_THAT(parse({"--drain-time", "-1s"}), HasSubstr("not a duration"));
  EXPECT_THAT(parse({"--cp-retry-backoff", "0s"}), HasSubstr("not a positive duration"));
  auto no_drain = resolve({"--drain-time", "0s"});  // skips the drain on stop
  ASSERT_TRUE(no_drain.ok()) << no_drain.status();
  EXPECT_EQ(no_drain->drain_time, absl::ZeroDuration());
  EXPECT_THAT(parse({"--concurrency", "-1"}),
              HasSubstr(R"(--concurrency: "-1" is not a whole number)"));
  setenv("KUMA_DATAPLANE_RUNTIME_CONCURRENCY", "4294967296", 1);
  EXPECT_THAT(parse({}), HasSubstr("KUMA_DATAPLANE_RUNTIME_CONCURRENCY"));
  unsetenv("KUMA_DATAPLANE_RUNTIME_CONCURRENCY");
  EXPECT_THAT(parse({"--envoy-log-level", "loud"}),
              HasSubstr(R"(--envoy-log-level: "loud" is not one of)"));
}

TEST_F(RunFlagsTest, DeprecatedAndDnsSettingsAreAccepted) {
  setenv("KUMA_DNS_CORE_DNS_PORT", "15053", 1);
  auto o = resolve({"--bootstrap-version", "3", "--dns-enabled=false", "--dns-envoy-port", "15054",
                    "--dns-coredns-path", "/usr/bin/coredns", "--dns-server-config-dir", "/tmp",
                    "--dns-prometheus-port", "19153", "--dns-coredns-empty-port", "15055",
                    "--dns-coredns-config-template-path", "/etc/Corefile"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_FALSE(flags_.dns_enabled);
  setenv("KUMA_DNS_ENABLED", "false", 1);
  ASSERT_EQ(parse({}), "");
  EXPECT_FALSE(flags_.dns_enabled);
  ASSERT_EQ(parse({"--dns-enabled"}), "");  // the flag beats the variable
  EXPECT_TRUE(flags_.dns_enabled);
}

TEST(EnvoyCommandLineTest, IsKumaDpsArgumentList) {
  AgentOptions o;
  o.envoy_binary = "/opt/envoy";
  o.drain_time = absl::Milliseconds(7900);  // whole seconds, as kuma-dp
  o.envoy_log_level = "warning";
  o.concurrency = 3;
  EXPECT_THAT(envoyCommandLine(o, "/w/bootstrap.yaml"),
              ElementsAre("/opt/envoy", "--config-path", "/w/bootstrap.yaml", "--drain-time-s", "7",
                          "--disable-hot-restart", "--log-level", "warning", "--concurrency", "3"));
  o.concurrency = 0;
  EXPECT_THAT(envoyCommandLine(o, "/w/bootstrap.yaml"),
              ElementsAre("/opt/envoy", "--config-path", "/w/bootstrap.yaml", "--drain-time-s", "7",
                          "--disable-hot-restart", "--log-level", "warning", "--cpuset-threads"));
}

}  // namespace
}  // namespace ursa::dp
