// ZoneIngress: descriptor and validation, with the rules, paths and messages
// of Kuma 2.2's ZoneIngress validator.

#include "src/model/types/types.h"
#include "src/model/validators/dataplane_helpers.h"
#include "src/model/validators/mesh_helpers.h"
#include "ursa/mesh/v1alpha1/zone_ingress.pb.h"

namespace ursa::model::types {
namespace {

using ursa::mesh::v1alpha1::ZoneIngress;

// Whether `port` on 127.0.0.1 is one the ingress listens on.
bool usesLoopbackPort(const ZoneIngress::Networking& net, uint32_t port) {
  return (port == net.port() && validators::overlapsLoopback(net.address())) ||
         (port == net.advertisedport() && validators::overlapsLoopback(net.advertisedaddress()));
}

void validateNetworking(const ZoneIngress::Networking& net, const FieldPath& at, Violations& out) {
  if (net.has_admin() && usesLoopbackPort(net, net.admin().port())) {
    out.add(at.field("admin").field("port"), "must differ from port");
  }
  bool has_advertised_address = !net.advertisedaddress().empty();
  bool has_advertised_port = net.advertisedport() != 0;
  if (has_advertised_port && !has_advertised_address) {
    out.add(at.field("advertisedAddress"), "has to be defined with advertisedPort");
  }
  if (has_advertised_address && !has_advertised_port) {
    out.add(at.field("advertisedPort"), "has to be defined with advertisedAddress");
  }
  // Kuma reports address problems one level down, at `<field>.address`.
  if (!net.address().empty()) {
    validators::validateProxyAddress(net.address(), at.field("address").field("address"), out);
  }
  if (has_advertised_address) {
    validators::validateProxyAddress(net.advertisedaddress(),
                                     at.field("advertisedAddress").field("address"), out);
  }
  validators::validatePort(net.port(), at.field("port"), out);
  if (has_advertised_port) {
    validators::validatePort(net.advertisedport(), at.field("advertisedPort"), out);
  }
}

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  const auto& spec = static_cast<const ZoneIngress&>(msg);
  validateNetworking(spec.networking(), FieldPath::rootedAt("networking"), out);
  // Kuma names the list `availableService` (singular) in its paths.
  const FieldPath services = FieldPath::rootedAt("availableService");
  for (int i = 0; i < spec.availableservices_size(); ++i) {
    validators::validateTagMap(spec.availableservices(i).tags(), services.index(i).field("tags"),
                               {.require_service = true}, out);
  }
}

}  // namespace

const ResourceType& zoneIngress() {
  static const ResourceType kType{
      .name = "ZoneIngress",
      .scope = Scope::Global,
      .path = "zone-ingresses",
      .cli_singular = "zone-ingress",
      .cli_plural = "zone-ingresses",
      .layout = SpecLayout::Flattened,
      .spec_prototype = &ZoneIngress::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
  };
  return kType;
}

}  // namespace ursa::model::types
