// Small builders shared by the Envoy profile's generators.

#include <arpa/inet.h>

#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "envoy/extensions/filters/http/grpc_stats/v3/config.pb.h"
#include "envoy/extensions/filters/http/router/v3/router.pb.h"
#include "envoy/extensions/upstreams/http/v3/http_protocol_options.pb.h"
#include "src/xds/generator/envoy/envoy_internal.h"
#include "src/xds/generator/translate/observability.h"
#include "src/xds/generator/translate/translate.h"
#include "ursa/common/strings.h"

namespace ursa::xds::gen::envoy_profile {

using envoy::config::cluster::v3::Cluster;
using envoy::config::listener::v3::FilterChain;
using envoy::extensions::filters::network::http_connection_manager::v3::HttpConnectionManager;
using envoy::extensions::filters::network::tcp_proxy::v3::TcpProxy;
using envoy::extensions::upstreams::http::v3::HttpProtocolOptions;

Protocol parseProtocol(std::string_view tag) {
  if (tag == "http") return Protocol::Http;
  if (tag == "http2") return Protocol::Http2;
  if (tag == "grpc") return Protocol::Grpc;
  return Protocol::Tcp;
}

void pack(const google::protobuf::Message& m, google::protobuf::Any* out) {
  translate::pack(m, out);
}

ResourceMemo& resourceMemo() {
  static auto* memo = new ResourceMemo();  // never destroyed: used until exit
  return *memo;
}

ResourcePtr memoized(const std::string& key, const std::function<ResourcePtr()>& build) {
  return resourceMemo().get(key, [&] { return ResourceMemo::Entry{build(), {}}; }).resource;
}

std::string confKey(const policy::Rule* rule) {
  if (rule == nullptr) return "-";
  if (rule->typed_conf == nullptr) return "untyped";
  google::protobuf::Any any;
  pack(*rule->typed_conf, &any);
  return strCat(any.type_url(), ":", any.value());
}

void setSeconds(google::protobuf::Duration* d, int64_t seconds) { d->set_seconds(seconds); }

void setDuration(google::protobuf::Duration* d, absl::Duration value) {
  translate::setDuration(d, value);
}

Timeouts timeoutsOf(const policy::Rule* rule, const Timeouts& fallback) {
  const auto* conf = confOf<ursa::policies::meshtimeout::v1alpha1::MeshTimeout::Conf>(rule);
  if (conf == nullptr) return fallback;
  translate::TimeoutConf t = translate::withKumaDefaults(translate::timeoutConfOf(conf));
  return Timeouts{.connect = *t.connect,
                  .tcp_idle = *t.idle,
                  .http_idle = *t.idle,
                  .stream_idle = *t.stream_idle,
                  .request = *t.request,
                  .max_stream = *t.max_stream,
                  .max_connection = *t.max_connection};
}

std::string sanitizeMetric(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '-';
    if (!keep) c = '_';
  }
  return out;
}

void setSocketAddress(envoy::config::core::v3::Address* address, const std::string& ip,
                      uint32_t port) {
  auto* sa = address->mutable_socket_address();
  sa->set_address(ip);
  sa->set_port_value(port);
}

void setAds(envoy::config::core::v3::ConfigSource* source) {
  source->mutable_ads();
  source->set_resource_api_version(envoy::config::core::v3::V3);
}

void setStringFields(google::protobuf::Struct* s,
                     const std::map<std::string, std::string>& fields) {
  auto& out = *s->mutable_fields();
  for (const auto& [k, v] : fields) out[k].set_string_value(v);
}

bool isIPv6(std::string_view ip) { return ip.find(':') != std::string_view::npos; }

