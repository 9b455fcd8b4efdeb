// DataplaneInsight: descriptor and validation.

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "ursa/mesh/v1alpha1/dataplane_insight.pb.h"

namespace ursa::model::types {
namespace {

using ursa::mesh::v1alpha1::DataplaneInsight;

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  [[maybe_unused]] const auto& spec = static_cast<const DataplaneInsight&>(msg);
}

}  // namespace

const ResourceType& dataplaneInsight() {
  static const ResourceType kType{
      .name = "DataplaneInsight",
      .scope = Scope::Mesh,
      .path = "dataplane-insights",
      .cli_singular = "",
      .cli_plural = "",
      .layout = SpecLayout::Flattened,
      .spec_prototype = &DataplaneInsight::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
      .read_only = true,
  };
  return kType;
}

}  // namespace ursa::model::types
