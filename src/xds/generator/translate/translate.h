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
#include "google/protobuf/duration.pb.h"
#include "ursa/policies/meshcircuitbreaker/v1alpha1/meshcircuitbreaker.pb.h"
#include "ursa/policies/meshfaultinjection/v1alpha1/meshfaultinjection.pb.h"
#include "ursa/policies/meshloadbalancingstrategy/v1alpha1/meshloadbalancingstrategy.pb.h"
#include "ursa/policies/meshhttproute/v1alpha1/meshhttproute.pb.h"
#include "ursa/policies/meshtcproute/v1alpha1/meshtcproute.pb.h"
#include "ursa/policies/meshretry/v1alpha1/meshretry.pb.h"
#include "ursa/policies/meshtimeout/v1alpha1/meshtimeout.pb.h"
#include "ursa/policy/rules.h"

namespace ursa::xds::gen::translate {

using Warn = std::function<void(std::string)>;

absl::Duration toAbsl(const google::protobuf::Duration& d);
void setDuration(google::protobuf::Duration* out, absl::Duration d);

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
// crashes on it, gRPC C++ 1.51), with a warning. Hash policies and locality
// awareness are not translated yet.
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

}  // namespace ursa::xds::gen::translate
