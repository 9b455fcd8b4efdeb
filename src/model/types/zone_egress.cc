// ZoneEgress: descriptor and validation.

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "ursa/mesh/v1alpha1/zone_egress.pb.h"

namespace ursa::model::types {
namespace {

using ursa::mesh::v1alpha1::ZoneEgress;

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  [[maybe_unused]] const auto& spec = static_cast<const ZoneEgress&>(msg);
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
