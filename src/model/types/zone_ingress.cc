// ZoneIngress: descriptor and validation.

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "ursa/mesh/v1alpha1/zone_ingress.pb.h"

namespace ursa::model::types {
namespace {

using ursa::mesh::v1alpha1::ZoneIngress;

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  [[maybe_unused]] const auto& spec = static_cast<const ZoneIngress&>(msg);
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
