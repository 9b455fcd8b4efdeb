// ExternalService: descriptor and validation.

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "ursa/mesh/v1alpha1/external_service.pb.h"

namespace ursa::model::types {
namespace {

using ursa::mesh::v1alpha1::ExternalService;

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  [[maybe_unused]] const auto& spec = static_cast<const ExternalService&>(msg);
}

}  // namespace

const ResourceType& externalService() {
  static const ResourceType kType{
      .name = "ExternalService",
      .scope = Scope::Mesh,
      .path = "external-services",
      .cli_singular = "external-service",
      .cli_plural = "external-services",
      .layout = SpecLayout::Flattened,
      .spec_prototype = &ExternalService::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
      
  };
  return kType;
}

}  // namespace ursa::model::types
