// MeshCircuitBreaker: descriptor and validation.

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "ursa/policies/meshcircuitbreaker/v1alpha1/meshcircuitbreaker.pb.h"

namespace ursa::model::types {
namespace {

using ursa::policies::meshcircuitbreaker::v1alpha1::MeshCircuitBreaker;

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  [[maybe_unused]] const auto& spec = static_cast<const MeshCircuitBreaker&>(msg);
}

}  // namespace

const ResourceType& meshCircuitBreaker() {
  static const ResourceType kType{
      .name = "MeshCircuitBreaker",
      .scope = Scope::Mesh,
      .path = "meshcircuitbreakers",
      .cli_singular = "meshcircuitbreaker",
      .cli_plural = "meshcircuitbreakers",
      .layout = SpecLayout::Nested,
      .spec_prototype = &MeshCircuitBreaker::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
      .is_policy = true,
      .is_target_ref_policy = true,
  };
  return kType;
}

}  // namespace ursa::model::types
