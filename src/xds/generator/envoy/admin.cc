// Envoy's admin API (Kuma 2.2's AdminProxyGenerator, reduced): the admin
// interface itself stays on 127.0.0.1:<admin_port> (the bootstrap's); the
// control plane adds the STATIC cluster "kuma:envoy:admin" reaching it, and,
// when the dataplane's address is not loopback, a listener of the same name
// on <dataplane address>:<admin_port> that proxies only /ready, so health
// checkers outside the host can probe the proxy. Kuma's second, TLS chain
// (the whole admin API for the control plane, behind a client certificate
// with SAN "kuma-cp") is left out.

#include "src/xds/generator/envoy/envoy_internal.h"
#include "ursa/common/strings.h"

namespace ursa::xds::gen::envoy_profile {

namespace {

using envoy::config::listener::v3::Listener;
using envoy::extensions::filters::network::http_connection_manager::v3::HttpConnectionManager;
using ursa::mesh::v1alpha1::Dataplane;

constexpr char kAdminAddress[] = "127.0.0.1";

Listener adminListener(const std::string& address, uint32_t port) {
  HttpConnectionManager hcm = httpConnectionManager(kAdminName, Protocol::Http, nullptr);
  auto* rc = hcm.mutable_route_config();
  rc->mutable_validate_clusters()->set_value(false);
  auto* vh = addCatchAllVirtualHost(rc, kAdminName);
  auto* route = vh->add_routes();
  route->mutable_match()->set_prefix("/ready");
  route->mutable_route()->set_cluster(kAdminName);
  route->mutable_route()->set_prefix_rewrite("/ready");

  Listener l;
  l.set_name(kAdminName);
  setSocketAddress(l.mutable_address(), address, port);
  l.mutable_enable_reuse_port()->set_value(false);
  l.set_traffic_direction(envoy::config::core::v3::INBOUND);
  addNetworkFilter(l.add_filter_chains(), kHcmFilter, hcm);
  return l;
}

}  // namespace

void addAdmin(const ProxyContext& ctx, SnapshotBuilder& out) {
  if (ctx.admin_port == 0) return;  // no admin API to expose
  uint32_t port = ctx.admin_port;
  out.add(TypeIndex::Cluster, memoized(strCat("admin-cluster|", port), [&] {
            return internResource(
                kAdminName, staticCluster(kAdminName, kAdminAddress, port, kDefaultConnectTimeout));
          }));
  const auto& address = static_cast<const Dataplane&>(*ctx.dataplane->spec).networking().address();
  // A listener on the admin's own address and port would clash with it.
  if (address.empty() || address == kAdminAddress) return;
  out.add(TypeIndex::Listener, memoized(strCat("admin-listener|", address, "|", port), [&] {
            return internResource(kAdminName, adminListener(address, port));
          }));
}

}  // namespace ursa::xds::gen::envoy_profile
