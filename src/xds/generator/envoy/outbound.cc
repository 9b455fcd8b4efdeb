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
// Clusters and load assignments depend only on the service and the mesh, so
// they are memoised per ServiceEndpoints object (immutable and shared by
// MeshContext): proxies reaching the same service reuse the same bytes
// without rebuilding them.

#include <algorithm>
#include <mutex>
#include <set>
#include <unordered_map>

#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "src/xds/generator/envoy/envoy_internal.h"
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

Cluster outboundCluster(const MeshContext& mesh, const std::string& service, Protocol protocol) {
  Cluster c;
  c.set_name(service);
  c.set_type(Cluster::EDS);
  setAds(c.mutable_eds_cluster_config()->mutable_eds_config());
  setSeconds(c.mutable_connect_timeout(), kOutboundTimeouts.connect);
  // Sidecar to sidecar is always HTTP/2, whatever the application speaks.
  setUpstreamHttpOptions(&c, /*http2=*/true, isHttp(protocol) ? kOutboundTimeouts.http_idle : -1);
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

void addServiceResources(const MeshContext& mesh, const std::string& service,
                         SnapshotBuilder& out) {
  auto endpoints = mesh.service(service);
  if (!endpoints) {  // no dataplane serves it: an empty assignment
    out.add(TypeIndex::Cluster, service, outboundCluster(mesh, service, Protocol::Tcp));
    out.add(TypeIndex::Endpoint, service, loadAssignment(service, nullptr));
    return;
  }
  auto entry = serviceCache().get(mesh, endpoints);
  out.add(TypeIndex::Cluster, entry.cluster);
  out.add(TypeIndex::Endpoint, entry.cla);
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

HttpConnectionManager outboundHcm(const std::string& service, Protocol protocol,
                                  const std::string& tags_header) {
  HttpConnectionManager hcm = httpConnectionManager(service, protocol, &kOutboundTimeouts);
  auto* rc = hcm.mutable_route_config();
  rc->set_name(names::outboundRoute(service));
  rc->mutable_validate_clusters()->set_value(false);
  if (!tags_header.empty()) {
    auto* header = rc->add_request_headers_to_add()->mutable_header();
    header->set_key(kTagsHeader);
    header->set_value(tags_header);
  }
  auto* vh = addCatchAllVirtualHost(rc, service);
  auto* route = vh->add_routes();
  route->mutable_match()->set_prefix("/");
  route->mutable_route()->set_cluster(service);
  setSeconds(route->mutable_route()->mutable_timeout(), kOutboundTimeouts.request);
  return hcm;
}

// The outbound's tags (the legacy `service` field standing in for an absent
// kuma.io/service), without kuma.io/mesh.
std::map<std::string, std::string> outboundTags(const Dataplane::Networking::Outbound& o) {
  std::map<std::string, std::string> tags(o.tags().begin(), o.tags().end());
  if (!tags.contains(kServiceTag) && !o.service().empty()) tags[kServiceTag] = o.service();
  tags.erase(kMeshTag);
  return tags;
}

Listener outboundListener(const ProxyContext& ctx, const Dataplane::Networking::Outbound& o,
                          const std::map<std::string, std::string>& tags,
                          const std::string& tags_header, bool transparent) {
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
  if (isHttp(protocol)) {
    addNetworkFilter(chain, kHcmFilter, outboundHcm(service, protocol, tags_header));
  } else {
    addNetworkFilter(chain, kTcpProxyFilter,
                     tcpProxy(service, service, kOutboundTimeouts.tcp_idle));
  }
  return l;
}

}  // namespace

void addOutbounds(const ProxyContext& ctx, SnapshotBuilder& out) {
  const auto& dp = static_cast<const Dataplane&>(*ctx.dataplane->spec);
  bool transparent = transparentProxying(dp);
  std::string tags_header = tagsHeader(dp);
  for (const auto& o : dp.networking().outbound()) {
    auto tags = outboundTags(o);
    if (!tags.contains(kServiceTag) || tags.at(kServiceTag).empty() || o.port() == 0) continue;
    Listener l = outboundListener(ctx, o, tags, tags_header, transparent);
    out.add(TypeIndex::Listener, l.name(), l);
  }
  for (const auto& service : reachableServices(ctx)) addServiceResources(*ctx.mesh, service, out);
}

}  // namespace ursa::xds::gen::envoy_profile