namespace {
bool isIpLiteral(const std::string& host) {
  unsigned char buf[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}
}  // namespace

void addNetworkFilter(FilterChain* chain, const char* name,
                      const google::protobuf::Message& config) {
  auto* f = chain->add_filters();
  f->set_name(name);
  pack(config, f->mutable_typed_config());
}

HttpConnectionManager httpConnectionManager(std::string_view stat_prefix, Protocol protocol,
                                            const Timeouts* timeouts) {
  HttpConnectionManager hcm;
  hcm.set_stat_prefix(sanitizeMetric(stat_prefix));
  hcm.set_codec_type(HttpConnectionManager::AUTO);
  if (protocol == Protocol::Grpc) {
    auto* stats = hcm.add_http_filters();
    stats->set_name(kGrpcStatsFilter);
    envoy::extensions::filters::http::grpc_stats::v3::FilterConfig config;
    config.set_emit_filter_state(true);
    pack(config, stats->mutable_typed_config());
  }
  auto* router = hcm.add_http_filters();
  router->set_name(kRouterFilter);
  pack(envoy::extensions::filters::http::router::v3::Router(), router->mutable_typed_config());
  if (timeouts != nullptr) {
    setDuration(hcm.mutable_common_http_protocol_options()->mutable_idle_timeout(),
                timeouts->http_idle);
    setDuration(hcm.mutable_stream_idle_timeout(), timeouts->stream_idle);
  }
  return hcm;
}

TcpProxy tcpProxy(std::string_view stat_name, const std::string& cluster,
                  std::optional<absl::Duration> idle_timeout) {
  TcpProxy proxy;
  proxy.set_stat_prefix(sanitizeMetric(stat_name));
  proxy.set_cluster(cluster);
  if (idle_timeout) setDuration(proxy.mutable_idle_timeout(), *idle_timeout);
  return proxy;
}

void insertBeforeRouter(HttpConnectionManager& hcm, const char* name,
                        const google::protobuf::Message& config) {
  auto* filters = hcm.mutable_http_filters();
  auto* filter = filters->Add();
  filter->set_name(name);
  pack(config, filter->mutable_typed_config());
  // Move it from the end to just before the router.
  for (int i = filters->size() - 1; i > 0 && filters->Get(i - 1).name() == kRouterFilter; --i) {
    filters->SwapElements(i, i - 1);
  }
}

void setUpstreamHttpOptions(Cluster* cluster, bool http2, const Timeouts* timeouts) {
  HttpProtocolOptions options;
  if (timeouts != nullptr) {
    auto* common = options.mutable_common_http_protocol_options();
    setDuration(common->mutable_idle_timeout(), timeouts->http_idle);
    if (timeouts->max_stream != absl::ZeroDuration()) {
      setDuration(common->mutable_max_stream_duration(), timeouts->max_stream);
    }
    if (timeouts->max_connection != absl::ZeroDuration()) {
      setDuration(common->mutable_max_connection_duration(), timeouts->max_connection);
    }
  }
  auto* explicit_config = options.mutable_explicit_http_config();
  if (http2) {
    explicit_config->mutable_http2_protocol_options();
  } else {
    explicit_config->mutable_http_protocol_options();
  }
  pack(options, &(*cluster->mutable_typed_extension_protocol_options())[kHttpProtocolOptions]);
}

envoy::config::route::v3::VirtualHost* addCatchAllVirtualHost(
    envoy::config::route::v3::RouteConfiguration* rc, const std::string& name) {
  auto* vh = rc->add_virtual_hosts();
  vh->set_name(name);
  // Not add_domains("*"): inlined, that trips GCC 12's -Wrestrict false positive.
  vh->add_domains(std::string(1, '*'));
  return vh;
}

Cluster staticCluster(const std::string& name, const std::string& ip, uint32_t port,
                      int64_t connect_timeout) {
  Cluster c;
  c.set_name(name);
  std::string stat_name = sanitizeMetric(name);
  if (stat_name != name) c.set_alt_stat_name(stat_name);
  setSeconds(c.mutable_connect_timeout(), connect_timeout);
  if (isIpLiteral(ip)) {
    c.set_type(Cluster::STATIC);
  } else {
    // A DNS name (Dataplane addresses may be names): resolved by Envoy, as Kuma does.
    c.set_type(Cluster::STRICT_DNS);
    c.set_dns_lookup_family(Cluster::V4_ONLY);
  }
  auto* cla = c.mutable_load_assignment();
  cla->set_cluster_name(name);
  auto* endpoint = cla->add_endpoints()->add_lb_endpoints()->mutable_endpoint();
  setSocketAddress(endpoint->mutable_address(), ip, port);
  return c;
}

}  // namespace ursa::xds::gen::envoy_profile
