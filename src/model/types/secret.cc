// Secret and GlobalSecret: opaque bytes, admin-only.

#include "src/model/types/types.h"
#include "ursa/system/v1alpha1/secret.pb.h"

namespace ursa::model::types {
namespace {

using ursa::system::v1alpha1::Secret;

void validateSecret(const google::protobuf::Message& msg, const ValidationContext&,
                    Violations& out) {
  const auto& spec = static_cast<const Secret&>(msg);
  if (spec.data().empty()) out.add(FieldPath::rootedAt("data"), "cannot be empty");
}

}  // namespace

const ResourceType& secret() {
  static const ResourceType kType{
      .name = "Secret",
      .scope = Scope::Mesh,
      .path = "secrets",
      .cli_singular = "secret",
      .cli_plural = "secrets",
      .layout = SpecLayout::Flattened,
      .spec_prototype = &Secret::default_instance(),
      .validate = validateSecret,
      .apply_defaults = nullptr,
      .admin_only = true,
  };
  return kType;
}

const ResourceType& globalSecret() {
  static const ResourceType kType{
      .name = "GlobalSecret",
      .scope = Scope::Global,
      .path = "global-secrets",
      .cli_singular = "global-secret",
      .cli_plural = "global-secrets",
      .layout = SpecLayout::Flattened,
      .spec_prototype = &Secret::default_instance(),
      .validate = validateSecret,
      .apply_defaults = nullptr,
      .admin_only = true,
  };
  return kType;
}

}  // namespace ursa::model::types
