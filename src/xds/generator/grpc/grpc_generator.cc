// The proxyless gRPC profile: what Debian's gRPC 1.51 (and @grpc/grpc-js-xds)
// need to dial mesh services through `xds:///<service>.mesh` and to serve
// through XdsServerBuilder. Shapes follow what those clients were seen to
// accept (shared/reference/grpc-proxyless.md):
//  - client: one API listener per name an application may dial, with an
//    inline route to the service's EDS cluster, retrying UNAVAILABLE twice
//    (this hides the resets a server's listener update causes);
//  - server: one listener per address the application may listen on, named
//    "grpc/server?xds.resource.listening_address=<ip>:<port>" with that exact
//    address, a non-forwarding route, and with mTLS a DownstreamTlsContext
//    requiring client certificates (identity is enforced by RBAC principals,
//    never by SAN matchers, which gRPC servers NACK);
//  - TLS material comes from the file_watcher provider instance "default"
//    that ursa-dp configures in the application's bootstrap;
//  - mTLS only in STRICT mode: PERMISSIVE is plaintext both ways (see useMtls);
//  - ROUND_ROBIN only (1.51 crashes on RING_HASH), localities always weighted;
//  - policies (grpc_policies.cc): RBAC on servers, retries, deadlines and
//    faults on clients.

#include <set>

#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/config/route/v3/route.pb.h"
#include "envoy/extensions/filters/http/router/v3/router.pb.h"
#include "envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"
#include "src/xds/generator/generator.h"
#include "src/xds/generator/grpc/grpc_internal.h"
#include "src/xds/generator/secrets.h"
#include "src/xds/generator/translate/translate.h"
#include "ursa/common/strings.h"

