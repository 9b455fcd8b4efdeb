#pragma once

// Policies in the proxyless gRPC profile (docs/policies.md): what each
// targetRef policy becomes in the resources a gRPC xDS client or server
// honours. gRPC takes RBAC only on servers and fault injection only on
// clients (anything else is a NACK), so a source-specific fault is placed in
// the *source* client's own configuration.

#include <optional>
#include <string>
#include <vector>

#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/route/v3/route_components.pb.h"
#include "envoy/extensions/filters/http/fault/v3/fault.pb.h"
#include "envoy/extensions/filters/http/rbac/v3/rbac.pb.h"
#include "src/xds/generator/generator.h"
#include "src/xds/generator/policies.h"
#include "src/xds/generator/translate/translate.h"

namespace ursa::xds::gen::grpc_profile {

// What the proxy's to-rules (and its destination's from-rules) ask of its
// client side for one destination service.
struct ClientPolicies {
  // MeshRetry grpc: replaces the default retry policy when set.
  std::optional<envoy::config::route::v3::RetryPolicy> retry;
  // MeshTimeout: requestTimeout / maxStreamDuration, the shorter one, as the
  // route's max_stream_duration (after 1.51's headroom).
  std::optional<absl::Duration> max_stream_duration;
  // MeshHTTPRoute: the routes replacing the single one to the service.
  std::optional<translate::Routes> routes;
  // MeshFaultInjection of the destination's inbounds, for this client.
  std::vector<envoy::extensions::filters::http::fault::v3::HTTPFault> faults;
  // MeshLoadBalancingStrategy hashPolicies gRPC honours (ring hash clients).
  std::vector<envoy::config::route::v3::RouteAction::HashPolicy> hash_policies;
};
ClientPolicies clientPolicies(const ProxyContext& ctx, const ProxyPolicies& policies,
                              const std::string& service, SnapshotBuilder& out);

// MeshCircuitBreaker (max_requests, outlier detection by success rate and
// failure percentage) and MeshLoadBalancingStrategy (round robin; ring hash
// where the client survives it) of the to-rule for `service`, on `cluster`.
// A MeshHealthCheck to-rule only warns: gRPC clients have no active health
// checking.
void applyClusterPolicies(const ProxyContext& ctx, const ProxyPolicies& policies,
                          const std::string& service, envoy::config::cluster::v3::Cluster& cluster,
                          SnapshotBuilder& out);

// The HTTP RBAC filter of the server listening for the inbound on
// `address:port` (the Dataplane inbound's listener), from its
// MeshTrafficPermission from-rules; nullopt without mTLS (gRPC matches
// principals only on TLS connections). Shadow rules are left out with a
// warning: AllowWithShadowDeny allows.
std::optional<envoy::extensions::filters::http::rbac::v3::RBAC> serverRbac(
    const ProxyContext& ctx, const ProxyPolicies& policies, const std::string& address,
    uint32_t port, bool mtls, SnapshotBuilder& out);

// Warns about the from-rules of the inbound on `address:port` that a gRPC
// server cannot take (MeshRateLimit: gRPC's xDS server has no rate limit
// filter).
void warnServerOnlyPolicies(const ProxyPolicies& policies, const std::string& address,
                            uint32_t port, SnapshotBuilder& out);

}  // namespace ursa::xds::gen::grpc_profile
