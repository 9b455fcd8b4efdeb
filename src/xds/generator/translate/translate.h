#pragma once

// Policy confs -> Envoy API pieces, shared by the Envoy and proxyless gRPC
// profiles (both speak the Envoy API; each profile decides where a piece
// goes and what its client can take). One file per policy type; see
// docs/policies.md for which field reaches which client.
//
// Pure functions: no state, no I/O. Warnings go to the caller's
// SnapshotBuilder through the `warn` callback where a function can drop or
// change what a policy asked for.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/rbac/v3/rbac.pb.h"
#include "envoy/config/route/v3/route_components.pb.h"
#include "envoy/extensions/filters/http/fault/v3/fault.pb.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/duration.pb.h"
#include "ursa/policies/meshcircuitbreaker/v1alpha1/meshcircuitbreaker.pb.h"
#include "ursa/policies/meshfaultinjection/v1alpha1/meshfaultinjection.pb.h"
#include "ursa/policies/meshloadbalancingstrategy/v1alpha1/meshloadbalancingstrategy.pb.h"
#include "ursa/policies/meshhttproute/v1alpha1/meshhttproute.pb.h"
#include "ursa/policies/meshtcproute/v1alpha1/meshtcproute.pb.h"
#include "ursa/policies/meshretry/v1alpha1/meshretry.pb.h"
#include "ursa/policies/meshtimeout/v1alpha1/meshtimeout.pb.h"
#include "envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit.pb.h"
#include "envoy/extensions/filters/network/local_ratelimit/v3/local_rate_limit.pb.h"
#include "ursa/policies/meshhealthcheck/v1alpha1/meshhealthcheck.pb.h"
#include "ursa/policies/meshratelimit/v1alpha1/meshratelimit.pb.h"
#include "ursa/policy/rules.h"

