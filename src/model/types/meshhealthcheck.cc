// MeshHealthCheck: descriptor and validation.

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "ursa/policies/meshhealthcheck/v1alpha1/meshhealthcheck.pb.h"

namespace ursa::model::types {
namespace {

using ursa::policies::meshhealthcheck::v1alpha1::MeshHealthCheck;

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  [[maybe_unused]] const auto& spec = static_cast<const MeshHealthCheck&>(msg);
}

}  // namespace

const ResourceType& meshHealthCheck() {
  static const ResourceType kType{
      .name = "MeshHealthCheck",
      .scope = Scope::Mesh,
      .path = "meshhealthchecks",
      .cli_singular = "meshhealthcheck",
      .cli_plural = "meshhealthchecks",
      .layout = SpecLayout::Nested,
      .spec_prototype = &MeshHealthCheck::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
      .is_policy = true,
      .is_target_ref_policy = true,
  };
  return kType;
}

}  // namespace ursa::model::types
