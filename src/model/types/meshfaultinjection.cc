// MeshFaultInjection: descriptor and validation.

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "ursa/policies/meshfaultinjection/v1alpha1/meshfaultinjection.pb.h"

namespace ursa::model::types {
namespace {

using ursa::policies::meshfaultinjection::v1alpha1::MeshFaultInjection;

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  [[maybe_unused]] const auto& spec = static_cast<const MeshFaultInjection&>(msg);
}

}  // namespace

const ResourceType& meshFaultInjection() {
  static const ResourceType kType{
      .name = "MeshFaultInjection",
      .scope = Scope::Mesh,
      .path = "meshfaultinjections",
      .cli_singular = "meshfaultinjection",
      .cli_plural = "meshfaultinjections",
      .layout = SpecLayout::Nested,
      .spec_prototype = &MeshFaultInjection::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
      .is_policy = true,
      .is_target_ref_policy = true,
  };
  return kType;
}

}  // namespace ursa::model::types
