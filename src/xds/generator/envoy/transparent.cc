// Transparent proxying (Kuma 2.2's TransparentProxyGenerator): when the
// Dataplane sets redirectPortOutbound, iptables sends every outgoing
// connection to "outbound:passthrough:ipv4" (0.0.0.0:<redirectPortOutbound>)
// and every incoming one to "inbound:passthrough:ipv4"
// (0.0.0.0:<redirectPortInbound>). Both listeners use the original
// destination to hand the connection to the listener bound (bind_to_port:
// false) to it, and fall back to a tcp_proxy to an ORIGINAL_DST cluster of
// the same name. The outbound passthrough cluster is left out when the mesh
// disables passthrough (networking.outbound.passthrough: false), so
// connections to destinations outside the mesh fail. IPv6 twins are added
// when redirectPortInboundV6 is set.

#include "src/xds/generator/envoy/envoy_internal.h"
#include "ursa/common/strings.h"

namespace ursa::xds::gen::envoy_profile {

namespace {

using envoy::config::cluster::v3::Cluster;
using envoy::config::listener::v3::Listener;
using ursa::mesh::v1alpha1::Dataplane;

Cluster passthroughCluster(const std::string& name, const char* bind_source) {
  Cluster c;
  c.set_name(name);
  c.set_alt_stat_name(sanitizeMetric(name));
  c.set_type(Cluster::ORIGINAL_DST);
  c.set_lb_policy(Cluster::CLUSTER_PROVIDED);
  setSeconds(c.mutable_connect_timeout(), kDefaultConnectTimeout);
  if (bind_source != nullptr) {
    auto* source = c.mutable_upstream_bind_config()->mutable_source_address();
    source->set_address(bind_source);
    source->set_port_value(0);
  }
  return c;
}

Listener passthroughListener(const std::string& name, const char* any_ip, uint32_t port,
                             envoy::config::core::v3::TrafficDirection direction) {
  Listener l;
  l.set_name(name);
  setSocketAddress(l.mutable_address(), any_ip, port);
  if (direction == envoy::config::core::v3::INBOUND)
    l.mutable_enable_reuse_port()->set_value(false);
  l.set_traffic_direction(direction);
  l.mutable_use_original_dst()->set_value(true);
  addNetworkFilter(l.add_filter_chains(), kTcpProxyFilter, tcpProxy(name, name, std::nullopt));
  return l;
}

struct Family {
  const char* outbound_name;
  const char* inbound_name;
  const char* any_ip;
  const char* inbound_source;
};
constexpr Family kIPv4{kOutboundPassthroughV4, kInboundPassthroughV4, "0.0.0.0",
                       kInboundPassthroughSourceV4};
constexpr Family kIPv6{kOutboundPassthroughV6, kInboundPassthroughV6,
                       "::", kInboundPassthroughSourceV6};

// The passthrough listener and cluster are the same for every proxy with the
// same ports: memoised.
ResourcePtr sharedListener(const char* name, const char* any_ip, uint32_t port,
                           envoy::config::core::v3::TrafficDirection direction) {
  return memoized(strCat("passthrough-listener|", name, "|", port), [&] {
    return internResource(name, passthroughListener(name, any_ip, port, direction));
  });
}

ResourcePtr sharedCluster(const char* name, const char* bind_source) {
  return memoized(strCat("passthrough-cluster|", name), [&] {
    return internResource(name, passthroughCluster(name, bind_source));
  });
}

void addFamily(const Family& f, uint32_t outbound_port, uint32_t inbound_port, bool passthrough,
               SnapshotBuilder& out) {
  out.add(TypeIndex::Listener, sharedListener(f.outbound_name, f.any_ip, outbound_port,
                                              envoy::config::core::v3::OUTBOUND));
  if (passthrough) out.add(TypeIndex::Cluster, sharedCluster(f.outbound_name, nullptr));
  if (inbound_port == 0) return;  // no inbound redirection (Kuma would listen on port 0)
  out.add(TypeIndex::Listener, sharedListener(f.inbound_name, f.any_ip, inbound_port,
                                              envoy::config::core::v3::INBOUND));
  out.add(TypeIndex::Cluster, sharedCluster(f.inbound_name, f.inbound_source));
}

}  // namespace

void addTransparentProxy(const ProxyContext& ctx, SnapshotBuilder& out) {
  const auto& dp = static_cast<const Dataplane&>(*ctx.dataplane->spec);
  const auto& tp = dp.networking().transparent_proxying();
  if (tp.redirect_port_outbound() == 0) return;
  const auto& mesh_outbound = ctx.mesh->mesh().networking().outbound();
  bool passthrough = !mesh_outbound.has_passthrough() || mesh_outbound.passthrough().value();
  addFamily(kIPv4, tp.redirect_port_outbound(), tp.redirect_port_inbound(), passthrough, out);
  if (tp.redirect_port_inbound_v6() != 0) {
    addFamily(kIPv6, tp.redirect_port_outbound(), tp.redirect_port_inbound_v6(), passthrough, out);
  }
}

}  // namespace ursa::xds::gen::envoy_profile
