// Dataplane: descriptor and validation, with the rules, paths and messages
// of Kuma 2.2's Dataplane validator.

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "src/model/validators/dataplane_helpers.h"
#include "src/model/validators/mesh_helpers.h"
#include "ursa/common/strings.h"
#include "ursa/mesh/v1alpha1/dataplane.pb.h"

namespace ursa::model::types {
namespace {

using ursa::mesh::v1alpha1::Dataplane;
using ursa::mesh::v1alpha1::MetricsBackend;
using Networking = Dataplane::Networking;
using Inbound = Networking::Inbound;
using Outbound = Networking::Outbound;
using Gateway = Networking::Gateway;

constexpr std::string_view kServiceTag = "kuma.io/service";
constexpr std::string_view kProtocolTag = "kuma.io/protocol";

// --- the Envoy admin port ----------------------------------------------------

// Whether `port` on 127.0.0.1 is taken by an inbound: the proxy's side
// (address:port) or the application's (serviceAddress:servicePort), each
// defaulted as the proxy would.
bool inboundUsesLoopbackPort(const Networking& net, uint32_t port) {
  for (const Inbound& in : net.inbound()) {
    const std::string& proxy_ip = in.address().empty() ? net.address() : in.address();
    const std::string& app_ip = in.serviceaddress().empty() ? proxy_ip : in.serviceaddress();
    uint32_t app_port = in.serviceport() == 0 ? in.port() : in.serviceport();
    if (port == in.port() && validators::overlapsLoopback(proxy_ip)) return true;
    if (port == app_port && validators::overlapsLoopback(app_ip)) return true;
  }
  return false;
}

bool outboundUsesLoopbackPort(const Networking& net, uint32_t port) {
  for (const Outbound& out : net.outbound()) {
    std::string_view ip = out.address();
    if (ip.empty()) ip = "127.0.0.1";
    if (port == out.port() && validators::overlapsLoopback(ip)) return true;
  }
  return false;
}

void validateAdminPort(const Networking& net, const FieldPath& at, Violations& out) {
  if (!net.has_admin()) return;
  const FieldPath port = at.field("admin").field("port");
  if (inboundUsesLoopbackPort(net, net.admin().port())) out.add(port, "must differ from inbound");
  if (outboundUsesLoopbackPort(net, net.admin().port())) {
    out.add(port, "must differ from outbound");
  }
}

// --- inbounds ------------------------------------------------------------------

// (serviceAddress, servicePort) must not be the listener's own (address, port).
bool serviceSideIsListener(const Inbound& in) {
  return in.serviceport() == 0 || in.serviceport() == in.port();
}

void validateInboundAddresses(const Inbound& in, const std::string& proxy_address,
                              const FieldPath& at, Violations& out) {
  constexpr std::string_view kSameAsListener =
      "serviceAddress and servicePort has to differ from address and port";
  const std::string& service_address = in.serviceaddress();
  if (!service_address.empty()) {
    if (!validators::parseIp(service_address)) {
      out.add(at.field("serviceAddress"), "serviceAddress has to be valid IP address");
    }
    if (service_address == proxy_address && serviceSideIsListener(in)) {
      out.add(at.field("serviceAddress"), std::string(kSameAsListener));
    }
  }
  if (!in.address().empty()) {
    if (!validators::parseIp(in.address())) {
      out.add(at.field("address"), "address has to be valid IP address");
    }
    if (in.address() == service_address && serviceSideIsListener(in)) {
      out.add(at.field("serviceAddress"), std::string(kSameAsListener));
    }
  }
}

void validateServiceProbe(const Inbound::ServiceProbe& probe, const FieldPath& at,
                          Violations& out) {
  if (probe.has_interval()) {
    validators::validatePositiveDuration(probe.interval(), at.field("interval"), out);
  }
  if (probe.has_timeout()) {
    validators::validatePositiveDuration(probe.timeout(), at.field("timeout"), out);
  }
  if (probe.has_unhealthy_threshold() && probe.unhealthy_threshold().value() == 0) {
    out.add(at.field("unhealthyThreshold"), "must have a positive value");
  }
  if (probe.has_healthy_threshold() && probe.healthy_threshold().value() == 0) {
    out.add(at.field("healthyThreshold"), "must have a positive value");
  }
}

void validateInbound(const Inbound& in, const std::string& proxy_address, const FieldPath& at,
                     Violations& out) {
  validators::validatePort(in.port(), at.field("port"), out);
  if (in.serviceport() != 0) {
    validators::validatePort(in.serviceport(), at.field("servicePort"), out);
  }
  validateInboundAddresses(in, proxy_address, at, out);
  const FieldPath tags = at.field("tags");
  validators::validateProtocolTag(in.tags(), tags, out);
  validators::validateTagMap(in.tags(), tags, {}, out);
  if (in.has_serviceprobe()) validateServiceProbe(in.serviceprobe(), at.field("serviceProbe"), out);
}

// --- outbounds and gateways ----------------------------------------------------

void validateOutbound(const Outbound& o, const FieldPath& at, Violations& out) {
  validators::validatePort(o.port(), at.field("port"), out);
  if (!o.address().empty() && !validators::parseIp(o.address())) {
    out.add(at.field("address"), "address has to be valid IP address");
  }
  if (!o.tags().empty()) {
    validators::validateTagMap(o.tags(), at.field("tags"), {.require_service = true}, out);
  } else if (o.service().empty()) {  // the deprecated field stands in for the tags
    out.add(at.field("tags"), ursa::strCat("mandatory tag \"", kServiceTag, "\" is missing"));
  }
}

void validateGateway(const Gateway& gateway, const FieldPath& at, Violations& out) {
  const FieldPath tags = at.field("tags");
  auto protocol = gateway.tags().find(std::string(kProtocolTag));
  if (protocol != gateway.tags().end() && protocol->second != "tcp") {
    out.add(tags.key(kProtocolTag),
            ursa::strCat("other values than tcp are not allowed, provided value \"",
                         protocol->second, "\""));
  }
  validators::validateTagMap(gateway.tags(), tags, {.require_service = true}, out);
}

// Addresses, inbounds and outbounds; shared by every kind of Dataplane.
void validateInterfaces(const Networking& net, const FieldPath& at, Violations& out) {
  validators::validateProxyAddress(net.address(), at.field("address"), out);
  for (int i = 0; i < net.inbound_size(); ++i) {
    const FieldPath in = at.field("inbound").index(i);
    validateInbound(net.inbound(i), net.address(), in, out);
    if (!net.inbound(i).tags().contains(std::string(kServiceTag))) {
      out.add(in.field("tags").key(kServiceTag), "tag has to exist");
    }
  }
  for (int i = 0; i < net.outbound_size(); ++i) {
    validateOutbound(net.outbound(i), at.field("outbound").index(i), out);
  }
}

// --- probes and metrics --------------------------------------------------------

void validateProbes(const Dataplane& dp, Violations& out) {
  if (!dp.has_probes()) return;
  const FieldPath at = FieldPath::rootedAt("probes");
  validators::validatePort(dp.probes().port(), at.field("port"), out);
  for (int i = 0; i < dp.probes().endpoints_size(); ++i) {
    const auto& endpoint = dp.probes().endpoints(i);
    const FieldPath e = at.field("endpoints").index(i);
    validators::validatePort(endpoint.inbound_port(), e.field("inboundPort"), out);
    if (!validators::requestUriPort(endpoint.inbound_path())) {
      out.add(e.field("inboundPath"), "should be a valid URL Path");
    }
    if (!validators::requestUriPort(endpoint.path())) {
      out.add(e.field("path"), "should be a valid URL Path");
    }
  }
}

void validateMetrics(const Dataplane& dp, Violations& out) {
  if (!dp.has_metrics()) return;
  const FieldPath at = FieldPath::rootedAt("metrics");
  const MetricsBackend& metrics = dp.metrics();
  if (metrics.type() != "prometheus") {
    out.add(at.field("type"), "unknown backend type. Available backends: \"prometheus\"");
    return;
  }
  validators::validatePrometheusConf(metrics.conf(), at.field("conf"), out);
}

// --- the three kinds of Dataplane ------------------------------------------------

void validateSidecar(const Dataplane& dp, const FieldPath& net, Violations& out) {
  if (dp.networking().inbound().empty()) {
    out.add(net, "has to contain at least one inbound interface or gateway");
  }
  validateInterfaces(dp.networking(), net, out);
  validateProbes(dp, out);
  validateMetrics(dp, out);
}

void validateDelegatedGateway(const Dataplane& dp, const FieldPath& net, Violations& out) {
  if (!dp.networking().inbound().empty()) {
    out.add(net.field("inbound"), "inbound cannot be defined for delegated gateways");
  }
  validateGateway(dp.networking().gateway(), net.field("gateway"), out);
  validateInterfaces(dp.networking(), net, out);
  validateProbes(dp, out);
}

void validateBuiltinGateway(const Dataplane& dp, const FieldPath& net, Violations& out) {
  if (!dp.networking().inbound().empty()) {
    out.add(net.field("inbound"), "inbound cannot be defined for builtin gateways");
  }
  if (!dp.networking().outbound().empty()) {
    out.add(net.field("outbound"), "outbound cannot be defined for builtin gateways");
  }
  // Kuma reports the top-level `probes` under `networking`.
  if (dp.has_probes()) {
    out.add(net.field("probes"), "probes cannot be defined for builtin gateways");
  }
  validateGateway(dp.networking().gateway(), net.field("gateway"), out);
  validateInterfaces(dp.networking(), net, out);
}

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  const auto& dp = static_cast<const Dataplane&>(msg);
  const FieldPath net = FieldPath::rootedAt("networking");
  if (!dp.has_networking()) {
    out.add(net, std::string(validators::kMustBeDefined));
    return;
  }
  validateAdminPort(dp.networking(), net, out);
  if (!dp.networking().has_gateway()) {
    validateSidecar(dp, net, out);
  } else if (dp.networking().gateway().type() == Gateway::BUILTIN) {
    validateBuiltinGateway(dp, net, out);
  } else {
    validateDelegatedGateway(dp, net, out);
  }
}

// A Dataplane carries the tags of each inbound, and those of its gateway.
TagSets tagSets(const google::protobuf::Message& msg) {
  const auto& net = static_cast<const Dataplane&>(msg).networking();
  TagSets sets;
  for (const Inbound& in : net.inbound()) sets.emplace_back(in.tags().begin(), in.tags().end());
  if (net.has_gateway()) {
    sets.emplace_back(net.gateway().tags().begin(), net.gateway().tags().end());
  }
  return sets;
}

}  // namespace

const ResourceType& dataplane() {
  static const ResourceType kType{
      .name = "Dataplane",
      .scope = Scope::Mesh,
      .path = "dataplanes",
      .cli_singular = "dataplane",
      .cli_plural = "dataplanes",
      .layout = SpecLayout::Flattened,
      .spec_prototype = &Dataplane::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
      .tags = tagSets,
  };
  return kType;
}

}  // namespace ursa::model::types
