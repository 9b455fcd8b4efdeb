// Zone: descriptor and validation.

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "ursa/system/v1alpha1/zone.pb.h"

namespace ursa::model::types {
namespace {

using ursa::system::v1alpha1::Zone;

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  [[maybe_unused]] const auto& spec = static_cast<const Zone&>(msg);
}

}  // namespace

const ResourceType& zone() {
  static const ResourceType kType{
      .name = "Zone",
      .scope = Scope::Global,
      .path = "zones",
      .cli_singular = "zone",
      .cli_plural = "zones",
      .layout = SpecLayout::Flattened,
      .spec_prototype = &Zone::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
      
  };
  return kType;
}

}  // namespace ursa::model::types
