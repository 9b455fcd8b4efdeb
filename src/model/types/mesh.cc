// Mesh: descriptor and validation.

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "ursa/mesh/v1alpha1/mesh.pb.h"

namespace ursa::model::types {
namespace {

using ursa::mesh::v1alpha1::Mesh;

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  [[maybe_unused]] const auto& spec = static_cast<const Mesh&>(msg);
}

}  // namespace

const ResourceType& mesh() {
  static const ResourceType kType{
      .name = "Mesh",
      .scope = Scope::Global,
      .path = "meshes",
      .cli_singular = "mesh",
      .cli_plural = "meshes",
      .layout = SpecLayout::Flattened,
      .spec_prototype = &Mesh::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
      
  };
  return kType;
}

}  // namespace ursa::model::types
