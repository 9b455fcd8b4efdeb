// Inbounds (Kuma 2.2's InboundProxyGenerator): for each inbound that names a
// service, a cluster "localhost:<workloadPort>" reaching the application and
// a listener "inbound:<ip>:<port>" in front of it.
//
// The listener's filter chain follows kuma.io/protocol: an HTTP connection
// manager for http, http2 and grpc (with grpc_stats), a tcp_proxy otherwise.
// With mTLS STRICT the one chain terminates mesh TLS; PERMISSIVE adds a TLS
// inspector and three chains (plaintext, the application's own TLS passed
// through, and mesh TLS recognised by ALPN "kuma").
//
// Policies from the inbound's from-rules: MeshTrafficPermission puts RBAC on
// every mesh-TLS chain (network RBAC first for TCP, HTTP RBAC first in the
// HCM for HTTP-like protocols; with mTLS off nothing is enforced, as in
// Kuma); MeshTimeout sets the cluster, HCM, route and tcp_proxy timeouts;
// MeshFaultInjection adds one fault filter per fault, matching the client by
// its x-kuma-tags header; MeshRateLimit (the rule for every client, as
// Kuma 2.2 accepts only `from: Mesh`) adds the HTTP local rate limit filter
// with the token bucket on the route, and the network local rate limit first
// on every chain for connections.

#include "envoy/extensions/filters/http/rbac/v3/rbac.pb.h"
#include "envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.pb.h"
#include "envoy/extensions/filters/network/rbac/v3/rbac.pb.h"
#include "src/xds/generator/envoy/envoy_internal.h"
#include "src/xds/generator/translate/translate.h"
#include "ursa/common/strings.h"

