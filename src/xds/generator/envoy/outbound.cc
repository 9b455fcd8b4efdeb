// Outbounds (Kuma 2.2's OutboundProxyGenerator with the default route and
// timeout policies in force):
//  - a listener "outbound:<address>:<port>" per explicit networking.outbound
//    (address 127.0.0.1 unless given), an HTTP connection manager (grpc_stats
//    for gRPC) or a tcp_proxy by the protocol the service's endpoints agree on;
//  - for every reachable service (explicit outbounds, plus every service of
//    the mesh under transparent proxying, narrowed by reachableServices), an
//    EDS cluster "<service>" over ADS speaking HTTP/2 to the peer sidecar,
//    with mesh mTLS when enabled, and its ClusterLoadAssignment built from the
//    ready endpoints.
//
// Policies from the proxy's to-rules for each service: MeshTimeout (cluster,
// HCM, route and tcp_proxy timeouts), MeshRetry (the virtual host's
// retry policy; tcp_proxy max_connect_attempts), the cluster policies
// (MeshCircuitBreaker, MeshLoadBalancingStrategy, MeshHealthCheck) and
// MeshLoadBalancingStrategy hashPolicies on every route.
//
// Clusters and load assignments depend only on the service and the mesh
// (unless a policy changes the cluster), so they are memoised per
// ServiceEndpoints object (immutable and shared by
// MeshContext): proxies reaching the same service reuse the same bytes
// without rebuilding them.

#include <algorithm>
#include <mutex>
#include <set>
#include <unordered_map>

#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "src/xds/generator/envoy/envoy_internal.h"
#include "src/xds/generator/translate/translate.h"
#include "ursa/common/strings.h"

namespace ursa::xds::gen::envoy_profile {

namespace {

using envoy::config::cluster::v3::Cluster;
using envoy::config::endpoint::v3::ClusterLoadAssignment;
using envoy::config::listener::v3::FilterChain;
using envoy::config::listener::v3::Listener;
using envoy::extensions::filters::network::http_connection_manager::v3::HttpConnectionManager;
using ursa::mesh::v1alpha1::Dataplane;

Protocol protocolOf(const ServiceEndpointsConstSharedPtr& endpoints) {
  return endpoints ? parseProtocol(endpoints->protocol) : Protocol::Tcp;
}

// --- Clusters and endpoints ----------------------------------------------------

Cluster outboundCluster(const MeshContext& mesh, const std::string& service, Protocol protocol,
                        const Timeouts& timeouts = kOutboundTimeouts) {
  Cluster c;
  c.set_name(service);
  c.set_type(Cluster::EDS);
  setAds(c.mutable_eds_cluster_config()->mutable_eds_config());
  setDuration(c.mutable_connect_timeout(), timeouts.connect);
  // Sidecar to sidecar is always HTTP/2, whatever the application speaks.
  setUpstreamHttpOptions(&c, /*http2=*/true, isHttp(protocol) ? &timeouts : nullptr);
  if (mesh.mtlsEnabled()) {
    setTlsTransportSocket(c.mutable_transport_socket(), upstreamTls(mesh.name(), service));
  }
  return c;
}

// Tags minus kuma.io/service, as envoy.lb and envoy.transport_socket_match.
void setEndpointMetadata(envoy::config::endpoint::v3::LbEndpoint* lb,
                         const std::map<std::string, std::string>& tags) {
  std::map<std::string, std::string> fields = tags;
  fields.erase(kServiceTag);
  if (fields.empty()) return;
  auto& metadata = *lb->mutable_metadata()->mutable_filter_metadata();
  setStringFields(&metadata["envoy.lb"], fields);
  setStringFields(&metadata["envoy.transport_socket_match"], fields);
}

ClusterLoadAssignment loadAssignment(const std::string& service,
                                     const ServiceEndpointsConstSharedPtr& endpoints) {
  ClusterLoadAssignment cla;
  cla.set_cluster_name(service);
  if (!endpoints) return cla;
  // Ready endpoints by zone (kuma.io/zone), each zone sorted by address and port.
  std::map<std::string, std::vector<const Endpoint*>> by_zone;
  for (const auto& e : endpoints->endpoints) {
    if (!e.ready) continue;
    auto zone = e.tags.find(kZoneTag);
    by_zone[zone == e.tags.end() ? "" : zone->second].push_back(&e);
  }
  for (auto& [zone, eps] : by_zone) {
    std::sort(eps.begin(), eps.end(), [](const Endpoint* a, const Endpoint* b) {
      return std::tie(a->address, a->port, a->dataplane) <
             std::tie(b->address, b->port, b->dataplane);
    });
    auto* locality = cla.add_endpoints();
    if (!zone.empty()) locality->mutable_locality()->set_zone(zone);
    for (const Endpoint* e : eps) {
      auto* lb = locality->add_lb_endpoints();
      setSocketAddress(lb->mutable_endpoint()->mutable_address(), e->address, e->port);
      lb->mutable_load_balancing_weight()->set_value(1);
      setEndpointMetadata(lb, e->tags);
    }
  }
  return cla;
}

// The memo of per-service resources (see the file comment).
class ServiceResourceCache {
 public:
  struct Entry {
    std::weak_ptr<const ServiceEndpoints> source;
    std::string mesh;
    bool mtls = false;
    ResourcePtr cluster;
    ResourcePtr cla;
  };

