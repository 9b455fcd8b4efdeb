// MeshTimeout: descriptor and validation.

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "ursa/policies/meshtimeout/v1alpha1/meshtimeout.pb.h"

namespace ursa::model::types {
namespace {

using ursa::policies::meshtimeout::v1alpha1::MeshTimeout;

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  [[maybe_unused]] const auto& spec = static_cast<const MeshTimeout&>(msg);
}

}  // namespace

const ResourceType& meshTimeout() {
  static const ResourceType kType{
      .name = "MeshTimeout",
      .scope = Scope::Mesh,
      .path = "meshtimeouts",
      .cli_singular = "meshtimeout",
      .cli_plural = "meshtimeouts",
      .layout = SpecLayout::Nested,
      .spec_prototype = &MeshTimeout::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
      .is_policy = true,
      .is_target_ref_policy = true,
  };
  return kType;
}

}  // namespace ursa::model::types
