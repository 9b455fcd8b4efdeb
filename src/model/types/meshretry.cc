// MeshRetry: descriptor and validation.

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "ursa/policies/meshretry/v1alpha1/meshretry.pb.h"

namespace ursa::model::types {
namespace {

using ursa::policies::meshretry::v1alpha1::MeshRetry;

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  [[maybe_unused]] const auto& spec = static_cast<const MeshRetry&>(msg);
}

}  // namespace

const ResourceType& meshRetry() {
  static const ResourceType kType{
      .name = "MeshRetry",
      .scope = Scope::Mesh,
      .path = "meshretries",
      .cli_singular = "meshretry",
      .cli_plural = "meshretries",
      .layout = SpecLayout::Nested,
      .spec_prototype = &MeshRetry::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
      .is_policy = true,
      .is_target_ref_policy = true,
  };
  return kType;
}

}  // namespace ursa::model::types