  Entry get(const MeshContext& mesh, const ServiceEndpointsConstSharedPtr& endpoints) {
    {
      std::lock_guard lock(mu_);
      auto it = entries_.find(endpoints.get());
      if (it != entries_.end() && it->second.source.lock() == endpoints &&
          it->second.mesh == mesh.name() && it->second.mtls == mesh.mtlsEnabled()) {
        return it->second;
      }
    }
    Entry e = build(mesh, endpoints);
    std::lock_guard lock(mu_);
    if (++inserts_ % 1024 == 0) sweep();
    entries_[endpoints.get()] = e;
    return e;
  }

  static Entry build(const MeshContext& mesh, const ServiceEndpointsConstSharedPtr& endpoints) {
    const std::string& service = endpoints->service;
    Entry e{endpoints, mesh.name(), mesh.mtlsEnabled(), nullptr, nullptr};
    e.cluster = internResource(service, outboundCluster(mesh, service, protocolOf(endpoints)));
    e.cla = internResource(service, loadAssignment(service, endpoints));
    return e;
  }

 private:
  void sweep() {  // REQUIRES: mu_ held
    std::erase_if(entries_, [](const auto& kv) { return kv.second.source.expired(); });
  }
  std::mutex mu_;
  std::unordered_map<const ServiceEndpoints*, Entry> entries_;
  uint64_t inserts_ = 0;
};

ServiceResourceCache& serviceCache() {
  static auto* cache = new ServiceResourceCache();  // never destroyed: used until exit
  return *cache;
}

using Mcb = ursa::policies::meshcircuitbreaker::v1alpha1::MeshCircuitBreaker;
using Mlbs = ursa::policies::meshloadbalancingstrategy::v1alpha1::MeshLoadBalancingStrategy;
using Mhc = ursa::policies::meshhealthcheck::v1alpha1::MeshHealthCheck;

std::string protocolName(Protocol protocol) {
  switch (protocol) {
    case Protocol::Http: return "http";
    case Protocol::Http2: return "http2";
    case Protocol::Grpc: return "grpc";
    case Protocol::Tcp: break;
  }
  return "tcp";
}

// The proxy's own cluster for `service` when a to-rule changes it
// The to-rules that shape a service's cluster (MeshTimeout,
// MeshCircuitBreaker, MeshLoadBalancingStrategy, MeshHealthCheck).
struct ClusterRules {
  const policy::Rule* timeout = nullptr;
  const policy::Rule* circuit_breaker = nullptr;
  const policy::Rule* load_balancing = nullptr;
  const policy::Rule* health_check = nullptr;
};

ClusterRules clusterRules(const ProxyPolicies& policies, const std::string& service) {
  return {policies.to(policy_types::kTimeout, service),
          policies.to(policy_types::kCircuitBreaker, service),
          policies.to(policy_types::kLoadBalancing, service),
          policies.to(policy_types::kHealthCheck, service)};
}

// The proxy's own cluster for `service` when a to-rule changes it; nullopt
// when the shared, memoised one applies.
std::optional<Cluster> proxyCluster(const MeshContext& mesh, const std::string& service,
                                    Protocol protocol, const ClusterRules& rules,
                                    const translate::Warn& warn) {
  const auto* cb = confOf<Mcb::Conf>(rules.circuit_breaker);
  const auto* lb = confOf<Mlbs::Conf>(rules.load_balancing);
  const auto* hc = confOf<Mhc::Conf>(rules.health_check);
  if (rules.timeout == nullptr && cb == nullptr && lb == nullptr && hc == nullptr) {
    return std::nullopt;
  }
  Cluster c =
      outboundCluster(mesh, service, protocol, timeoutsOf(rules.timeout, kOutboundTimeouts));
  if (cb != nullptr) translate::applyCircuitBreaker(c, *cb, false, warn);
  if (lb != nullptr) translate::applyLoadBalancer(c, *lb, {}, warn);
  if (hc != nullptr) translate::applyHealthCheck(c, *hc, protocolName(protocol), warn);
  return c;
}

// confKey() of the rules one proxy's generation meets, each computed once
// (the rules outlive the generation).
class ConfKeys {
 public:
  const std::string& of(const policy::Rule* rule) {
    auto [it, fresh] = keys_.try_emplace(rule);
    if (fresh) it->second = confKey(rule);
    return it->second;
  }

