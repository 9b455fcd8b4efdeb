// Zone: descriptor. Kuma 2.2 puts no rules on a Zone's spec (only `enabled`);
// its name is checked like every resource's.

#include "src/model/types/types.h"
#include "ursa/system/v1alpha1/zone.pb.h"

namespace ursa::model::types {

const ResourceType& zone() {
  static const ResourceType kType{
      .name = "Zone",
      .scope = Scope::Global,
      .path = "zones",
      .cli_singular = "zone",
      .cli_plural = "zones",
      .layout = SpecLayout::Flattened,
      .spec_prototype = &ursa::system::v1alpha1::Zone::default_instance(),
      .validate = nullptr,
      .apply_defaults = nullptr,
  };
  return kType;
}

}  // namespace ursa::model::types
