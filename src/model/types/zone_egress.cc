// ZoneEgress: descriptor and validation, with the rules, paths and messages
// of Kuma 2.2's ZoneEgress validator.

#include "src/model/types/types.h"
#include "src/model/validators/dataplane_helpers.h"
#include "src/model/validators/mesh_helpers.h"
#include "ursa/mesh/v1alpha1/zone_egress.pb.h"

namespace ursa::model::types {
namespace {

using ursa::mesh::v1alpha1::ZoneEgress;

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  const auto& net = static_cast<const ZoneEgress&>(msg).networking();
  const FieldPath at = FieldPath::rootedAt("networking");
  if (net.has_admin() && net.admin().port() == net.port() &&
      validators::overlapsLoopback(net.address())) {
    out.add(at.field("admin").field("port"), "must differ from port");
  }
  // Kuma reports address problems one level down, at `address.address`.
  if (!net.address().empty()) {
    validators::validateProxyAddress(net.address(), at.field("address").field("address"), out);
  }
  validators::validatePort(net.port(), at.field("port"), out);
}

}  // namespace

const ResourceType& zoneEgress() {
  static const ResourceType kType{
      .name = "ZoneEgress",
      .scope = Scope::Global,
      .path = "zoneegresses",
      .cli_singular = "zoneegress",
      .cli_plural = "zoneegresses",
      .layout = SpecLayout::Flattened,
      .spec_prototype = &ZoneEgress::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
  };
  return kType;
}

}  // namespace ursa::model::types