 private:
  std::unordered_map<const policy::Rule*, std::string> keys_;
};

// proxyCluster() as an interned resource named `service`, memoised by every
// input (proxies under the same rules share it); null when no rule applies.
ResourcePtr proxyClusterResource(const MeshContext& mesh, const std::string& service,
                                 Protocol protocol, const ClusterRules& rules,
                                 ConfKeys& keys, SnapshotBuilder& out) {
  const auto* cb = confOf<Mcb::Conf>(rules.circuit_breaker);
  const auto* lb = confOf<Mlbs::Conf>(rules.load_balancing);
  const auto* hc = confOf<Mhc::Conf>(rules.health_check);
  if (rules.timeout == nullptr && cb == nullptr && lb == nullptr && hc == nullptr) return nullptr;
  std::string key =
      strCat("outbound-cluster|", mesh.name(), "|", mesh.mtlsEnabled(), "|",
             static_cast<int>(protocol), "|", service.size(), ":", service, "|",
             keys.of(rules.timeout), "|", keys.of(cb ? rules.circuit_breaker : nullptr), "|",
             keys.of(lb ? rules.load_balancing : nullptr), "|",
             keys.of(hc ? rules.health_check : nullptr));
  ResourceMemo::Entry entry = resourceMemo().get(key, [&] {
    ResourceMemo::Entry built;
    auto warn = [&](std::string w) { built.warnings.push_back(std::move(w)); };
    built.resource = internResource(service, *proxyCluster(mesh, service, protocol, rules, warn));
    return built;
  });
  for (auto& w : entry.warnings) out.addWarning(std::move(w));
  return entry.resource;
}

// The cluster and endpoints of `service`; a cluster policy makes the cluster
// differ from the service's shared one.
void addServiceResources(const MeshContext& mesh, const std::string& service,
                         const ProxyPolicies& policies, ConfKeys& keys, SnapshotBuilder& out) {
  auto endpoints = mesh.service(service);
  Protocol protocol = protocolOf(endpoints);
  ResourcePtr own =
      proxyClusterResource(mesh, service, protocol, clusterRules(policies, service), keys, out);
  if (!endpoints) {  // no dataplane serves it: an empty assignment
    if (own) {
      out.add(TypeIndex::Cluster, own);
    } else {
      out.add(TypeIndex::Cluster, service, outboundCluster(mesh, service, Protocol::Tcp));
    }
    out.add(TypeIndex::Endpoint, service, loadAssignment(service, nullptr));
    return;
  }
  auto entry = serviceCache().get(mesh, endpoints);
  out.add(TypeIndex::Cluster, own ? own : entry.cluster);
  out.add(TypeIndex::Endpoint, entry.cla);
}

// A route's backend: the service's own resources, or a split cluster
// "<service>-_<tags>_" with an assignment of the matching endpoints only.
void addBackendResources(const MeshContext& mesh, const translate::BackendCluster& backend,
                         const ProxyPolicies& policies, ConfKeys& keys, SnapshotBuilder& out) {
  if (backend.tags.empty()) {
    addServiceResources(mesh, backend.service, policies, keys, out);
    return;
  }
  auto endpoints = endpointSubset(mesh.service(backend.service), backend.tags);
  Protocol protocol = protocolOf(endpoints);
  auto warn = [&](std::string w) { out.addWarning(std::move(w)); };
  Cluster c = proxyCluster(mesh, backend.service, protocol, clusterRules(policies, backend.service),
                           warn)
                  .value_or(outboundCluster(mesh, backend.service, protocol));
  c.set_name(backend.name);
  c.set_alt_stat_name(sanitizeMetric(backend.name));  // '=' and ',' are not for stats
  if (mesh.mtlsEnabled()) {
    auto tls = upstreamTls(mesh.name(), backend.service);
    std::string sni = strCat(backend.service, "{mesh=", mesh.name());
    for (const auto& [k, v] : backend.tags) sni += strCat(",", k, "=", v);
    tls.set_sni(sni + "}");
    setTlsTransportSocket(c.mutable_transport_socket(), tls);
  }
  out.add(TypeIndex::Cluster, backend.name, c);
  out.add(TypeIndex::Endpoint, backend.name, loadAssignment(backend.name, endpoints));
}

// --- Listeners -------------------------------------------------------------------

// Kuma's x-kuma-tags: the proxy's tags (every inbound's and the gateway's),
// "&key=v1,v2&" per key, keys and values sorted.
std::string tagsHeader(const Dataplane& dp) {
  std::map<std::string, std::set<std::string>> tags;
  for (const auto& in : dp.networking().inbound()) {
    for (const auto& [k, v] : in.tags()) tags[k].insert(v);
  }
  for (const auto& [k, v] : dp.networking().gateway().tags()) tags[k].insert(v);
  std::string out;
  for (const auto& [k, values] : tags) out += strCat("&", k, "=", strJoin(values, ","), "&");
  return out;
}

// Kuma 2.2's MeshRetry switch: `http` for http, `grpc` for grpc, nothing
// for http2 (sic) and tcp.
std::optional<envoy::config::route::v3::RetryPolicy> retryPolicyOf(const policy::Rule* rule,
                                                                   Protocol protocol) {
  const auto* conf = confOf<ursa::policies::meshretry::v1alpha1::MeshRetry::Conf>(rule);
  if (conf == nullptr) return std::nullopt;
  if (protocol == Protocol::Http && conf->has_http()) return translate::httpRetryPolicy(conf->http());
  if (protocol == Protocol::Grpc && conf->has_grpc()) return translate::grpcRetryPolicy(conf->grpc());
  return std::nullopt;
}

using Mhr = ursa::policies::meshhttproute::v1alpha1::MeshHTTPRoute;
using Mtr = ursa::policies::meshtcproute::v1alpha1::MeshTCPRoute;

// The to-rules of one outbound service.
struct OutboundPolicies {
  Timeouts timeouts = kOutboundTimeouts;
  const policy::Rule* retry = nullptr;
  const Mhr::To* http_route = nullptr;  // with at least one rule
  const Mtr::Rule* tcp_route = nullptr;
  const Mlbs::Conf* load_balancing = nullptr;  // its hashPolicies go on every route
};

OutboundPolicies outboundPolicies(const ProxyPolicies& policies, const std::string& service) {
  OutboundPolicies p;
  p.timeouts = timeoutsOf(policies.to(policy_types::kTimeout, service), kOutboundTimeouts);
  p.retry = policies.to(policy_types::kRetry, service);
  p.http_route = confOf<Mhr::To>(policies.to(policy_types::kHttpRoute, service));
  if (p.http_route != nullptr && p.http_route->rules().empty()) p.http_route = nullptr;
  p.tcp_route = confOf<Mtr::Rule>(policies.to(policy_types::kTcpRoute, service));
  p.load_balancing = confOf<Mlbs::Conf>(policies.to(policy_types::kLoadBalancing, service));
  return p;
}

// The MeshHTTPRoute routes of `service` into `vh`, each with the request
// timeout; their backends into `backends`.
void addHttpRoutes(envoy::config::route::v3::VirtualHost* vh, const std::string& service,
                   const OutboundPolicies& p, std::set<translate::BackendCluster>& backends,
                   SnapshotBuilder& out) {
  auto warn = [&](std::string w) { out.addWarning(std::move(w)); };
  translate::Routes routes = translate::httpRoutes(*p.http_route, service, false, warn);
  for (auto& r : routes.routes) {
    if (r.has_route()) setDuration(r.mutable_route()->mutable_timeout(), p.timeouts.request);
    *vh->add_routes() = std::move(r);
  }
  backends.insert(routes.clusters.begin(), routes.clusters.end());
}

// MeshLoadBalancingStrategy hashPolicies on every forwarding route of `vh`.
void setHashPolicies(envoy::config::route::v3::VirtualHost& vh, const Mlbs::Conf& conf,
                     const std::string& service, SnapshotBuilder& out) {
  auto hash = translate::hashPolicies(conf, {}, service,
                                      [&](std::string w) { out.addWarning(std::move(w)); });
  if (hash.empty()) return;
  for (auto& route : *vh.mutable_routes()) {
    if (!route.has_route()) continue;
    for (const auto& h : hash) *route.mutable_route()->add_hash_policy() = h;
  }
}

HttpConnectionManager outboundHcm(const std::string& service, Protocol protocol,
                                  const std::string& tags_header, const OutboundPolicies& p,
                                  std::set<translate::BackendCluster>& backends,
                                  SnapshotBuilder& out) {
  HttpConnectionManager hcm = httpConnectionManager(service, protocol, &p.timeouts);
  auto* rc = hcm.mutable_route_config();
  rc->set_name(names::outboundRoute(service));
  rc->mutable_validate_clusters()->set_value(false);
  if (!tags_header.empty()) {
    auto* header = rc->add_request_headers_to_add()->mutable_header();
    header->set_key(kTagsHeader);
    header->set_value(tags_header);
  }
  auto* vh = addCatchAllVirtualHost(rc, service);
  if (auto retry = retryPolicyOf(p.retry, protocol)) *vh->mutable_retry_policy() = *retry;
  if (p.http_route != nullptr) {
    hcm.mutable_normalize_path()->set_value(true);
    addHttpRoutes(vh, service, p, backends, out);
  } else {
    auto* route = vh->add_routes();
    route->mutable_match()->set_prefix("/");
    route->mutable_route()->set_cluster(service);
    setDuration(route->mutable_route()->mutable_timeout(), p.timeouts.request);
  }
  if (p.load_balancing != nullptr) setHashPolicies(*vh, *p.load_balancing, service, out);
  return hcm;
}

// With a MeshTCPRoute: its backends (one cluster, or weighted_clusters).
envoy::extensions::filters::network::tcp_proxy::v3::TcpProxy outboundTcpProxy(
    const std::string& service, const OutboundPolicies& p,
    std::set<translate::BackendCluster>& backends) {
  auto proxy = tcpProxy(service, service, p.timeouts.tcp_idle);
  if (p.tcp_route != nullptr) {
    auto refs = translate::tcpBackends(*p.tcp_route, service);
    if (refs.size() == 1) {
      proxy.set_cluster(refs.front().first.name);
    } else {
      proxy.clear_cluster();
      for (const auto& [cluster, weight] : refs) {
        auto* c = proxy.mutable_weighted_clusters()->add_clusters();
        c->set_name(cluster.name);
        c->set_weight(weight);
      }
    }
    for (const auto& [cluster, _] : refs) backends.insert(cluster);
  }
  const auto* retry = confOf<ursa::policies::meshretry::v1alpha1::MeshRetry::Conf>(p.retry);
  if (retry != nullptr && retry->tcp().has_max_connect_attempt()) {
    proxy.mutable_max_connect_attempts()->set_value(retry->tcp().max_connect_attempt());
  }
  return proxy;
}

// The outbound's tags (the legacy `service` field standing in for an absent
// kuma.io/service), without kuma.io/mesh.
std::map<std::string, std::string> outboundTags(const Dataplane::Networking::Outbound& o) {
  std::map<std::string, std::string> tags(o.tags().begin(), o.tags().end());
  if (!tags.contains(kServiceTag) && !o.service().empty()) tags[kServiceTag] = o.service();
  tags.erase(kMeshTag);
  return tags;
}

Listener outboundListener(const ProxyContext& ctx, const ProxyPolicies& policies,
                          const Dataplane::Networking::Outbound& o,
                          const std::map<std::string, std::string>& tags,
                          const std::string& tags_header, bool transparent,
                          std::set<translate::BackendCluster>& backends, SnapshotBuilder& out) {
  const std::string& service = tags.at(kServiceTag);
  const std::string address = o.address().empty() ? "127.0.0.1" : o.address();
  Protocol protocol = protocolOf(ctx.mesh->service(service));
  Listener l;
  l.set_name(names::outboundListener(address, o.port()));
  setSocketAddress(l.mutable_address(), address, o.port());
  l.set_traffic_direction(envoy::config::core::v3::OUTBOUND);
  if (transparent) l.mutable_bind_to_port()->set_value(false);
  setStringFields(&(*l.mutable_metadata()->mutable_filter_metadata())[kTagsMetadataKey], tags);
  FilterChain* chain = l.add_filter_chains();
  OutboundPolicies p = outboundPolicies(policies, service);
  // A MeshTCPRoute turns an HTTP outbound into TCP unless a MeshHTTPRoute
  // routes it (Kuma 2.3).
  bool http = isHttp(protocol) && (p.tcp_route == nullptr || p.http_route != nullptr);
  if (http) {
    addNetworkFilter(chain, kHcmFilter,
                     outboundHcm(service, protocol, tags_header, p, backends, out));
  } else {
    addNetworkFilter(chain, kTcpProxyFilter, outboundTcpProxy(service, p, backends));
  }
  return l;
}

}  // namespace

void addOutbounds(const ProxyContext& ctx, const ProxyPolicies& policies, SnapshotBuilder& out) {
  const auto& dp = static_cast<const Dataplane&>(*ctx.dataplane->spec);
  bool transparent = transparentProxying(dp);
  std::string tags_header = tagsHeader(dp);
  std::set<translate::BackendCluster> backends;  // of routes
  for (const auto& o : dp.networking().outbound()) {
    auto tags = outboundTags(o);
    if (!tags.contains(kServiceTag) || tags.at(kServiceTag).empty() || o.port() == 0) continue;
    Listener l =
        outboundListener(ctx, policies, o, tags, tags_header, transparent, backends, out);
    out.add(TypeIndex::Listener, l.name(), l);
  }
  std::vector<std::string> reachable = reachableServices(ctx);
  ConfKeys keys;
  for (const auto& service : reachable) addServiceResources(*ctx.mesh, service, policies, keys, out);
  for (const auto& backend : backends) {
    bool added = backend.tags.empty() &&
                 std::binary_search(reachable.begin(), reachable.end(), backend.service);
    if (!added) addBackendResources(*ctx.mesh, backend, policies, keys, out);
  }
}

}  // namespace ursa::xds::gen::envoy_profile
