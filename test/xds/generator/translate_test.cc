// The translate functions of MeshHealthCheck, MeshRateLimit,
// MeshLoadBalancingStrategy hashPolicies and MeshRetry hostSelection,
// including input the validator lets through but a client cannot take.

#include <gtest/gtest.h>

#include "envoy/extensions/retry/host/omit_host_metadata/v3/omit_host_metadata_config.pb.h"
#include "envoy/extensions/retry/priority/previous_priorities/v3/previous_priorities_config.pb.h"
#include "google/protobuf/text_format.h"
#include "src/xds/generator/translate/translate.h"

namespace ursa::xds::gen::translate {
namespace {

using envoy::config::cluster::v3::Cluster;
using Mhc = ursa::policies::meshhealthcheck::v1alpha1::MeshHealthCheck;
using Mrl = ursa::policies::meshratelimit::v1alpha1::MeshRateLimit;
using Mlbs = ursa::policies::meshloadbalancingstrategy::v1alpha1::MeshLoadBalancingStrategy;
using ursa::policies::meshretry::v1alpha1::MeshRetry;

template <typename T>
T parse(const std::string& text) {
  T out;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &out)) << text;
  return out;
}

struct Warnings {
  std::vector<std::string> list;
  Warn fn() {
    return [this](std::string w) { list.push_back(std::move(w)); };
  }
};

Cluster healthChecked(const std::string& conf, const std::string& protocol, Warnings& w) {
  Cluster c;
  c.set_name("backend");
  applyHealthCheck(c, parse<Mhc::Conf>(conf), protocol, w.fn());
  return c;
}

// --- MeshHealthCheck ---------------------------------------------------------

TEST(HealthCheckTest, UnsetTimingsTakeKumasDefaults) {
  Warnings w;
  Cluster c = healthChecked("http {}", "http", w);
  ASSERT_EQ(c.health_checks_size(), 1);
  const auto& hc = c.health_checks(0);
  EXPECT_EQ(hc.interval().seconds(), 60);
  EXPECT_EQ(hc.timeout().seconds(), 15);
  EXPECT_EQ(hc.unhealthy_threshold().value(), 5u);
  EXPECT_EQ(hc.healthy_threshold().value(), 1u);
  EXPECT_FALSE(hc.has_reuse_connection());
  EXPECT_EQ(hc.http_health_check().path(), "/");
  EXPECT_EQ(hc.http_health_check().codec_client_type(), envoy::type::v3::HTTP1);
  EXPECT_FALSE(c.has_common_lb_config());
  EXPECT_TRUE(w.list.empty());
}

TEST(HealthCheckTest, CheckerFollowsTheDestinationProtocol) {
  const std::string all = R"(http { path: "/h" expected_statuses: 204 }
                             tcp {} grpc { service_name: "svc" })";
  Warnings w;
  auto http2 = healthChecked(all, "http2", w).health_checks(0);
  EXPECT_EQ(http2.http_health_check().codec_client_type(), envoy::type::v3::HTTP2);
  ASSERT_EQ(http2.http_health_check().expected_statuses_size(), 1);
  EXPECT_EQ(http2.http_health_check().expected_statuses(0).start(), 204);
  EXPECT_EQ(http2.http_health_check().expected_statuses(0).end(), 205);
  EXPECT_EQ(healthChecked(all, "grpc", w).health_checks(0).grpc_health_check().service_name(),
            "svc");
  EXPECT_TRUE(healthChecked(all, "tcp", w).health_checks(0).has_tcp_health_check());
  EXPECT_TRUE(w.list.empty());
}

TEST(HealthCheckTest, DisabledCheckerFallsBackToTcpOnlyWhenTcpIsEnabled) {
  Warnings w;
  EXPECT_TRUE(healthChecked("http { disabled: true } tcp {}", "http", w)
                  .health_checks(0)
                  .has_tcp_health_check());
  EXPECT_TRUE(w.list.empty());
  // Kuma: the tcp fallback needs the protocol's own checker present and disabled.
  Cluster none = healthChecked("tcp {} healthy_panic_threshold { int_value: 0 }", "http", w);
  EXPECT_EQ(none.health_checks_size(), 0);
  EXPECT_TRUE(none.common_lb_config().has_healthy_panic_threshold());  // still applied
  ASSERT_EQ(w.list.size(), 1u);
  EXPECT_NE(w.list[0].find("no enabled checker for protocol http"), std::string::npos);
}