namespace ursa::xds::gen {

namespace {

using envoy::config::cluster::v3::Cluster;
using envoy::config::endpoint::v3::ClusterLoadAssignment;
using envoy::config::listener::v3::Listener;
using envoy::config::route::v3::RouteConfiguration;
using envoy::extensions::filters::network::http_connection_manager::v3::HttpConnectionManager;
using envoy::extensions::transport_sockets::tls::v3::CommonTlsContext;
using envoy::extensions::transport_sockets::tls::v3::DownstreamTlsContext;
using envoy::extensions::transport_sockets::tls::v3::UpstreamTlsContext;
using ursa::mesh::v1alpha1::Dataplane;

constexpr char kProviderInstance[] = "default";
constexpr char kDomain[] = ".mesh";

void useProviderCertificates(CommonTlsContext& tls) {
  auto* cert = tls.mutable_tls_certificate_provider_instance();
  cert->set_instance_name(kProviderInstance);
  cert->set_certificate_name(kProviderInstance);
  auto* ca = tls.mutable_validation_context()->mutable_ca_certificate_provider_instance();
  ca->set_instance_name(kProviderInstance);
  ca->set_certificate_name(kProviderInstance);
}

// Whether proxyless workloads talk mTLS: only when the mesh's mTLS is
// STRICT. A gRPC server cannot take TLS and plaintext on one port (gRFC A36:
// a filter chain can only match transport_protocol "raw_buffer", so there is
// no TLS inspection), so in PERMISSIVE mode proxyless servers serve
// plaintext, accepting clients outside the mesh as PERMISSIVE promises, and
// proxyless clients dial in plaintext (as Istio does for proxyless gRPC).
// Envoy sidecars in PERMISSIVE accept plaintext too; their outbounds still
// originate mTLS, so they cannot reach proxyless servers in this mode.
bool useMtls(const ProxyContext& ctx) {
  return ctx.mesh->mtlsEnabled() && !ctx.mesh->permissive();
}

void addRouter(HttpConnectionManager& hcm) {
  auto* router = hcm.add_http_filters();
  router->set_name("envoy.filters.http.router");
  router->mutable_typed_config()->PackFrom(envoy::extensions::filters::http::router::v3::Router());
}

// --- client side ----------------------------------------------------------------

// The route's action: retries (the default policy unless a MeshRetry says
// otherwise) and the call deadline.
void setClientAction(envoy::config::route::v3::RouteAction* action,
                     const grpc_profile::ClientPolicies& policies) {
  auto* retry = action->mutable_retry_policy();
  if (policies.retry) {
    *retry = *policies.retry;
  } else {
    retry->set_retry_on("unavailable");
    retry->mutable_num_retries()->set_value(2);
  }
  if (policies.max_stream_duration) {
    translate::setDuration(action->mutable_max_stream_duration()->mutable_max_stream_duration(),
                           *policies.max_stream_duration);
  }
  for (const auto& h : policies.hash_policies) *action->add_hash_policy() = h;
}

// One route to the service's cluster, or a MeshHTTPRoute's routes; the
// clusters they send to go into `backends`.
RouteConfiguration clientRoute(const std::string& service,
                               const grpc_profile::ClientPolicies& policies,
                               std::set<translate::BackendCluster>& backends) {
  RouteConfiguration rc;
  rc.set_name(names::outboundRoute(service));
  auto* vh = rc.add_virtual_hosts();
  vh->set_name(service);
  vh->add_domains("*");
  if (policies.routes) {
    for (const auto& r : policies.routes->routes) {
      auto* route = vh->add_routes();
      *route = r;
      if (route->has_route()) setClientAction(route->mutable_route(), policies);
    }
    backends.insert(policies.routes->clusters.begin(), policies.routes->clusters.end());
    return rc;
  }
  auto* route = vh->add_routes();
  route->mutable_match()->set_prefix("");
  route->mutable_route()->set_cluster(service);
  setClientAction(route->mutable_route(), policies);
  backends.insert(translate::backendCluster(service, {}));
  return rc;
}

Listener clientListener(const std::string& name, const RouteConfiguration& route,
                        const grpc_profile::ClientPolicies& policies) {
  HttpConnectionManager hcm;
  hcm.set_stat_prefix(name);
  *hcm.mutable_route_config() = route;
  for (const auto& fault : policies.faults) {
    auto* filter = hcm.add_http_filters();
    filter->set_name("envoy.filters.http.fault");
    filter->mutable_typed_config()->PackFrom(fault);
  }
  addRouter(hcm);
  Listener l;
  l.set_name(name);
  l.mutable_api_listener()->mutable_api_listener()->PackFrom(hcm);
  return l;
}

// The cluster of a service, or of a route's subset of it (its own EDS name).
Cluster clientCluster(const ProxyContext& ctx, const translate::BackendCluster& backend) {
  const std::string& service = backend.service;
  Cluster c;
  c.set_name(backend.name);
  c.set_type(Cluster::EDS);
  c.set_lb_policy(Cluster::ROUND_ROBIN);
  auto* eds = c.mutable_eds_cluster_config();
  eds->set_service_name(backend.name);
  eds->mutable_eds_config()->mutable_ads();
  eds->mutable_eds_config()->set_resource_api_version(envoy::config::core::v3::V3);
  if (useMtls(ctx)) {
    UpstreamTlsContext tls;
    useProviderCertificates(*tls.mutable_common_tls_context());
    // gRPC 1.51 reads match_subject_alt_names, deprecated in Envoy's API in
    // favour of match_typed_subject_alt_names, which it does not know.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    tls.mutable_common_tls_context()->mutable_validation_context()->add_match_subject_alt_names()
        ->set_exact(names::spiffeId(ctx.mesh->name(), service));
#pragma GCC diagnostic pop
    auto* socket = c.mutable_transport_socket();
    socket->set_name("envoy.transport_sockets.tls");
    socket->mutable_typed_config()->PackFrom(tls);
  }
  return c;
}

ClusterLoadAssignment endpointsFor(const std::string& name,
                                   const ServiceEndpointsConstSharedPtr& endpoints) {
  ClusterLoadAssignment cla;
  cla.set_cluster_name(name);
  if (!endpoints || endpoints->readyCount() == 0) return cla;
  auto* locality = cla.add_endpoints();
  locality->mutable_load_balancing_weight()->set_value(1);  // gRPC drops unweighted localities
  // ...and NACKs one without a locality: @grpc/grpc-js-xds ("endpoints[0].locality
  // unset") as well as gRPC C++ 1.51 ("endpoints[0].locality error:field not present").
  locality->mutable_locality();
  for (const auto& e : endpoints->endpoints) {
    if (!e.ready) continue;
    auto* lb = locality->add_lb_endpoints();
    lb->set_health_status(envoy::config::core::v3::HEALTHY);
    auto* sa = lb->mutable_endpoint()->mutable_address()->mutable_socket_address();
    sa->set_address(e.address);
    sa->set_port_value(e.port);
  }
  return cla;
}

// The names an application may dial a service by: "<svc>.mesh" and
// "<svc>.mesh:<port>" for each port the service listens on.
std::set<std::string> dialNames(const std::string& service,
                                const ServiceEndpointsConstSharedPtr& endpoints) {
  std::set<std::string> out = {service + kDomain};
  if (endpoints) {
    for (const auto& e : endpoints->endpoints) out.insert(strCat(service, kDomain, ":", e.port));
  }
  return out;
}

void addClientSide(const ProxyContext& ctx, const ProxyPolicies& policies,
                   SnapshotBuilder& out) {
  for (const auto& service : reachableServices(ctx)) {
    auto endpoints = ctx.mesh->service(service);
    auto client_policies = grpc_profile::clientPolicies(ctx, policies, service, out);
    std::set<translate::BackendCluster> backends;
    RouteConfiguration route = clientRoute(service, client_policies, backends);
    for (const auto& name : dialNames(service, endpoints)) {
      out.add(TypeIndex::Listener, name, clientListener(name, route, client_policies));
    }
    backends.insert(translate::backendCluster(service, {}));
    for (const auto& backend : backends) {
      auto backend_endpoints = ctx.mesh->service(backend.service);
      if (!backend.tags.empty()) backend_endpoints = endpointSubset(backend_endpoints, backend.tags);
      Cluster cluster = clientCluster(ctx, backend);
      grpc_profile::applyClusterPolicies(ctx, policies, backend.service, cluster, out);
      out.add(TypeIndex::Cluster, backend.name, cluster);
      out.add(TypeIndex::Endpoint, backend.name, endpointsFor(backend.name, backend_endpoints));
    }
  }
}

// --- server side ----------------------------------------------------------------

Listener serverListener(const ProxyContext& ctx, const std::string& ip, uint32_t port,
                        const std::optional<envoy::extensions::filters::http::rbac::v3::RBAC>& rbac) {
  HttpConnectionManager hcm;
  // The prefix names the security mode so that the HCM itself differs between
  // plaintext and mTLS: @grpc/grpc-js-xds 1.14.1 compares a new server
  // Listener with its current one filter by filter first, and when only the
  // transport socket differs it throws a TypeError on plaintext -> mTLS (the
  // server process dies) and keeps the old chain on mTLS -> plaintext.
  hcm.set_stat_prefix(useMtls(ctx) ? strCat("inbound_mtls_", port) : strCat("inbound_", port));
  auto* vh = hcm.mutable_route_config()->add_virtual_hosts();
  vh->set_name("inbound");
  vh->add_domains("*");
  auto* route = vh->add_routes();
  route->mutable_match()->set_prefix("/");
  route->mutable_non_forwarding_action();
  if (rbac) {
    auto* filter = hcm.add_http_filters();
    filter->set_name("envoy.filters.http.rbac");
    filter->mutable_typed_config()->PackFrom(*rbac);
  }
  addRouter(hcm);

  bool bracketed = ip.find(':') != std::string::npos;
  Listener l;
  l.set_name(names::grpcServerListener(bracketed ? strCat("[", ip, "]:", port)
                                                 : strCat(ip, ":", port)));
  auto* sa = l.mutable_address()->mutable_socket_address();
  sa->set_address(ip);
  sa->set_port_value(port);
  auto* chain = l.add_filter_chains();
  chain->set_name(strCat("inbound:", port));
  auto* filter = chain->add_filters();
  filter->set_name("envoy.filters.network.http_connection_manager");
  filter->mutable_typed_config()->PackFrom(hcm);
  if (useMtls(ctx)) {
    DownstreamTlsContext tls;
    tls.mutable_require_client_certificate()->set_value(true);
    useProviderCertificates(*tls.mutable_common_tls_context());
    auto* socket = chain->mutable_transport_socket();
    socket->set_name("envoy.transport_sockets.tls");
    socket->mutable_typed_config()->PackFrom(tls);
  }
  return l;
}

void addServerSide(const ProxyContext& ctx, const ProxyPolicies& policies,
                   SnapshotBuilder& out) {
  const auto& net = static_cast<const Dataplane&>(*ctx.dataplane->spec).networking();
  for (const auto& in : net.inbound()) {
    uint32_t port = in.serviceport() != 0 ? in.serviceport() : in.port();
    const std::string& address = in.address().empty() ? net.address() : in.address();
    auto rbac = grpc_profile::serverRbac(ctx, policies, address, in.port(), useMtls(ctx), out);
    grpc_profile::warnServerOnlyPolicies(policies, address, in.port(), out);
    // XdsServerBuilder asks for the listen address exactly as the
    // application wrote it: serve the usual spellings.
    std::set<std::string> ips = {"0.0.0.0", "::", "127.0.0.1", "localhost"};
    for (const std::string& ip : {net.address(), in.address(), in.serviceaddress()}) {
      if (!ip.empty()) ips.insert(ip);
    }
    for (const auto& ip : ips) {
      Listener l = serverListener(ctx, ip, port, rbac);
      out.add(TypeIndex::Listener, l.name(), l);
    }
  }
}

// MeshAccessLog, MeshTrace and MeshProxyPatch have no proxyless
// counterpart: one warning per selecting policy.
void warnUnsupportedPolicies(const ProxyPolicies& policies, SnapshotBuilder& out) {
  namespace types = policy_types;
  const std::pair<std::string_view, const char*> unsupported[] = {
      {types::kAccessLog, "proxyless gRPC writes no access log; log in the application"},
      {types::kTrace, "proxyless gRPC takes no tracing from xDS; trace in the application "
                      "(OpenCensus / OpenTelemetry)"},
      {types::kProxyPatch, "proxyless gRPC configuration is not patched"},
  };
  for (const auto& [type, why] : unsupported) {
    for (const auto& p : policies.selecting(type)) {
      out.addWarning(strCat(type, " ", p->meta.mesh, "/", p->meta.name, ": ", why));
    }
  }
}

}  // namespace

SnapshotConstSharedPtr generateGrpc(const ProxyContext& ctx) {
  SnapshotBuilder out;
  out.setChangeTime(ctx.change_time);
  ProxyPolicies policies = ctx.mesh->policiesFor(*ctx.dataplane);
  for (const auto& e : policies.errors()) out.addWarning(strCat("policy matching failed: ", e));
  addClientSide(ctx, policies, out);
  addServerSide(ctx, policies, out);
  addSecrets(ctx, out);
  warnUnsupportedPolicies(policies, out);
  return out.build();
}

}  // namespace ursa::xds::gen
