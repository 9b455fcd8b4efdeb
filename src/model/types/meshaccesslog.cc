// MeshAccessLog: descriptor and validation.

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "ursa/policies/meshaccesslog/v1alpha1/meshaccesslog.pb.h"

namespace ursa::model::types {
namespace {

using ursa::policies::meshaccesslog::v1alpha1::MeshAccessLog;

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  [[maybe_unused]] const auto& spec = static_cast<const MeshAccessLog&>(msg);
}

}  // namespace

const ResourceType& meshAccessLog() {
  static const ResourceType kType{
      .name = "MeshAccessLog",
      .scope = Scope::Mesh,
      .path = "meshaccesslogs",
      .cli_singular = "meshaccesslog",
      .cli_plural = "meshaccesslogs",
      .layout = SpecLayout::Nested,
      .spec_prototype = &MeshAccessLog::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
      .is_policy = true,
      .is_target_ref_policy = true,
  };
  return kType;
}

}  // namespace ursa::model::types
