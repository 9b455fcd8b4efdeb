// MeshRateLimit: descriptor and validation.

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "ursa/policies/meshratelimit/v1alpha1/meshratelimit.pb.h"

namespace ursa::model::types {
namespace {

using ursa::policies::meshratelimit::v1alpha1::MeshRateLimit;

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  [[maybe_unused]] const auto& spec = static_cast<const MeshRateLimit&>(msg);
}

}  // namespace

const ResourceType& meshRateLimit() {
  static const ResourceType kType{
      .name = "MeshRateLimit",
      .scope = Scope::Mesh,
      .path = "meshratelimits",
      .cli_singular = "meshratelimit",
      .cli_plural = "meshratelimits",
      .layout = SpecLayout::Nested,
      .spec_prototype = &MeshRateLimit::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
      .is_policy = true,
      .is_target_ref_policy = true,
  };
  return kType;
}

}  // namespace ursa::model::types
