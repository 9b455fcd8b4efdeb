// Access logs (MeshAccessLog) and tracing (MeshTrace) on the finished
// listeners, as Kuma 2.2's plugins add them after generation: inbound
// listeners take the MeshAccessLog from-rule for every client (Kuma's
// `from` accepts only Mesh), outbound listeners the to-rule of their
// service; the outbound passthrough listeners (transparent proxying) the
// to-rule of Kuma's "pass_through" service (so `to: Mesh`), logged with
// destination "external". Every inbound and outbound HCM takes the MeshTrace
// conf. The inbound passthrough and admin listeners are left alone. The
// listeners are visited in Kuma's order (inbounds, outbounds, passthrough),
// which numbers the OpenTelemetry access log collectors' clusters.
//
// Then MeshProxyPatch (translate/proxy_patch.h) runs last.

#include "src/xds/generator/translate/observability.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.pb.h"
#include "src/xds/generator/envoy/policy_passes.h"
#include "src/xds/generator/translate/proxy_patch.h"
#include "ursa/common/strings.h"
#include "ursa/mesh/v1alpha1/dataplane.pb.h"

namespace ursa::xds::gen::envoy_profile {

namespace {

using envoy::config::listener::v3::Listener;
using envoy::extensions::filters::network::http_connection_manager::v3::HttpConnectionManager;
using envoy::extensions::filters::network::tcp_proxy::v3::TcpProxy;
using ursa::mesh::v1alpha1::Dataplane;
using Mal = ursa::policies::meshaccesslog::v1alpha1::MeshAccessLog;
using Mt = ursa::policies::meshtrace::v1alpha1::MeshTrace;

// Kuma's names for the traffic an outbound passthrough listener carries: the
// service its to-rules are computed for, and the logged destination.
constexpr char kPassThroughService[] = "pass_through";
constexpr char kPassThroughDestination[] = "external";

// What a listener is, for these policies.
struct ListenerRole {
  bool inbound = false;
  std::string service;      // the inbound's service, or the outbound's destination
  std::string destination;  // %KUMA_DESTINATION_SERVICE%
  bool passthrough = false;  // access logs only
};

std::optional<ListenerRole> roleOf(const Listener& l) {
  const std::string& name = l.name();
  if (name == kOutboundPassthroughV4 || name == kOutboundPassthroughV6) {
    return ListenerRole{false, kPassThroughService, kPassThroughDestination, true};
  }
  bool inbound = name.starts_with("inbound:") && !name.starts_with("inbound:passthrough:");
  bool outbound = name.starts_with("outbound:") && !name.starts_with("outbound:passthrough:");
  if (!inbound && !outbound) return std::nullopt;
  auto tags = l.metadata().filter_metadata().find(kTagsMetadataKey);
  if (tags == l.metadata().filter_metadata().end()) return std::nullopt;
  auto service = tags->second.fields().find(kServiceTag);
  if (service == tags->second.fields().end()) return std::nullopt;
  const std::string& value = service->second.string_value();
  return ListenerRole{inbound, value, value, false};
}

// Kuma's IdentifyingName: the first inbound's service, else the gateway's.
std::string identifyingService(const Dataplane& dp) {
  for (const auto& in : dp.networking().inbound()) {
    auto it = in.tags().find(kServiceTag);
    if (it != in.tags().end()) return it->second;
  }
  auto it = dp.networking().gateway().tags().find(kServiceTag);
  return it != dp.networking().gateway().tags().end() ? it->second : "unknown";
}

// Where Kuma 2.2's MeshAccessLog plugin visits a listener: inbounds, then
// outbounds, each in the Dataplane's order, then the passthrough listeners.
std::pair<int, int> kumaRank(const Dataplane& dp, const Listener& l, const ListenerRole& role) {
  if (role.passthrough) return {2, l.name() == kOutboundPassthroughV4 ? 0 : 1};
  uint32_t port = l.address().socket_address().port_value();
  const auto& net = dp.networking();
  if (role.inbound) {
    for (int i = 0; i < net.inbound_size(); ++i) {
      if (net.inbound(i).port() == port) return {0, i};
    }
    return {0, net.inbound_size()};
  }
  for (int i = 0; i < net.outbound_size(); ++i) {
    if (net.outbound(i).port() == port) return {1, i};
  }
  return {1, net.outbound_size()};
}

struct VisitedListener {
  std::pair<int, int> rank;
  std::string name;
  Listener listener;
  ListenerRole role;
};

// The listeners these policies touch, in Kuma's order (ties by name).
std::vector<VisitedListener> listenersInKumaOrder(const Dataplane& dp, const SnapshotEditor& out) {
  std::vector<VisitedListener> visited;
  for (const auto& [name, _] : out.resources(TypeIndex::Listener)) {
    Listener l;
    if (!out.read(TypeIndex::Listener, name, l)) continue;
    auto role = roleOf(l);
    if (!role) continue;
    auto rank = kumaRank(dp, l, *role);
    visited.push_back({rank, name, std::move(l), std::move(*role)});
  }
  std::sort(visited.begin(), visited.end(), [](const auto& a, const auto& b) {
    return std::tie(a.rank, a.name) < std::tie(b.rank, b.name);
  });
  return visited;
}

std::string originNames(const policy::Rule& rule) {
  std::vector<std::string> names;
  for (const auto& o : rule.origins) names.push_back(strCat(o.mesh, "/", o.name));
  return strCat("MeshAccessLog ", strJoin(names, ","));
}

// The access log rule of a listener; null when none applies.
const policy::Rule* accessLogRule(const ProxyPolicies& policies, const Listener& l,
                                  const ListenerRole& role) {
  if (!role.inbound) return policies.to(policy_types::kAccessLog, role.service);
  const auto& socket = l.address().socket_address();
  const policy::Rules* rules =
      policies.from(policy_types::kAccessLog, socket.address(), socket.port_value());
  return rules == nullptr ? nullptr : policy::computeRule(*rules, {});
}

// Per listener: the loggers for HTTP and TCP filters, and the tracing.
struct ListenerObservability {
  std::vector<envoy::config::accesslog::v3::AccessLog> http_logs, tcp_logs;
  std::optional<translate::Tracing> tracing;
};

// Adds what `o` holds to every HCM and tcp_proxy of `l`.
void applyTo(Listener& l, const ListenerObservability& o) {
  for (auto& chain : *l.mutable_filter_chains()) {
    for (auto& filter : *chain.mutable_filters()) {
      if (filter.name() == kHcmFilter) {
        HttpConnectionManager hcm;
        if (!filter.typed_config().UnpackTo(&hcm)) continue;
        for (const auto& log : o.http_logs) *hcm.add_access_log() = log;
        if (o.tracing) *hcm.mutable_tracing() = o.tracing->hcm;
        pack(hcm, filter.mutable_typed_config());
      } else if (filter.name() == kTcpProxyFilter && !o.tcp_logs.empty()) {
        TcpProxy proxy;
        if (!filter.typed_config().UnpackTo(&proxy)) continue;
        for (const auto& log : o.tcp_logs) *proxy.add_access_log() = log;
        pack(proxy, filter.mutable_typed_config());
      }
    }
  }
}

}  // namespace

void addObservability(const ProxyContext& ctx, const ProxyPolicies& policies, SnapshotEditor& out) {
  const auto& dp = static_cast<const Dataplane&>(*ctx.dataplane->spec);
  const Mt::Conf* trace = confOf<Mt::Conf>(policies.single(policy_types::kTrace));
  std::string own_service = identifyingService(dp);
  std::set<std::string> warned;
  auto warn = [&](std::string w) {
    if (warned.insert(w).second) out.addWarning(std::move(w));
  };
  translate::OtelLogCollectors collectors;
  for (auto& [rank, name, l, role] : listenersInKumaOrder(dp, out)) {
    ListenerObservability o;
    const policy::Rule* log_rule = accessLogRule(policies, l, role);
    if (const auto* conf = confOf<Mal::Conf>(log_rule)) {
      translate::AccessLogValues values{
          ctx.mesh->name(), ctx.dataplane->meta.name,  role.inbound ? "unknown" : own_service,
          role.destination, dp.networking().address(), role.inbound ? "INBOUND" : "OUTBOUND"};
      std::string origin = originNames(*log_rule);
      o.http_logs = translate::accessLogs(*conf, values, true, origin, collectors, warn);
      o.tcp_logs = translate::accessLogs(*conf, values, false, origin, collectors, warn);
    }
    if (trace != nullptr && !role.passthrough) {
      o.tracing = role.inbound ? translate::tracingOf(*trace, role.service, "", warn)
                               : translate::tracingOf(*trace, own_service, role.service, warn);
    }
    if (o.http_logs.empty() && o.tcp_logs.empty() && !o.tracing) continue;
    applyTo(l, o);
    out.put(TypeIndex::Listener, name, l);
    if (o.tracing) out.put(TypeIndex::Cluster, o.tracing->collector.name(), o.tracing->collector);
  }
  for (const auto& cluster : collectors.clusters()) {
    out.put(TypeIndex::Cluster, cluster.name(), cluster);
  }
}

SnapshotConstSharedPtr applyPolicyPasses(const ProxyContext& ctx, const ProxyPolicies& policies,
                                         SnapshotConstSharedPtr base) {
  namespace types = policy_types;
  if (!policies.any(types::kAccessLog) && !policies.any(types::kTrace) &&
      !policies.any(types::kProxyPatch)) {
    return base;
  }
  SnapshotEditor out(*base);
  addObservability(ctx, policies, out);
  translate::applyProxyPatches(policies.selecting(types::kProxyPatch), out);
  return out.build();
}

}  // namespace ursa::xds::gen::envoy_profile
