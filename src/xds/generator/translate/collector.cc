#include "src/xds/generator/translate/collector.h"

#include <charconv>

#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"
#include "envoy/extensions/upstreams/http/v3/http_protocol_options.pb.h"
#include "src/xds/generator/translate/translate.h"

namespace ursa::xds::gen::translate {

using envoy::config::cluster::v3::Cluster;

std::optional<CollectorAddress> parseCollectorAddress(std::string_view text,
                                                      uint32_t default_port) {
  CollectorAddress a;
  if (auto scheme_end = text.find("://"); scheme_end != std::string_view::npos) {
    a.scheme = std::string(text.substr(0, scheme_end));
    text.remove_prefix(scheme_end + 3);
    if (a.scheme == "http") default_port = 80;
    if (a.scheme == "https") default_port = 443;
  }
  size_t slash = text.find('/');
  a.path = slash == std::string_view::npos ? "/" : std::string(text.substr(slash));
  std::string_view authority = text.substr(0, slash);
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {  // [v6]:port
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    a.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return std::nullopt;
      port = authority.substr(close + 2);
    }
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    a.host = std::string(authority.substr(0, colon));
    port = authority.substr(colon + 1);
  } else {
    a.host = std::string(authority);
  }
  a.port = default_port;
  if (!port.empty()) {
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), a.port);
    if (ec != std::errc() || end != port.data() + port.size() || a.port == 0 || a.port > 65535) {
      return std::nullopt;
    }
  }
  if (a.host.empty() || a.port == 0) return std::nullopt;
  return a;
}

bool isIpLiteral(const std::string& host) {
  if (host.find(':') != std::string::npos) return true;  // IPv6
  for (char c : host) {
    if (c != '.' && (c < '0' || c > '9')) return false;
  }
  return true;
}

Cluster collectorCluster(const std::string& name, const CollectorAddress& a, bool http2) {
  Cluster c;
  c.set_name(name);
  c.set_type(isIpLiteral(a.host) ? Cluster::STATIC : Cluster::STRICT_DNS);
  c.mutable_connect_timeout()->set_seconds(10);
  auto* cla = c.mutable_load_assignment();
  cla->set_cluster_name(name);
  auto* socket = cla->add_endpoints()
                     ->add_lb_endpoints()
                     ->mutable_endpoint()
                     ->mutable_address()
                     ->mutable_socket_address();
  socket->set_address(a.host);
  socket->set_port_value(a.port);
  if (http2) {
    envoy::extensions::upstreams::http::v3::HttpProtocolOptions options;
    options.mutable_explicit_http_config()->mutable_http2_protocol_options();
    pack(options, &(*c.mutable_typed_extension_protocol_options())
                      ["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]);
  }
  if (a.scheme == "https") {
    envoy::extensions::transport_sockets::tls::v3::UpstreamTlsContext tls;
    tls.set_sni(a.host);
    c.mutable_transport_socket()->set_name("envoy.transport_sockets.tls");
    pack(tls, c.mutable_transport_socket()->mutable_typed_config());
  }
  return c;
}

}  // namespace ursa::xds::gen::translate
