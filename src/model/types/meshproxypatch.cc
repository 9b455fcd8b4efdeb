// MeshProxyPatch: descriptor and validation.

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "ursa/policies/meshproxypatch/v1alpha1/meshproxypatch.pb.h"

namespace ursa::model::types {
namespace {

using ursa::policies::meshproxypatch::v1alpha1::MeshProxyPatch;

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  [[maybe_unused]] const auto& spec = static_cast<const MeshProxyPatch&>(msg);
}

}  // namespace

const ResourceType& meshProxyPatch() {
  static const ResourceType kType{
      .name = "MeshProxyPatch",
      .scope = Scope::Mesh,
      .path = "meshproxypatches",
      .cli_singular = "meshproxypatch",
      .cli_plural = "meshproxypatches",
      .layout = SpecLayout::Nested,
      .spec_prototype = &MeshProxyPatch::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
      .is_policy = true,
      .is_target_ref_policy = true,
  };
  return kType;
}

}  // namespace ursa::model::types
