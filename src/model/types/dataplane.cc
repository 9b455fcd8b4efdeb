// Dataplane: descriptor and validation.

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "ursa/mesh/v1alpha1/dataplane.pb.h"

namespace ursa::model::types {
namespace {

using ursa::mesh::v1alpha1::Dataplane;

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  [[maybe_unused]] const auto& spec = static_cast<const Dataplane&>(msg);
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
      
  };
  return kType;
}

}  // namespace ursa::model::types
