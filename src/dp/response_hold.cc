#include "src/dp/response_hold.h"

#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/core/v3/base.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"

namespace ursa::dp {
namespace {

using envoy::config::cluster::v3::Cluster;
using envoy::config::core::v3::TransportSocket;
using envoy::config::listener::v3::FilterChain;
using envoy::config::listener::v3::Listener;
using envoy::extensions::transport_sockets::tls::v3::CommonTlsContext;
using envoy::extensions::transport_sockets::tls::v3::DownstreamTlsContext;
using envoy::extensions::transport_sockets::tls::v3::UpstreamTlsContext;

bool usesProvider(const CommonTlsContext& tls) {
  return tls.has_tls_certificate_provider_instance() ||
         tls.validation_context().has_ca_certificate_provider_instance() ||
         tls.combined_validation_context()
             .default_validation_context()
             .has_ca_certificate_provider_instance();
}

// TLS context type T in the socket, naming a certificate provider.
template <typename T>
bool socketUsesProvider(const TransportSocket& socket) {
  T tls;
  return socket.has_typed_config() && socket.typed_config().Is<T>() &&
         socket.typed_config().UnpackTo(&tls) && usesProvider(tls.common_tls_context());
}

bool clusterUsesProvider(const Cluster& c) {
  if (socketUsesProvider<UpstreamTlsContext>(c.transport_socket())) return true;
  for (const auto& match : c.transport_socket_matches()) {
    if (socketUsesProvider<UpstreamTlsContext>(match.transport_socket())) return true;
  }
  return false;
}

bool chainUsesProvider(const FilterChain& chain) {
  return socketUsesProvider<DownstreamTlsContext>(chain.transport_socket());
}

bool listenerUsesProvider(const Listener& l) {
  if (l.has_default_filter_chain() && chainUsesProvider(l.default_filter_chain())) return true;
  for (const auto& chain : l.filter_chains()) {
    if (chainUsesProvider(chain)) return true;
  }
  return false;
}

}  // namespace

bool namesCertificateFiles(const google::protobuf::Any& resource) {
  if (resource.Is<Cluster>()) {
    Cluster c;
    return resource.UnpackTo(&c) && clusterUsesProvider(c);
  }
  if (resource.Is<Listener>()) {
    Listener l;
    return resource.UnpackTo(&l) && listenerUsesProvider(l);
  }
  return false;
}

bool namesCertificateFiles(const envoy::service::discovery::v3::DiscoveryResponse& response) {
  for (const auto& r : response.resources()) {
    if (namesCertificateFiles(r)) return true;
  }
  return false;
}

bool namesCertificateFiles(const envoy::service::discovery::v3::DeltaDiscoveryResponse& response) {
  for (const auto& r : response.resources()) {
    if (namesCertificateFiles(r.resource())) return true;
  }
  return false;
}

}  // namespace ursa::dp
