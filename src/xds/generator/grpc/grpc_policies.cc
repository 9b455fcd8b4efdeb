#include "src/xds/generator/grpc/grpc_internal.h"

#include <algorithm>

#include "src/xds/generator/translate/translate.h"
#include "ursa/common/strings.h"
#include "ursa/mesh/v1alpha1/dataplane.pb.h"

namespace ursa::xds::gen::grpc_profile {

namespace {

using ursa::policies::meshfaultinjection::v1alpha1::MeshFaultInjection;
using ursa::policies::meshretry::v1alpha1::MeshRetry;
using ursa::policies::meshtimeout::v1alpha1::MeshTimeout;

translate::Warn warnerOf(SnapshotBuilder& out) {
  return [&out](std::string w) { out.addWarning(std::move(w)); };
}

// The client's own tags, as its x-kuma-tags would carry them: every
// inbound's tags, the first value of a key winning.
policy::Subset clientSubset(const model::Resource& dataplane) {
  const auto& net = static_cast<const ursa::mesh::v1alpha1::Dataplane&>(*dataplane.spec).networking();
  std::map<std::string, std::string> tags;
  for (const auto& in : net.inbound()) tags.insert(in.tags().begin(), in.tags().end());
  return policy::subsetFromTags(tags);
}

std::optional<absl::Duration> streamDeadline(const policy::Rule* rule, bool exact,
                                             const std::string& service, SnapshotBuilder& out) {
  const auto* conf = confOf<MeshTimeout::Conf>(rule);
  if (conf == nullptr) return std::nullopt;
  translate::TimeoutConf t = translate::withKumaDefaults(translate::timeoutConfOf(conf));
  std::optional<absl::Duration> shortest;
  for (absl::Duration d : {*t.request, *t.max_stream}) {
    if (d != absl::ZeroDuration() && (!shortest || d < *shortest)) shortest = d;
  }
  if (!shortest) return std::nullopt;
  return translate::grpcTimeout(*shortest, exact, strCat("MeshTimeout to ", service), warnerOf(out));
}

// The destination's MeshFaultInjection from-rules for this client: those of
// the first ready endpoint's inbound (every endpoint of a service is
// normally selected alike).
std::vector<envoy::extensions::filters::http::fault::v3::HTTPFault> faultsFor(
    const ProxyContext& ctx, const std::string& service, SnapshotBuilder& out) {
  if (!ctx.mesh->policies().contains(policy_types::kFaultInjection)) return {};
  auto endpoints = ctx.mesh->service(service);
  if (!endpoints) return {};
  auto first = std::find_if(endpoints->endpoints.begin(), endpoints->endpoints.end(),
                            [](const Endpoint& e) { return e.ready; });
  if (first == endpoints->endpoints.end()) return {};
  ProxyPolicies destination = ctx.mesh->policiesForEndpoint(*first);
  const policy::Rules* rules = destination.from(policy_types::kFaultInjection, "", first->port);
  if (rules == nullptr) return {};
  const policy::Rule* rule = policy::computeRule(*rules, clientSubset(*ctx.dataplane));
  const auto* conf = confOf<MeshFaultInjection::Conf>(rule);
  if (conf == nullptr) return {};
  return translate::faultFilters(*conf, nullptr, /*proxyless=*/true, warnerOf(out));
}

}  // namespace

ClientPolicies clientPolicies(const ProxyContext& ctx, const ProxyPolicies& policies,
                              const std::string& service, SnapshotBuilder& out) {
  ClientPolicies p;
  const auto* retry = confOf<MeshRetry::Conf>(policies.to(policy_types::kRetry, service));
  if (retry != nullptr && retry->has_grpc()) {
    p.retry = translate::proxylessRetryPolicy(retry->grpc(), warnerOf(out));
  }
  p.max_stream_duration = streamDeadline(policies.to(policy_types::kTimeout, service),
                                         ctx.client.exact_timeouts, service, out);
  p.faults = faultsFor(ctx, service, out);
  using Mhr = ursa::policies::meshhttproute::v1alpha1::MeshHTTPRoute;
  const auto* route = confOf<Mhr::To>(policies.to(policy_types::kHttpRoute, service));
  if (route != nullptr && !route->rules().empty()) {
    p.routes = translate::httpRoutes(*route, service, /*proxyless=*/true, warnerOf(out));
  }
  using Mlbs = ursa::policies::meshloadbalancingstrategy::v1alpha1::MeshLoadBalancingStrategy;
  if (const auto* lb = confOf<Mlbs::Conf>(policies.to(policy_types::kLoadBalancing, service))) {
    p.hash_policies = translate::hashPolicies(
        *lb, {.proxyless = true, .ring_hash = ctx.client.ring_hash}, service, warnerOf(out));
  }
  return p;
}

void applyClusterPolicies(const ProxyContext& ctx, const ProxyPolicies& policies,
                          const std::string& service, envoy::config::cluster::v3::Cluster& cluster,
                          SnapshotBuilder& out) {
  using Mcb = ursa::policies::meshcircuitbreaker::v1alpha1::MeshCircuitBreaker;
  using Mlbs = ursa::policies::meshloadbalancingstrategy::v1alpha1::MeshLoadBalancingStrategy;
  if (const auto* cb = confOf<Mcb::Conf>(policies.to(policy_types::kCircuitBreaker, service))) {
    translate::applyCircuitBreaker(cluster, *cb, /*proxyless=*/true, warnerOf(out));
  }
  if (const auto* lb = confOf<Mlbs::Conf>(policies.to(policy_types::kLoadBalancing, service))) {
    translate::applyLoadBalancer(cluster, *lb, {.proxyless = true, .ring_hash = ctx.client.ring_hash},
                                 warnerOf(out));
  }
  if (policies.to(policy_types::kHealthCheck, service) != nullptr) {
    out.addWarning(strCat("MeshHealthCheck for ", cluster.name(),
                          ": gRPC xDS clients do not run active health checks; ignored"));
  }
}

void warnServerOnlyPolicies(const ProxyPolicies& policies, const std::string& address,
                            uint32_t port, SnapshotBuilder& out) {
  if (policies.from(policy_types::kRateLimit, address, port) != nullptr) {
    out.addWarning(strCat("MeshRateLimit on inbound ", address, ":", port,
                          ": gRPC xDS servers have no rate limit filter; ignored"));
  }
}

std::optional<envoy::extensions::filters::http::rbac::v3::RBAC> serverRbac(
    const ProxyContext& ctx, const ProxyPolicies& policies, const std::string& address,
    uint32_t port, bool mtls, SnapshotBuilder& out) {
  if (!mtls) return std::nullopt;
  translate::Rbac rbac = translate::rbacOf(
      policies.from(policy_types::kTrafficPermission, address, port), ctx.mesh->name());
  if (rbac.shadow) {
    out.addWarning(strCat("MeshTrafficPermission AllowWithShadowDeny on inbound ", address, ":",
                          port, ": gRPC servers have no shadow rules; allowed without logging"));
  }
  envoy::extensions::filters::http::rbac::v3::RBAC config;
  *config.mutable_rules() = std::move(rbac.rules);
  return config;
}

}  // namespace ursa::xds::gen::grpc_profile