TEST(HealthCheckTest, PanicSettingsAndTcpPayloads) {
  Warnings w;
  Cluster c = healthChecked(R"(healthy_panic_threshold { string_value: "62.5" }
                              fail_traffic_on_panic: true
                              tcp { send: "ping\n" receive: "pong" receive: "" })",
                            "tcp", w);
  EXPECT_DOUBLE_EQ(c.common_lb_config().healthy_panic_threshold().value(), 62.5);
  EXPECT_TRUE(c.common_lb_config().zone_aware_lb_config().fail_traffic_on_panic());
  // The payloads' own bytes, hex-encoded for Envoy, as Kuma 2.2 sends them.
  const auto& tcp = c.health_checks(0).tcp_health_check();
  EXPECT_EQ(tcp.send().text(), "70696e670a");
  ASSERT_EQ(tcp.receive_size(), 1);
  EXPECT_EQ(tcp.receive(0).text(), "706f6e67");
  ASSERT_EQ(w.list.size(), 1u);
  EXPECT_NE(w.list[0].find("tcp.receive for backend: empty payload; left out"), std::string::npos)
      << w.list[0];
}

// --- MeshRateLimit -------------------------------------------------------------

TEST(RateLimitTest, HttpTokenBucketEnabledAndEnforcedForAll) {
  Warnings w;
  auto rl = httpRateLimit(parse<Mrl::LocalHttp>(R"(
      request_rate { num: 100 interval { seconds: 1 } }
      on_rate_limit { headers { set { name: "x-a" value: "1" }
                                add { name: "x-b" value: "2" } } })"),
                          w.fn());
  ASSERT_TRUE(rl.has_value());
  EXPECT_EQ(rl->stat_prefix(), "rate_limit");
  EXPECT_EQ(rl->token_bucket().max_tokens(), 100u);
  EXPECT_EQ(rl->token_bucket().tokens_per_fill().value(), 100u);
  EXPECT_EQ(rl->token_bucket().fill_interval().seconds(), 1);
  EXPECT_EQ(rl->filter_enabled().default_value().numerator(), 100u);
  EXPECT_EQ(rl->filter_enforced().default_value().numerator(), 100u);
  EXPECT_FALSE(rl->has_status());  // Envoy's 429
  ASSERT_EQ(rl->response_headers_to_add_size(), 2);
  EXPECT_EQ(rl->response_headers_to_add(0).append_action(),
            envoy::config::core::v3::HeaderValueOption::OVERWRITE_IF_EXISTS_OR_ADD);
  EXPECT_EQ(rl->response_headers_to_add(1).append_action(),
            envoy::config::core::v3::HeaderValueOption::APPEND_IF_EXISTS_OR_ADD);
  EXPECT_TRUE(w.list.empty());
}

TEST(RateLimitTest, StatusEnvoyDoesNotNameFallsBackTo429WithAWarning) {
  Warnings w;
  auto known = httpRateLimit(parse<Mrl::LocalHttp>(R"(
      request_rate { num: 1 interval { seconds: 1 } } on_rate_limit { status: 503 })"),
                             w.fn());
  EXPECT_EQ(known->status().code(), envoy::type::v3::ServiceUnavailable);
  auto unknown = httpRateLimit(parse<Mrl::LocalHttp>(R"(
      request_rate { num: 1 interval { seconds: 1 } } on_rate_limit { status: 599 })"),
                               w.fn());
  ASSERT_TRUE(unknown.has_value());
  EXPECT_FALSE(unknown->has_status());
  ASSERT_EQ(w.list.size(), 1u);
  EXPECT_NE(w.list[0].find("onRateLimit.status 599"), std::string::npos);
}

TEST(RateLimitTest, DisabledOrUnusableRatesGiveNoFilter) {
  Warnings w;
  EXPECT_FALSE(httpRateLimit(parse<Mrl::LocalHttp>(
                                 "disabled: true request_rate { num: 5 interval { seconds: 1 } }"),
                             w.fn()));
  EXPECT_FALSE(httpRateLimit(parse<Mrl::LocalHttp>("on_rate_limit { status: 429 }"), w.fn()));
  EXPECT_TRUE(w.list.empty());
  // The validator refuses these; a conf that gets here anyway warns.
  EXPECT_FALSE(httpRateLimit(
      parse<Mrl::LocalHttp>("request_rate { num: 0 interval { seconds: 1 } }"), w.fn()));
  EXPECT_FALSE(tcpRateLimit(parse<Mrl::LocalTcp>("connection_rate { num: 3 }"), w.fn()));
  ASSERT_EQ(w.list.size(), 2u);
  EXPECT_NE(w.list[0].find("local.http.requestRate.num is 0"), std::string::npos);
  EXPECT_NE(w.list[1].find("local.tcp.connectionRate.interval is under 50ms"), std::string::npos);
}

