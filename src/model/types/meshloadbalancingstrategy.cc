// MeshLoadBalancingStrategy: descriptor and validation.

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "ursa/policies/meshloadbalancingstrategy/v1alpha1/meshloadbalancingstrategy.pb.h"

namespace ursa::model::types {
namespace {

using ursa::policies::meshloadbalancingstrategy::v1alpha1::MeshLoadBalancingStrategy;

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  [[maybe_unused]] const auto& spec = static_cast<const MeshLoadBalancingStrategy&>(msg);
}

}  // namespace

const ResourceType& meshLoadBalancingStrategy() {
  static const ResourceType kType{
      .name = "MeshLoadBalancingStrategy",
      .scope = Scope::Mesh,
      .path = "meshloadbalancingstrategies",
      .cli_singular = "meshloadbalancingstrategy",
      .cli_plural = "meshloadbalancingstrategies",
      .layout = SpecLayout::Nested,
      .spec_prototype = &MeshLoadBalancingStrategy::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
      .is_policy = true,
      .is_target_ref_policy = true,
  };
  return kType;
}

}  // namespace ursa::model::types
