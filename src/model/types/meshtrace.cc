// MeshTrace: descriptor and validation.

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "ursa/policies/meshtrace/v1alpha1/meshtrace.pb.h"

namespace ursa::model::types {
namespace {

using ursa::policies::meshtrace::v1alpha1::MeshTrace;

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  [[maybe_unused]] const auto& spec = static_cast<const MeshTrace&>(msg);
}

}  // namespace

const ResourceType& meshTrace() {
  static const ResourceType kType{
      .name = "MeshTrace",
      .scope = Scope::Mesh,
      .path = "meshtraces",
      .cli_singular = "meshtrace",
      .cli_plural = "meshtraces",
      .layout = SpecLayout::Nested,
      .spec_prototype = &MeshTrace::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
      .is_policy = true,
      .is_target_ref_policy = true,
  };
  return kType;
}

}  // namespace ursa::model::types
