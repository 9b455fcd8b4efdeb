// MeshTCPRoute: descriptor and validation.

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "ursa/policies/meshtcproute/v1alpha1/meshtcproute.pb.h"

namespace ursa::model::types {
namespace {

using ursa::policies::meshtcproute::v1alpha1::MeshTCPRoute;

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  [[maybe_unused]] const auto& spec = static_cast<const MeshTCPRoute&>(msg);
}

}  // namespace

const ResourceType& meshTCPRoute() {
  static const ResourceType kType{
      .name = "MeshTCPRoute",
      .scope = Scope::Mesh,
      .path = "meshtcproutes",
      .cli_singular = "meshtcproute",
      .cli_plural = "meshtcproutes",
      .layout = SpecLayout::Nested,
      .spec_prototype = &MeshTCPRoute::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
      .is_policy = true,
      .is_target_ref_policy = true,
  };
  return kType;
}

}  // namespace ursa::model::types
