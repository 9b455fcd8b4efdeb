#pragma once

// Building blocks of the Envoy profile (docs/xds.md, "Envoy profile"): the
// shapes and names of Kuma 2.2's default-proxy generators, built directly as
// Envoy protos (no reflection, no text formats: this runs for every proxy).
//
// Every add*() appends one concern's resources to a SnapshotBuilder. They are
// pure functions of the ProxyContext: the same context always yields the same
// bytes, and resources whose content does not depend on the proxy (outbound
// clusters, endpoints, the passthrough listeners) come out byte-identical
// across proxies, so the snapshot interner shares them.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/core/v3/address.pb.h"
#include "envoy/config/core/v3/config_source.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/config/route/v3/route.pb.h"
#include "envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.pb.h"
#include "envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/struct.pb.h"
#include "src/xds/cache/resource_memo.h"
#include "src/xds/generator/generator.h"
#include "src/xds/generator/policies.h"

namespace ursa::xds::gen::envoy_profile {

// --- Names (Kuma 2.2, pkg/xds/envoy/names and the generators) ----------------

inline constexpr char kAdminName[] = "kuma:envoy:admin";
inline constexpr char kOutboundPassthroughV4[] = "outbound:passthrough:ipv4";
inline constexpr char kOutboundPassthroughV6[] = "outbound:passthrough:ipv6";
inline constexpr char kInboundPassthroughV4[] = "inbound:passthrough:ipv4";
inline constexpr char kInboundPassthroughV6[] = "inbound:passthrough:ipv6";
// Source address of connections from the inbound side to the application
// under transparent proxying (kept out of the iptables redirection).
inline constexpr char kInboundPassthroughSourceV4[] = "127.0.0.6";
inline constexpr char kInboundPassthroughSourceV6[] = "::6";

inline constexpr char kServiceTag[] = "kuma.io/service";
inline constexpr char kProtocolTag[] = "kuma.io/protocol";
inline constexpr char kZoneTag[] = "kuma.io/zone";
inline constexpr char kMeshTag[] = "kuma.io/mesh";
inline constexpr char kTagsHeader[] = "x-kuma-tags";
inline constexpr char kTagsMetadataKey[] = "io.kuma.tags";
inline constexpr char kKumaAlpn[] = "kuma";

// Extension names and the key of upstream HTTP options.
inline constexpr char kHcmFilter[] = "envoy.filters.network.http_connection_manager";
inline constexpr char kTcpProxyFilter[] = "envoy.filters.network.tcp_proxy";
inline constexpr char kRouterFilter[] = "envoy.filters.http.router";
inline constexpr char kGrpcStatsFilter[] = "envoy.filters.http.grpc_stats";
inline constexpr char kTlsInspector[] = "envoy.filters.listener.tls_inspector";
inline constexpr char kTlsTransportSocket[] = "envoy.transport_sockets.tls";
inline constexpr char kHttpProtocolOptions[] =
    "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

// --- Protocols and timeouts --------------------------------------------------

// kuma.io/protocol; anything unknown (kafka included) is carried as TCP.
enum class Protocol { Tcp, Http, Http2, Grpc };
Protocol parseProtocol(std::string_view tag);
inline bool isHttp(Protocol p) { return p != Protocol::Tcp; }

// Zero means "0s" is written (Envoy: disabled), as Kuma does; max_stream and
// max_connection are written only when non-zero.
struct Timeouts {
  absl::Duration connect;
  absl::Duration tcp_idle;
  absl::Duration http_idle;
  absl::Duration stream_idle;
  absl::Duration request;  // route timeout
  absl::Duration max_stream = absl::ZeroDuration();
  absl::Duration max_connection = absl::ZeroDuration();
};
// Kuma's DefaultInboundTimeout: twice the outbound defaults, no request timeout.
inline constexpr Timeouts kInboundTimeouts{absl::Seconds(10), absl::Hours(2), absl::Hours(2),
                                           absl::Hours(1), absl::ZeroDuration()};
// Kuma's default Timeout policy (timeout-all): what every outbound gets until
// a timeout policy says otherwise.
inline constexpr Timeouts kOutboundTimeouts{absl::Seconds(5), absl::Hours(1), absl::Hours(1),
                                            absl::Minutes(30), absl::Seconds(15)};
// Clusters no timeout policy applies to (passthrough, admin).
inline constexpr int64_t kDefaultConnectTimeout = 10;

// The timeouts a MeshTimeout rule asks for (Kuma's defaults filling the
// fields it leaves unset), or `fallback` when no rule applies.
Timeouts timeoutsOf(const policy::Rule* rule, const Timeouts& fallback);

// --- Shared resources (proto_helpers.cc) --------------------------------------

// The profile's memo of resources that many proxies need byte for byte (see
// ResourceMemo): keys start with what builds them ("admin-cluster|...").
ResourceMemo& resourceMemo();
// `build()`'s interned resource, built once per `key` while one is held.
ResourcePtr memoized(const std::string& key, const std::function<ResourcePtr()>& build);
// A key part naming `rule`'s conf completely: "-" for no rule, else its conf's
// type and deterministic bytes.
std::string confKey(const policy::Rule* rule);

// --- Proto helpers (proto_helpers.cc) -----------------------------------------

// Packs `m` into `out` with the type URL "type.googleapis.com/<full name>" and
// deterministic bytes (maps in stable order).
void pack(const google::protobuf::Message& m, google::protobuf::Any* out);
void setSeconds(google::protobuf::Duration* d, int64_t seconds);
void setDuration(google::protobuf::Duration* d, absl::Duration value);
// Kuma's SanitizeMetric: every character outside [a-zA-Z0-9_-] becomes '_'.
std::string sanitizeMetric(std::string_view name);
void setSocketAddress(envoy::config::core::v3::Address* address, const std::string& ip,
                      uint32_t port);
// `ads: {}` with resource_api_version V3.
void setAds(envoy::config::core::v3::ConfigSource* source);
// A Struct of string values (metadata).
void setStringFields(google::protobuf::Struct* s, const std::map<std::string, std::string>& fields);
bool isIPv6(std::string_view ip);

// Appends a network filter named `name` with typed config `config`.
void addNetworkFilter(envoy::config::listener::v3::FilterChain* chain, const char* name,
                      const google::protobuf::Message& config);
// An HCM with `stat_prefix` (sanitized), codec AUTO, the protocol's HTTP filters
// (grpc_stats for gRPC) and the router last, and the listener side of
// `timeouts` unless it is null. The caller sets the route configuration.
envoy::extensions::filters::network::http_connection_manager::v3::HttpConnectionManager
httpConnectionManager(std::string_view stat_prefix, Protocol protocol, const Timeouts* timeouts);
// A tcp_proxy to `cluster`, stat prefix sanitized from `stat_name`;
// `idle_timeout` < 0 leaves idle_timeout unset (Envoy's default).
envoy::extensions::filters::network::tcp_proxy::v3::TcpProxy tcpProxy(
    std::string_view stat_name, const std::string& cluster,
    std::optional<absl::Duration> idle_timeout);
// Inserts HTTP filter `name` with `config` just before the router (the last filter).
void insertBeforeRouter(
    envoy::extensions::filters::network::http_connection_manager::v3::HttpConnectionManager& hcm,
    const char* name, const google::protobuf::Message& config);
// typed_extension_protocol_options[HttpProtocolOptions]: explicit HTTP/1.1 or
// HTTP/2, and (when `timeouts` is given) common_http_protocol_options
// idle_timeout, and max_stream_duration / max_connection_duration when non-zero.
void setUpstreamHttpOptions(envoy::config::cluster::v3::Cluster* cluster, bool http2,
                            const Timeouts* timeouts);
// A virtual host `name` for every domain ("*"), appended to `rc`.
envoy::config::route::v3::VirtualHost* addCatchAllVirtualHost(
    envoy::config::route::v3::RouteConfiguration* rc, const std::string& name);
// A STATIC cluster with one endpoint, Kuma's alt_stat_name and connect timeout.
envoy::config::cluster::v3::Cluster staticCluster(const std::string& name, const std::string& ip,
                                                  uint32_t port, int64_t connect_timeout);

// --- TLS (tls.cc) -----------------------------------------------------------

// Inbound side of mesh mTLS: the proxy's identity, client certificates
// required, any peer of the mesh (URI SAN prefix spiffe://<mesh>/).
envoy::extensions::transport_sockets::tls::v3::DownstreamTlsContext downstreamTls(
    const std::string& mesh);
// Outbound side: the proxy's identity, ALPN "kuma", SNI "<service>{mesh=<mesh>}",
// and the peer must be exactly spiffe://<mesh>/<service>.
envoy::extensions::transport_sockets::tls::v3::UpstreamTlsContext upstreamTls(
    const std::string& mesh, const std::string& service);
// "envoy.transport_sockets.tls" with `context` as its typed config.
void setTlsTransportSocket(envoy::config::core::v3::TransportSocket* socket,
                           const google::protobuf::Message& context);
// Kuma's SNIFromTags for {kuma.io/service: service, mesh: mesh}.
std::string meshSni(const std::string& service, const std::string& mesh);

// --- Concerns ----------------------------------------------------------------

// Whether the dataplane is transparently proxied (both redirect ports set).
bool transparentProxying(const ursa::mesh::v1alpha1::Dataplane& dp);

// inbound.cc: per inbound with a service, the local cluster and the listener,
// with the policies of the inbound's from-rules (traffic permissions,
// timeouts, fault injection).
void addInbounds(const ProxyContext& ctx, const ProxyPolicies& policies, SnapshotBuilder& out);
// outbound.cc: listeners of the explicit outbounds; clusters and endpoints of
// every reachable service, with the policies of their to-rules (timeouts,
// retries).
void addOutbounds(const ProxyContext& ctx, const ProxyPolicies& policies, SnapshotBuilder& out);

// Extension names of the policy filters.
inline constexpr char kNetworkRbacFilter[] = "envoy.filters.network.rbac";
inline constexpr char kHttpRbacFilter[] = "envoy.filters.http.rbac";
inline constexpr char kFaultFilter[] = "envoy.filters.http.fault";
inline constexpr char kHttpLocalRateLimitFilter[] = "envoy.filters.http.local_ratelimit";
inline constexpr char kNetworkLocalRateLimitFilter[] = "envoy.filters.network.local_ratelimit";
// transparent.cc: the passthrough listeners and clusters.
void addTransparentProxy(const ProxyContext& ctx, SnapshotBuilder& out);
// admin.cc: cluster kuma:envoy:admin and the listener exposing /ready.
void addAdmin(const ProxyContext& ctx, SnapshotBuilder& out);

}  // namespace ursa::xds::gen::envoy_profile
