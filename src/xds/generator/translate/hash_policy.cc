// MeshLoadBalancingStrategy hashPolicies -> route hash_policy (Kuma 2.2's
// meshloadbalancingstrategy plugin), for Envoy and, reduced to gRFC A42,
// for proxyless clients on ring hash.

#include "src/xds/generator/translate/translate.h"
#include "ursa/common/strings.h"

namespace ursa::xds::gen::translate {

namespace {

using HashPolicy = envoy::config::route::v3::RouteAction::HashPolicy;
using Mlbs = ursa::policies::meshloadbalancingstrategy::v1alpha1::MeshLoadBalancingStrategy;

// The only filter state key gRPC hashes on (gRFC A42).
constexpr char kGrpcChannelId[] = "io.grpc.channel_id";

// Kuma's mapping; nullopt for an unknown type.
std::optional<HashPolicy> envoyHashPolicy(const Mlbs::HashPolicy& in) {
  HashPolicy out;
  const std::string& type = in.type();
  if (type == "Header") {
    out.mutable_header()->set_header_name(in.header().name());
  } else if (type == "Cookie") {
    auto* cookie = out.mutable_cookie();
    cookie->set_name(in.cookie().name());
    if (in.cookie().has_ttl()) setDuration(cookie->mutable_ttl(), toAbsl(in.cookie().ttl()));
    if (in.cookie().has_path()) cookie->set_path(in.cookie().path());
  } else if (type == "Connection") {
    out.mutable_connection_properties()->set_source_ip(in.connection().source_ip());
  } else if (type == "SourceIP") {
    out.mutable_connection_properties()->set_source_ip(true);
  } else if (type == "QueryParameter") {
    out.mutable_query_parameter()->set_name(in.query_parameter().name());
  } else if (type == "FilterState") {
    out.mutable_filter_state()->set_key(in.filter_state().key());
  } else {
    return std::nullopt;
  }
  if (in.has_terminal()) out.set_terminal(in.terminal());
  return out;
}

// What a gRPC ring hash client honours: headers (not binary ones) and the
// channel id filter state.
bool grpcHonours(const HashPolicy& p) {
  if (p.has_header()) {
    const std::string& name = p.header().header_name();
    return name.size() < 4 || name.compare(name.size() - 4, 4, "-bin") != 0;
  }
  return p.has_filter_state() && p.filter_state().key() == kGrpcChannelId;
}

const google::protobuf::RepeatedPtrField<Mlbs::HashPolicy>* configured(const Mlbs::Conf& conf) {
  if (!conf.has_load_balancer()) return nullptr;
  const auto& lb = conf.load_balancer();
  if (lb.type() == "RingHash") return &lb.ring_hash().hash_policies();
  if (lb.type() == "Maglev") return &lb.maglev().hash_policies();
  return nullptr;
}

}  // namespace

std::vector<HashPolicy> hashPolicies(const Mlbs::Conf& conf, const ClusterClient& client,
                                     const std::string& service, const Warn& warn) {
  const auto* in = configured(conf);
  if (in == nullptr || in->empty()) return {};
  bool grpc_ring = conf.load_balancer().type() == "RingHash" && client.ring_hash;
  if (client.proxyless && !grpc_ring) {
    warn(strCat("MeshLoadBalancingStrategy hashPolicies for ", service,
                ": the gRPC client balances round robin here; ignored"));
    return {};
  }
  std::vector<HashPolicy> out;
  for (const auto& p : *in) {
    auto policy = envoyHashPolicy(p);
    if (!policy) continue;
    if (client.proxyless && !grpcHonours(*policy)) {
      std::string what = p.type();
      if (p.type() == "Header") what = strCat("Header ", p.header().name());
      if (p.type() == "FilterState") what = strCat("FilterState ", p.filter_state().key());
      warn(strCat("MeshLoadBalancingStrategy hashPolicies ", what, " for ", service,
                  ": gRPC hashes only on non-binary headers and filter state ", kGrpcChannelId,
                  "; left out"));
      continue;
    }
    out.push_back(std::move(*policy));
  }
  return out;
}

}  // namespace ursa::xds::gen::translate