namespace ursa::xds::gen::envoy_profile {

namespace {

using envoy::config::cluster::v3::Cluster;
using envoy::config::listener::v3::FilterChain;
using envoy::config::listener::v3::Listener;
using envoy::extensions::filters::network::http_connection_manager::v3::HttpConnectionManager;
using ursa::mesh::v1alpha1::Dataplane;

// Where the proxy listens and where the application is (Kuma's InboundInterface).
struct InboundInterface {
  std::string service;
  std::string dataplane_ip;
  uint32_t dataplane_port = 0;
  std::string workload_ip;
  uint32_t workload_port = 0;
  Protocol protocol = Protocol::Tcp;
};

// What the inbound's from-rules ask for.
struct InboundPolicies {
  Timeouts timeouts = kInboundTimeouts;
  std::optional<translate::Rbac> rbac;  // with mTLS only
  std::vector<envoy::extensions::filters::http::fault::v3::HTTPFault> faults;  // HTTP only
  // MeshCircuitBreaker for every client, on the local cluster.
  const ursa::policies::meshcircuitbreaker::v1alpha1::MeshCircuitBreaker::Conf* circuit_breaker =
      nullptr;
  // MeshRateLimit: requests (HTTP-like inbounds) and connections.
  std::optional<envoy::extensions::filters::http::local_ratelimit::v3::LocalRateLimit>
      http_rate_limit;
  std::optional<envoy::extensions::filters::network::local_ratelimit::v3::LocalRateLimit>
      tcp_rate_limit;
};

void setRateLimits(const policy::Rules* rules, Protocol protocol, InboundPolicies& p,
                   SnapshotBuilder& out) {
  using Conf = ursa::policies::meshratelimit::v1alpha1::MeshRateLimit::Conf;
  const Conf* conf = rules == nullptr ? nullptr : confOf<Conf>(policy::computeRule(*rules, {}));
  if (conf == nullptr) return;
  auto warn = [&](std::string w) { out.addWarning(std::move(w)); };
  const auto& local = conf->local();
  if (local.has_http() && isHttp(protocol)) {
    p.http_rate_limit = translate::httpRateLimit(local.http(), warn);
  }
  if (local.has_tcp()) p.tcp_rate_limit = translate::tcpRateLimit(local.tcp(), warn);
}

InboundPolicies inboundPolicies(const ProxyContext& ctx, const ProxyPolicies& policies,
                                const InboundInterface& i, SnapshotBuilder& out) {
  namespace types = policy_types;
  InboundPolicies p;
  const std::string& ip = i.dataplane_ip;
  uint32_t port = i.dataplane_port;
  if (const policy::Rules* rules = policies.from(types::kTimeout, ip, port)) {
    p.timeouts = timeoutsOf(policy::computeRule(*rules, {}), kInboundTimeouts);
  }
  if (const policy::Rules* rules = policies.from(types::kCircuitBreaker, ip, port)) {
    p.circuit_breaker =
        confOf<ursa::policies::meshcircuitbreaker::v1alpha1::MeshCircuitBreaker::Conf>(
            policy::computeRule(*rules, {}));
  }
  if (ctx.mesh->mtlsEnabled()) {
    p.rbac = translate::rbacOf(policies.from(types::kTrafficPermission, ip, port),
                               ctx.mesh->name());
  }
  setRateLimits(policies.from(types::kRateLimit, ip, port), i.protocol, p, out);
  const policy::Rules* faults = policies.from(types::kFaultInjection, ip, port);
  if (faults != nullptr && isHttp(i.protocol)) {
    auto warn = [&](std::string w) { out.addWarning(std::move(w)); };
    using Conf = ursa::policies::meshfaultinjection::v1alpha1::MeshFaultInjection::Conf;
    for (const auto& rule : *faults) {
      const Conf* conf = confOf<Conf>(&rule);
      if (conf == nullptr) continue;
      for (auto& f : translate::faultFilters(*conf, &rule.subset, false, warn)) {
        p.faults.push_back(std::move(f));
      }
    }
  }
  return p;
}

InboundInterface interfaceOf(const Dataplane::Networking& net,
                             const Dataplane::Networking::Inbound& in) {
  InboundInterface i;
  i.service = in.tags().at(kServiceTag);
  i.dataplane_ip = in.address().empty() ? net.address() : in.address();
  i.dataplane_port = in.port();
  i.workload_ip = in.serviceaddress().empty() ? i.dataplane_ip : in.serviceaddress();
  i.workload_port = in.serviceport() != 0 ? in.serviceport() : in.port();
  auto protocol = in.tags().find(kProtocolTag);
  i.protocol = parseProtocol(protocol == in.tags().end() ? "tcp" : protocol->second);
  return i;
}

Cluster localCluster(const InboundInterface& i, const Timeouts& timeouts, bool transparent) {
  Cluster c = staticCluster(names::localCluster(i.workload_port), i.workload_ip, i.workload_port,
                            0);
  setDuration(c.mutable_connect_timeout(), timeouts.connect);
  if (transparent) {
    // Kuma 2.2 binds every inbound cluster under transparent proxying (its
    // loopback exception never applies).
    auto* source = c.mutable_upstream_bind_config()->mutable_source_address();
    source->set_address(isIPv6(i.workload_ip) ? kInboundPassthroughSourceV6
                                              : kInboundPassthroughSourceV4);
    source->set_port_value(0);
  }
  switch (i.protocol) {
    case Protocol::Http:
      setUpstreamHttpOptions(&c, /*http2=*/false, &timeouts);
      break;
    case Protocol::Http2:
    case Protocol::Grpc:
      setUpstreamHttpOptions(&c, /*http2=*/true, &timeouts);
      break;
    case Protocol::Tcp:
      break;
  }
  return c;
}

// Moves the last HTTP filter to the front.
void moveLastFirst(HttpConnectionManager& hcm) {
  auto* filters = hcm.mutable_http_filters();
  for (int k = filters->size() - 1; k > 0; --k) filters->SwapElements(k, k - 1);
}

// `rbac` non-null puts HTTP RBAC first (mesh-TLS chains only).
HttpConnectionManager inboundHcm(const InboundInterface& i, const InboundPolicies& p,
                                 const translate::Rbac* rbac) {
  std::string cluster = names::localCluster(i.workload_port);
  HttpConnectionManager hcm = httpConnectionManager(cluster, i.protocol, &p.timeouts);
  for (const auto& fault : p.faults) insertBeforeRouter(hcm, kFaultFilter, fault);
  if (p.http_rate_limit) {
    envoy::extensions::filters::http::local_ratelimit::v3::LocalRateLimit filter;
    filter.set_stat_prefix(translate::kHttpRateLimitStatPrefix);  // the bucket is per route
    insertBeforeRouter(hcm, kHttpLocalRateLimitFilter, filter);
  }
  if (rbac != nullptr) {
    envoy::extensions::filters::http::rbac::v3::RBAC config;
    *config.mutable_rules() = rbac->rules;
    if (rbac->shadow) {
      *config.mutable_shadow_rules() = *rbac->shadow;
      config.set_shadow_rules_stat_prefix("mesh_traffic_permission_");
    }
    auto* filter = hcm.add_http_filters();
    filter->set_name(kHttpRbacFilter);
    pack(config, filter->mutable_typed_config());
    moveLastFirst(hcm);
  }
  hcm.set_forward_client_cert_details(HttpConnectionManager::SANITIZE_SET);
  hcm.mutable_set_current_client_cert_details()->set_uri(true);
  auto* rc = hcm.mutable_route_config();
  rc->set_name(names::inboundRoute(i.service));
  rc->mutable_validate_clusters()->set_value(false);
  rc->add_request_headers_to_remove(kTagsHeader);
  auto* vh = addCatchAllVirtualHost(rc, i.service);
  auto* route = vh->add_routes();
  route->mutable_match()->set_prefix("/");
  route->mutable_route()->set_cluster(cluster);
  setDuration(route->mutable_route()->mutable_timeout(), p.timeouts.request);
  if (p.http_rate_limit) {
    auto& per_route = *route->mutable_typed_per_filter_config();
    pack(*p.http_rate_limit, &per_route[kHttpLocalRateLimitFilter]);
  }
  return hcm;
}

void addNetworkRbac(FilterChain* chain, const std::string& listener, const translate::Rbac& rbac) {
  envoy::extensions::filters::network::rbac::v3::RBAC config;
  config.set_stat_prefix(strCat(sanitizeMetric(listener), "."));
  *config.mutable_rules() = rbac.rules;
  if (rbac.shadow) *config.mutable_shadow_rules() = *rbac.shadow;
  addNetworkFilter(chain, kNetworkRbacFilter, config);
}

// One filter chain towards the application; `mesh` non-empty adds mesh TLS
// and the traffic permissions.
void addChain(Listener& l, const InboundInterface& i, const InboundPolicies& p,
              const std::string& mesh, const char* transport_protocol, bool kuma_alpn) {
  FilterChain* chain = l.add_filter_chains();
  if (transport_protocol != nullptr) {
    chain->mutable_filter_chain_match()->set_transport_protocol(transport_protocol);
  }
  if (kuma_alpn) chain->mutable_filter_chain_match()->add_application_protocols(kKumaAlpn);
  std::string cluster = names::localCluster(i.workload_port);
  const translate::Rbac* rbac = !mesh.empty() && p.rbac ? &*p.rbac : nullptr;
  if (p.tcp_rate_limit) addNetworkFilter(chain, kNetworkLocalRateLimitFilter, *p.tcp_rate_limit);
  if (isHttp(i.protocol)) {
    addNetworkFilter(chain, kHcmFilter, inboundHcm(i, p, rbac));
  } else {
    if (rbac != nullptr) addNetworkRbac(chain, l.name(), *rbac);
    addNetworkFilter(chain, kTcpProxyFilter, tcpProxy(cluster, cluster, p.timeouts.tcp_idle));
  }
  if (!mesh.empty()) setTlsTransportSocket(chain->mutable_transport_socket(), downstreamTls(mesh));
}

Listener inboundListener(const ProxyContext& ctx, const Dataplane::Networking::Inbound& in,
                         const InboundInterface& i, const InboundPolicies& p, bool transparent) {
  Listener l;
  l.set_name(names::inboundListener(i.dataplane_ip, i.dataplane_port));
  setSocketAddress(l.mutable_address(), i.dataplane_ip, i.dataplane_port);
  l.mutable_enable_reuse_port()->set_value(false);
  l.set_traffic_direction(envoy::config::core::v3::INBOUND);
  if (transparent) l.mutable_bind_to_port()->set_value(false);
  setStringFields(&(*l.mutable_metadata()->mutable_filter_metadata())[kTagsMetadataKey],
                  {in.tags().begin(), in.tags().end()});

  const MeshContext& mesh = *ctx.mesh;
  if (!mesh.mtlsEnabled()) {
    addChain(l, i, p, "", nullptr, false);
  } else if (!mesh.permissive()) {
    addChain(l, i, p, mesh.name(), nullptr, false);
  } else {
    auto* inspector = l.add_listener_filters();
    inspector->set_name(kTlsInspector);
    pack(envoy::extensions::filters::listener::tls_inspector::v3::TlsInspector(),
         inspector->mutable_typed_config());
    addChain(l, i, p, "", "raw_buffer", false);
    addChain(l, i, p, "", "tls", false);  // the application's own TLS, passed through
    addChain(l, i, p, mesh.name(), "tls", true);
  }
  return l;
}

}  // namespace

bool transparentProxying(const Dataplane& dp) {
  const auto& tp = dp.networking().transparent_proxying();
  return tp.redirect_port_inbound() != 0 && tp.redirect_port_outbound() != 0;
}

void addInbounds(const ProxyContext& ctx, const ProxyPolicies& policies, SnapshotBuilder& out) {
  const auto& dp = static_cast<const Dataplane&>(*ctx.dataplane->spec);
  const auto& net = dp.networking();
  bool transparent = transparentProxying(dp);
  for (const auto& in : net.inbound()) {
    if (!in.tags().contains(kServiceTag) || in.port() == 0) continue;
    InboundInterface i = interfaceOf(net, in);
    InboundPolicies p = inboundPolicies(ctx, policies, i, out);
    Cluster cluster = localCluster(i, p.timeouts, transparent);
    if (p.circuit_breaker != nullptr) {
      translate::applyCircuitBreaker(cluster, *p.circuit_breaker, false,
                                     [&](std::string w) { out.addWarning(std::move(w)); });
    }
    out.add(TypeIndex::Cluster, cluster.name(), cluster);
    Listener listener = inboundListener(ctx, in, i, p, transparent);
    out.add(TypeIndex::Listener, listener.name(), listener);
  }
}

}  // namespace ursa::xds::gen::envoy_profile
