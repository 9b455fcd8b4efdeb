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
//  - ROUND_ROBIN only (1.51 crashes on RING_HASH), localities always weighted.

#include <set>

#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/config/route/v3/route.pb.h"
#include "envoy/extensions/filters/http/router/v3/router.pb.h"
#include "envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"
#include "src/xds/generator/generator.h"
#include "src/xds/generator/secrets.h"
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

void addRouter(HttpConnectionManager& hcm) {
  auto* router = hcm.add_http_filters();
  router->set_name("envoy.filters.http.router");
  router->mutable_typed_config()->PackFrom(envoy::extensions::filters::http::router::v3::Router());
}

// --- client side ----------------------------------------------------------------

RouteConfiguration clientRoute(const std::string& service) {
  RouteConfiguration rc;
  rc.set_name(names::outboundRoute(service));
  auto* vh = rc.add_virtual_hosts();
  vh->set_name(service);
  vh->add_domains("*");
  auto* route = vh->add_routes();
  route->mutable_match()->set_prefix("");
  auto* action = route->mutable_route();
  action->set_cluster(service);
  auto* retry = action->mutable_retry_policy();
  retry->set_retry_on("unavailable");
  retry->mutable_num_retries()->set_value(2);
  return rc;
}

Listener clientListener(const std::string& name, const RouteConfiguration& route) {
  HttpConnectionManager hcm;
  hcm.set_stat_prefix(name);
  *hcm.mutable_route_config() = route;
  addRouter(hcm);
  Listener l;
  l.set_name(name);
  l.mutable_api_listener()->mutable_api_listener()->PackFrom(hcm);
  return l;
}

Cluster clientCluster(const ProxyContext& ctx, const std::string& service) {
  Cluster c;
  c.set_name(service);
  c.set_type(Cluster::EDS);
  c.set_lb_policy(Cluster::ROUND_ROBIN);
  auto* eds = c.mutable_eds_cluster_config();
  eds->set_service_name(service);
  eds->mutable_eds_config()->mutable_ads();
  eds->mutable_eds_config()->set_resource_api_version(envoy::config::core::v3::V3);
  if (ctx.mesh->mtlsEnabled()) {
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

ClusterLoadAssignment endpointsFor(const std::string& service,
                                   const ServiceEndpointsConstSharedPtr& endpoints) {
  ClusterLoadAssignment cla;
  cla.set_cluster_name(service);
  if (!endpoints || endpoints->readyCount() == 0) return cla;
  auto* locality = cla.add_endpoints();
  locality->mutable_load_balancing_weight()->set_value(1);  // gRPC drops unweighted localities
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

void addClientSide(const ProxyContext& ctx, SnapshotBuilder& out) {
  for (const auto& service : reachableServices(ctx)) {
    auto endpoints = ctx.mesh->service(service);
    RouteConfiguration route = clientRoute(service);
    for (const auto& name : dialNames(service, endpoints)) {
      out.add(TypeIndex::Listener, name, clientListener(name, route));
    }
    out.add(TypeIndex::Cluster, service, clientCluster(ctx, service));
    out.add(TypeIndex::Endpoint, service, endpointsFor(service, endpoints));
  }
}

// --- server side ----------------------------------------------------------------

Listener serverListener(const ProxyContext& ctx, const std::string& ip, uint32_t port) {
  HttpConnectionManager hcm;
  hcm.set_stat_prefix(strCat("inbound_", port));
  auto* vh = hcm.mutable_route_config()->add_virtual_hosts();
  vh->set_name("inbound");
  vh->add_domains("*");
  auto* route = vh->add_routes();
  route->mutable_match()->set_prefix("/");
  route->mutable_non_forwarding_action();
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
  if (ctx.mesh->mtlsEnabled()) {
    DownstreamTlsContext tls;
    tls.mutable_require_client_certificate()->set_value(true);
    useProviderCertificates(*tls.mutable_common_tls_context());
    auto* socket = chain->mutable_transport_socket();
    socket->set_name("envoy.transport_sockets.tls");
    socket->mutable_typed_config()->PackFrom(tls);
  }
  return l;
}

void addServerSide(const ProxyContext& ctx, SnapshotBuilder& out) {
  const auto& net = static_cast<const Dataplane&>(*ctx.dataplane->spec).networking();
  for (const auto& in : net.inbound()) {
    uint32_t port = in.serviceport() != 0 ? in.serviceport() : in.port();
    // XdsServerBuilder asks for the listen address exactly as the
    // application wrote it: serve the usual spellings.
    std::set<std::string> ips = {"0.0.0.0", "::", "127.0.0.1", "localhost"};
    for (const std::string& ip : {net.address(), in.address(), in.serviceaddress()}) {
      if (!ip.empty()) ips.insert(ip);
    }
    for (const auto& ip : ips) {
      Listener l = serverListener(ctx, ip, port);
      out.add(TypeIndex::Listener, l.name(), l);
    }
  }
}

}  // namespace

SnapshotConstSharedPtr generateGrpc(const ProxyContext& ctx) {
  SnapshotBuilder out;
  out.setChangeTime(ctx.change_time);
  addClientSide(ctx, out);
  addServerSide(ctx, out);
  addSecrets(ctx, out);
  return out.build();
}

}  // namespace ursa::xds::gen
