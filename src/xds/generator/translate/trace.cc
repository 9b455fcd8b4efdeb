// MeshTrace -> HCM tracing and the collector's cluster (Kuma 2.2's meshtrace
// plugin): providers envoy.tracers.zipkin, envoy.tracers.datadog and
// envoy.tracers.opentelemetry, each reaching its collector through cluster
// "meshtrace:<provider>".

#include <charconv>
#include <utility>

#include "envoy/config/trace/v3/datadog.pb.h"
#include "envoy/config/trace/v3/opentelemetry.pb.h"
#include "envoy/config/trace/v3/zipkin.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"
#include "envoy/extensions/upstreams/http/v3/http_protocol_options.pb.h"
#include "src/xds/generator/translate/observability.h"
#include "ursa/common/strings.h"

namespace ursa::xds::gen::translate {

namespace {

using envoy::config::cluster::v3::Cluster;
using ursa::policies::meshtrace::v1alpha1::MeshTrace;

// A collector address read from a URL or host:port.
struct Address {
  std::string scheme;  // empty for host:port
  std::string host;
  uint32_t port = 0;
  std::string path;  // "/" when absent
};

// "scheme://host[:port][/path]" or "host:port"; `default_port` when the URL
// names none (then http 80, https 443).
std::optional<Address> parseAddress(std::string_view text, uint32_t default_port) {
  Address a;
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

// STATIC for an IP, STRICT_DNS for a host name; HTTP/2 for gRPC collectors;
// TLS (SNI = host) for https URLs.
Cluster collectorCluster(const std::string& name, const Address& a, bool http2) {
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

double percentOf(const ursa::common::v1alpha1::IntOrString& v) {
  if (v.has_string_value()) {
    double d = 0;
    auto& s = v.string_value();
    std::from_chars(s.data(), s.data() + s.size(), d);
    return d;
  }
  return static_cast<double>(v.int_value());
}

void setSampling(const MeshTrace::Sampling& s, Tracing& out) {
  if (s.has_overall()) out.hcm.mutable_overall_sampling()->set_value(percentOf(s.overall()));
  if (s.has_client()) out.hcm.mutable_client_sampling()->set_value(percentOf(s.client()));
  if (s.has_random()) out.hcm.mutable_random_sampling()->set_value(percentOf(s.random()));
}

void setTags(const google::protobuf::RepeatedPtrField<MeshTrace::Tag>& tags, Tracing& out) {
  for (const auto& t : tags) {
    auto* tag = out.hcm.add_custom_tags();
    tag->set_tag(t.name());
    if (t.has_header()) {
      tag->mutable_request_header()->set_name(t.header().name());
      if (t.header().has_default_()) {
        tag->mutable_request_header()->set_default_value(t.header().default_());
      }
    } else {
      tag->mutable_literal()->set_value(t.literal());
    }
  }
}

constexpr char kZipkinCluster[] = "meshtrace:zipkin";
constexpr char kDatadogCluster[] = "meshtrace:datadog";
constexpr char kOtelCluster[] = "meshtrace:opentelemetry";

bool setZipkin(const MeshTrace::ZipkinBackend& z, Tracing& out) {
  auto a = parseAddress(z.url(), 9411);
  if (!a) return false;
  envoy::config::trace::v3::ZipkinConfig config;
  config.set_collector_cluster(kZipkinCluster);
  config.set_collector_endpoint(a->path);
  config.set_collector_hostname(a->host);
  config.set_trace_id_128bit(z.trace_id128bit());
  config.mutable_shared_span_context()->set_value(
      z.has_shared_span_context() ? z.shared_span_context() : true);
  config.set_collector_endpoint_version(z.api_version() == "httpProto"
                                            ? envoy::config::trace::v3::ZipkinConfig::HTTP_PROTO
                                            : envoy::config::trace::v3::ZipkinConfig::HTTP_JSON);
  out.hcm.mutable_provider()->set_name("envoy.tracers.zipkin");
  pack(config, out.hcm.mutable_provider()->mutable_typed_config());
  out.collector = collectorCluster(kZipkinCluster, *a, false);
  return true;
}

bool setDatadog(const MeshTrace::DatadogBackend& d, const std::string& service,
                const std::string& destination, Tracing& out) {
  auto a = parseAddress(d.url(), 8126);
  if (!a) return false;
  envoy::config::trace::v3::DatadogConfig config;
  config.set_collector_cluster(kDatadogCluster);
  config.set_service_name(
      d.split_service() && !destination.empty() ? strCat(service, "_", destination) : service);
  out.hcm.mutable_provider()->set_name("envoy.tracers.datadog");
  pack(config, out.hcm.mutable_provider()->mutable_typed_config());
  a->scheme.clear();  // the agent speaks plain HTTP
  out.collector = collectorCluster(kDatadogCluster, *a, false);
  return true;
}

bool setOpenTelemetry(const MeshTrace::OpenTelemetryBackend& o, const std::string& service,
                      Tracing& out) {
  auto a = parseAddress(o.endpoint(), 4317);
  if (!a) return false;
  envoy::config::trace::v3::OpenTelemetryConfig config;
  config.mutable_grpc_service()->mutable_envoy_grpc()->set_cluster_name(kOtelCluster);
  config.set_service_name(service);
  out.hcm.mutable_provider()->set_name("envoy.tracers.opentelemetry");
  pack(config, out.hcm.mutable_provider()->mutable_typed_config());
  out.collector = collectorCluster(kOtelCluster, *a, true);
  return true;
}

}  // namespace

std::optional<Tracing> tracingOf(const MeshTrace::Conf& conf, const std::string& service,
                                 const std::string& destination, const Warn& warn) {
  if (conf.backends().empty()) return std::nullopt;  // tracing off
  const MeshTrace::Backend& backend = conf.backends(0);
  Tracing out;
  bool ok = false;
  std::string address;
  if (backend.has_zipkin()) {
    address = backend.zipkin().url();
    ok = setZipkin(backend.zipkin(), out);
  } else if (backend.has_datadog()) {
    address = backend.datadog().url();
    ok = setDatadog(backend.datadog(), service, destination, out);
  } else if (backend.has_open_telemetry()) {
    address = backend.open_telemetry().endpoint();
    ok = setOpenTelemetry(backend.open_telemetry(), service, out);
  }
  if (!ok) {
    warn(strCat("MeshTrace: collector address \"", address, "\" cannot be read; no tracing"));
    return std::nullopt;
  }
  setSampling(conf.sampling(), out);
  setTags(conf.tags(), out);
  return out;
}

}  // namespace ursa::xds::gen::translate