namespace ursa::xds::gen::translate {

using Warn = std::function<void(std::string)>;

absl::Duration toAbsl(const google::protobuf::Duration& d);
void setDuration(google::protobuf::Duration* out, absl::Duration d);
// Packs `m` into `out` (type URL "type.googleapis.com/<full name>") with
// deterministic bytes (maps in stable order).
void pack(const google::protobuf::Message& m, google::protobuf::Any* out);

// --- MeshTrafficPermission (rbac.cc) --------------------------------------------

// Kuma's RBAC for one inbound from its MeshTrafficPermission from-rules:
// `rules` ALLOW with one policy "MeshTrafficPermission" (permissions any)
// whose principals are the subsets of Allow and AllowWithShadowDeny rules;
// `shadow` DENY with the AllowWithShadowDeny subsets. No rules, or no
// allowing rule, gives an ALLOW without policies: everything is denied.
struct Rbac {
  envoy::config::rbac::v3::RBAC rules;
  std::optional<envoy::config::rbac::v3::RBAC> shadow;  // set when some rule shadow-denies
};
Rbac rbacOf(const policy::Rules* rules, const std::string& mesh);
// A subset as an RBAC principal: kuma.io/service -> URI SAN
// spiffe://<mesh>/<svc>, other tags -> kuma://<key>/<value>; several tags
// and_ids, negated not_id, empty any.
envoy::config::rbac::v3::Principal principalOf(const policy::Subset& subset,
                                               const std::string& mesh);

// --- MeshTimeout (timeout.cc) ---------------------------------------------------

// Every timeout a MeshTimeout conf can set; unset optionals mean "the
// policy did not say".
struct TimeoutConf {
  std::optional<absl::Duration> connect, idle, request, stream_idle, max_stream, max_connection;
};
// The explicit fields of a merged conf; null gives all unset.
TimeoutConf timeoutConfOf(const ursa::policies::meshtimeout::v1alpha1::MeshTimeout::Conf* conf);
// Kuma's plugin defaults for the fields a matched conf leaves unset
// (connect 5s, idle 1h, request 15s, stream idle 30m, the rest off).
TimeoutConf withKumaDefaults(TimeoutConf conf);

// gRPC C++ 1.51 fires xDS timeouts 1-2 s early (grpc/grpc#34547):
// returns `d` + 2 s of headroom, or nullopt (dropped) when `d` < 2 s, and
// warns either way. Exact clients get `d` unchanged.
std::optional<absl::Duration> grpcTimeout(absl::Duration d, bool exact_timeouts,
                                          const std::string& what, const Warn& warn);

// --- MeshRetry (retry.cc) -------------------------------------------------------

// Kuma's HTTP retry policy (default retry_on
// "gateway-error,connect-failure,refused-stream").
envoy::config::route::v3::RetryPolicy httpRetryPolicy(
    const ursa::policies::meshretry::v1alpha1::MeshRetry::Http& http);
// Kuma's gRPC retry policy for Envoy (default retry_on
// "cancelled,connect-failure,gateway-error,refused-stream,reset,resource-exhausted,unavailable").
envoy::config::route::v3::RetryPolicy grpcRetryPolicy(
    const ursa::policies::meshretry::v1alpha1::MeshRetry::Grpc& grpc);
// The same for a proxyless gRPC client: only gRPC status names in
// retry_on, num_retries and retry_back_off (what gRPC honours); warns
// about what is left out.
envoy::config::route::v3::RetryPolicy proxylessRetryPolicy(
    const ursa::policies::meshretry::v1alpha1::MeshRetry::Grpc& grpc, const Warn& warn);

// --- MeshFaultInjection (fault.cc) ----------------------------------------------

// One Envoy fault filter config per `http[]` entry. `source` non-null adds
// Kuma's x-kuma-tags header matchers for that client subset (Envoy inbound),
// and requires the header (sent by sidecars only: proxyless clients fault
// themselves);
// proxyless clients pass null (the fault is already theirs). With
// `proxyless`, response bandwidth limits (unsupported by gRPC) are left
// out with a warning.
std::vector<envoy::extensions::filters::http::fault::v3::HTTPFault> faultFilters(
    const ursa::policies::meshfaultinjection::v1alpha1::MeshFaultInjection::Conf& conf,
    const policy::Subset* source, bool proxyless, const Warn& warn);

// --- MeshCircuitBreaker, MeshLoadBalancingStrategy (cluster.cc) ----------------------

// Connection limits → circuit_breakers.thresholds[DEFAULT]; outlier
// detection with Kuma's rule that a detector not configured is not enforced
// (enforcing_* 0). `proxyless`: only max_requests, success-rate and
// failure-percentage detection (what gRPC honours), warning about the rest.
void applyCircuitBreaker(envoy::config::cluster::v3::Cluster& cluster,
                         const ursa::policies::meshcircuitbreaker::v1alpha1::MeshCircuitBreaker::Conf& conf,
                         bool proxyless, const Warn& warn);

struct ClusterClient {
  bool proxyless = false;
  bool ring_hash = true;  // ClientCapabilities::ring_hash
};
// loadBalancer → lb_policy and its config. Proxyless clients get
// ROUND_ROBIN for anything but RingHash (and RingHash too when the client
// crashes on it, gRPC C++ 1.51), with a warning. Hash policies go on routes
// (hashPolicies below); locality awareness changes nothing on a single-zone
// control plane (docs/policies.md).
void applyLoadBalancer(
    envoy::config::cluster::v3::Cluster& cluster,
    const ursa::policies::meshloadbalancingstrategy::v1alpha1::MeshLoadBalancingStrategy::Conf& conf,
    const ClusterClient& client, const Warn& warn);

// --- Shared -----------------------------------------------------------------

// Kuma's HeaderMatch (Exact by default, Present, Absent, Prefix,
// RegularExpression) as an Envoy HeaderMatcher.
void setHeaderMatcher(envoy::config::route::v3::HeaderMatcher* out,
                      const ursa::common::v1alpha1::HeaderMatch& in);

// --- MeshHTTPRoute / MeshTCPRoute (route.cc) ------------------------------------

// A cluster a route sends to: the service's own (`tags` empty, name = the
// service) or a split cluster holding only the endpoints with `tags`
// (its own EDS resource, the service's endpoints subset).
struct BackendCluster {
  std::string name;
  std::string service;
  std::map<std::string, std::string> tags;
  auto operator<=>(const BackendCluster&) const = default;
};
// "<service>-_<k>=<v>,..._" for a subset, the service itself otherwise.
BackendCluster backendCluster(const std::string& service,
                              const std::map<std::string, std::string>& tags);

struct Routes {
  // In match order; every one with a `route` action has its cluster(s) set
  // (callers add timeouts and retries), or a `redirect`.
  std::vector<envoy::config::route::v3::Route> routes;
  std::vector<BackendCluster> clusters;  // distinct, sorted
};
// MeshHTTPRoute to-conf (the merged `rules`) for destination `service`:
// Kuma 2.2's route ordering (exact paths, then longer prefixes, then
// regexes; then method, headers and query parameters), a Prefix match
// turned into `path` + `prefix "<p>/"`, and a catch-all to `service`
// appended unless a rule matches everything. `proxyless` keeps what gRPC's
// xDS client honours (path, headers, weighted clusters) and warns about the
// rest (query parameters, method, filters).
Routes httpRoutes(const ursa::policies::meshhttproute::v1alpha1::MeshHTTPRoute::To& conf,
                  const std::string& service, bool proxyless, const Warn& warn);
// MeshTCPRoute to-conf (its rule): the backend clusters and weights.
std::vector<std::pair<BackendCluster, uint32_t>> tcpBackends(
    const ursa::policies::meshtcproute::v1alpha1::MeshTCPRoute::Rule& rule,
    const std::string& service);

// --- MeshHealthCheck (health_check.cc) ------------------------------------------

// Active health checking of a destination cluster (Kuma 2.2's
// meshhealthcheck plugin): healthy_panic_threshold and fail_traffic_on_panic
// on common_lb_config, and one health check whose checker follows the
// destination's kuma.io/protocol (`protocol`: "http", "http2", "grpc",
// "tcp"; anything else gets none): http/http2 → http, grpc → grpc, tcp →
// tcp; an http or grpc destination whose checker is disabled falls back to
// an enabled tcp one. Unset timings take Kuma's defaults (interval 1m,
// timeout 15s, unhealthy 5, healthy 1). TCP payloads are base64 (sent as
// binary); one that does not decode is dropped with a warning.
void applyHealthCheck(envoy::config::cluster::v3::Cluster& cluster,
                      const ursa::policies::meshhealthcheck::v1alpha1::MeshHealthCheck::Conf& conf,
                      const std::string& protocol, const Warn& warn);

// --- MeshRateLimit (rate_limit.cc) ----------------------------------------------

// The stat prefixes Kuma gives the HTTP and TCP local rate limit filters.
inline constexpr char kHttpRateLimitStatPrefix[] = "rate_limit";
inline constexpr char kTcpRateLimitStatPrefix[] = "tcp_rate_limit";
// The per-route config of envoy.filters.http.local_ratelimit: a token
// bucket of requestRate.num tokens refilled every interval, enabled and
// enforced for 100% of requests, onRateLimit's status (Envoy's 429 when
// unset) and response headers. nullopt when disabled or without a rate;
// a rate of 0 or an interval under 50ms (the validator refuses both) warns.
std::optional<envoy::extensions::filters::http::local_ratelimit::v3::LocalRateLimit>
httpRateLimit(const ursa::policies::meshratelimit::v1alpha1::MeshRateLimit::LocalHttp& http,
              const Warn& warn);
// envoy.filters.network.local_ratelimit: connectionRate as a token bucket
// (excess connections are closed). nullopt as for httpRateLimit.
std::optional<envoy::extensions::filters::network::local_ratelimit::v3::LocalRateLimit>
tcpRateLimit(const ursa::policies::meshratelimit::v1alpha1::MeshRateLimit::LocalTcp& tcp,
             const Warn& warn);

// --- MeshLoadBalancingStrategy hashPolicies (hash_policy.cc) ---------------------

// The route hash policies of a RingHash or Maglev loadBalancer (none for
// other types). Proxyless clients on RING_HASH (ClusterClient::ring_hash)
// get what gRPC honours (gRFC A42: Header, FilterState io.grpc.channel_id),
// warning about the rest; on any other policy every hash policy is dropped
// with a warning.
std::vector<envoy::config::route::v3::RouteAction::HashPolicy> hashPolicies(
    const ursa::policies::meshloadbalancingstrategy::v1alpha1::MeshLoadBalancingStrategy::Conf& conf,
    const ClusterClient& client, const std::string& service, const Warn& warn);

}  // namespace ursa::xds::gen::translate
