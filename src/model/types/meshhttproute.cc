// MeshHTTPRoute: descriptor and validation.

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "ursa/policies/meshhttproute/v1alpha1/meshhttproute.pb.h"

namespace ursa::model::types {
namespace {

using ursa::policies::meshhttproute::v1alpha1::MeshHTTPRoute;

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  [[maybe_unused]] const auto& spec = static_cast<const MeshHTTPRoute&>(msg);
}

}  // namespace

const ResourceType& meshHTTPRoute() {
  static const ResourceType kType{
      .name = "MeshHTTPRoute",
      .scope = Scope::Mesh,
      .path = "meshhttproutes",
      .cli_singular = "meshhttproute",
      .cli_plural = "meshhttproutes",
      .layout = SpecLayout::Nested,
      .spec_prototype = &MeshHTTPRoute::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
      .is_policy = true,
      .is_target_ref_policy = true,
  };
  return kType;
}

}  // namespace ursa::model::types