TEST(RateLimitTest, TcpConnectionBucket) {
  Warnings w;
  auto rl = tcpRateLimit(
      parse<Mrl::LocalTcp>("connection_rate { num: 10 interval { nanos: 500000000 } }"), w.fn());
  ASSERT_TRUE(rl.has_value());
  EXPECT_EQ(rl->stat_prefix(), "tcp_rate_limit");
  EXPECT_EQ(rl->token_bucket().max_tokens(), 10u);
  EXPECT_EQ(rl->token_bucket().fill_interval().nanos(), 500000000);
}

// --- MeshLoadBalancingStrategy hashPolicies ---------------------------------------

constexpr char kRingHash[] = R"(load_balancer { type: "RingHash" ring_hash {
    hash_policies { type: "Header" header { name: "x-user" } terminal: true }
    hash_policies { type: "Cookie" cookie { name: "s" ttl { seconds: 60 } path: "/" } }
    hash_policies { type: "SourceIP" }
    hash_policies { type: "QueryParameter" query_parameter { name: "q" } }
    hash_policies { type: "FilterState" filter_state { key: "io.grpc.channel_id" } } } })";

TEST(HashPolicyTest, EnvoyGetsEveryType) {
  Warnings w;
  auto out = hashPolicies(parse<Mlbs::Conf>(kRingHash), {}, "backend", w.fn());
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[0].header().header_name(), "x-user");
  EXPECT_TRUE(out[0].terminal());
  EXPECT_EQ(out[1].cookie().ttl().seconds(), 60);
  EXPECT_TRUE(out[2].connection_properties().source_ip());
  EXPECT_EQ(out[3].query_parameter().name(), "q");
  EXPECT_EQ(out[4].filter_state().key(), "io.grpc.channel_id");
  EXPECT_TRUE(w.list.empty());
}

TEST(HashPolicyTest, RingHashGrpcClientKeepsHeadersAndChannelId) {
  Warnings w;
  auto out = hashPolicies(parse<Mlbs::Conf>(kRingHash), {.proxyless = true, .ring_hash = true},
                          "backend", w.fn());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(out[0].has_header());
  EXPECT_TRUE(out[1].has_filter_state());
  EXPECT_EQ(w.list.size(), 3u);  // cookie, source IP, query parameter
}

TEST(HashPolicyTest, GrpcClientWithoutRingHashGetsNone) {
  Warnings w;
  auto out = hashPolicies(parse<Mlbs::Conf>(kRingHash), {.proxyless = true, .ring_hash = false},
                          "backend", w.fn());
  EXPECT_TRUE(out.empty());
  ASSERT_EQ(w.list.size(), 1u);
  EXPECT_TRUE(hashPolicies(parse<Mlbs::Conf>(R"(load_balancer { type: "RoundRobin" })"), {},
                           "backend", w.fn())
                  .empty());
}

// --- MeshRetry hostSelection ----------------------------------------------------

TEST(RetryHostSelectionTest, PredicatesAndPriority) {
  auto policy = httpRetryPolicy(parse<MeshRetry::Http>(R"(
      host_selection { predicate: "OmitPreviousHosts" }
      host_selection { predicate: "OmitHostsWithTags" tags { key: "version" value: "v1" } }
      host_selection { predicate: "OmitPreviousPriorities" update_frequency: 3 }
      host_selection_max_attempts: 4)"));
  ASSERT_EQ(policy.retry_host_predicate_size(), 2);
  EXPECT_EQ(policy.retry_host_predicate(0).name(), "envoy.retry_host_predicates.previous_hosts");
  EXPECT_EQ(policy.retry_host_predicate(1).name(),
            "envoy.retry_host_predicates.omit_host_metadata");
  envoy::extensions::retry::host::omit_host_metadata::v3::OmitHostMetadataConfig omit;
  ASSERT_TRUE(policy.retry_host_predicate(1).typed_config().UnpackTo(&omit));
  const auto& lb = omit.metadata_match().filter_metadata().at("envoy.lb");
  EXPECT_EQ(lb.fields().at("version").string_value(), "v1");
  EXPECT_EQ(policy.retry_priority().name(), "envoy.retry_priorities.previous_priorities");
  envoy::extensions::retry::priority::previous_priorities::v3::PreviousPrioritiesConfig priorities;
  ASSERT_TRUE(policy.retry_priority().typed_config().UnpackTo(&priorities));
  EXPECT_EQ(priorities.update_frequency(), 3);
  EXPECT_EQ(policy.host_selection_retry_max_attempts(), 4);
}

}  // namespace
}  // namespace ursa::xds::gen::translate
