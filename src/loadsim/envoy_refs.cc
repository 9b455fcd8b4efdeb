#include "src/loadsim/envoy_refs.h"

#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/config/route/v3/route.pb.h"
#include "envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/secret.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"

namespace ursa::loadsim {
namespace {

namespace tls = envoy::extensions::transport_sockets::tls::v3;
using envoy::config::cluster::v3::Cluster;
using envoy::config::core::v3::TransportSocket;
using envoy::config::listener::v3::FilterChain;
using envoy::config::listener::v3::Listener;
using envoy::extensions::filters::network::http_connection_manager::v3::HttpConnectionManager;

template <typename M>
bool parse(std::string_view bytes, M& m) {
  return m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

void addSecrets(const tls::CommonTlsContext& common, Refs& refs) {
  for (const auto& c : common.tls_certificate_sds_secret_configs()) refs.secrets.insert(c.name());
  if (common.has_validation_context_sds_secret_config()) {
    refs.secrets.insert(common.validation_context_sds_secret_config().name());
  }
  if (common.has_combined_validation_context() &&
      common.combined_validation_context().has_validation_context_sds_secret_config()) {
    refs.secrets.insert(
        common.combined_validation_context().validation_context_sds_secret_config().name());
  }
}

void addTransportSocket(const TransportSocket& socket, Refs& refs) {
  if (!socket.has_typed_config()) return;
  tls::UpstreamTlsContext upstream;
  tls::DownstreamTlsContext downstream;
  if (socket.typed_config().UnpackTo(&upstream)) {
    addSecrets(upstream.common_tls_context(), refs);
  } else if (socket.typed_config().UnpackTo(&downstream)) {
    addSecrets(downstream.common_tls_context(), refs);
  }
}

void addFilterChain(const FilterChain& chain, Refs& refs) {
  if (chain.has_transport_socket()) addTransportSocket(chain.transport_socket(), refs);
  for (const auto& filter : chain.filters()) {
    HttpConnectionManager hcm;
    if (filter.has_typed_config() && filter.typed_config().UnpackTo(&hcm) && hcm.has_rds()) {
      refs.routes.insert(hcm.rds().route_config_name());
    }
  }
}

Inspected inspectCluster(std::string_view bytes) {
  Inspected out;
  Cluster c;
  if (!parse(bytes, c)) return out;
  out.name = c.name();
  if (c.type() == Cluster::EDS) {
    const std::string& service = c.eds_cluster_config().service_name();
    out.refs.endpoints.insert(service.empty() ? c.name() : service);
  }
  if (c.has_transport_socket()) addTransportSocket(c.transport_socket(), out.refs);
  for (const auto& m : c.transport_socket_matches()) addTransportSocket(m.transport_socket(), out.refs);
  return out;
}

Inspected inspectListener(std::string_view bytes) {
  Inspected out;
  Listener l;
  if (!parse(bytes, l)) return out;
  out.name = l.name();
  for (const auto& chain : l.filter_chains()) addFilterChain(chain, out.refs);
  if (l.has_default_filter_chain()) addFilterChain(l.default_filter_chain(), out.refs);
  return out;
}

}  // namespace

Inspected inspect(xds::TypeIndex type, std::string_view bytes) {
  switch (type) {
    case xds::TypeIndex::Cluster:
      return inspectCluster(bytes);
    case xds::TypeIndex::Listener:
      return inspectListener(bytes);
    case xds::TypeIndex::Endpoint: {
      envoy::config::endpoint::v3::ClusterLoadAssignment cla;
      return {parse(bytes, cla) ? cla.cluster_name() : "", {}};
    }
    case xds::TypeIndex::Secret: {
      tls::Secret s;
      return {parse(bytes, s) ? s.name() : "", {}};
    }
    case xds::TypeIndex::Route: {
      envoy::config::route::v3::RouteConfiguration r;
      return {parse(bytes, r) ? r.name() : "", {}};
    }
  }
  return {};
}

bool hasEndpoint(std::string_view cla_bytes, std::string_view address, uint32_t port) {
  envoy::config::endpoint::v3::ClusterLoadAssignment cla;
  if (!parse(cla_bytes, cla)) return false;
  for (const auto& locality : cla.endpoints()) {
    for (const auto& lb : locality.lb_endpoints()) {
      const auto& sa = lb.endpoint().address().socket_address();
      if (sa.address() == address && sa.port_value() == port) return true;
    }
  }
  return false;
}

std::optional<int64_t> routeTimeoutMs(std::string_view listener_bytes) {
  Listener l;
  if (!parse(listener_bytes, l)) return std::nullopt;
  for (const auto& chain : l.filter_chains()) {
    for (const auto& filter : chain.filters()) {
      HttpConnectionManager hcm;
      if (!filter.has_typed_config() || !filter.typed_config().UnpackTo(&hcm)) continue;
      for (const auto& host : hcm.route_config().virtual_hosts()) {
        for (const auto& route : host.routes()) {
          if (!route.has_route()) continue;
          const auto& t = route.route().timeout();
          return t.seconds() * 1000 + t.nanos() / 1'000'000;
        }
      }
    }
  }
  return std::nullopt;
}

}  // namespace ursa::loadsim
