// MeshTrafficPermission: validation as Kuma 2.2's
// pkg/plugins/policies/meshtrafficpermission/api/v1alpha1/validator.go.

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "ursa/policies/meshtrafficpermission/v1alpha1/meshtrafficpermission.pb.h"

namespace ursa::model::types {
namespace {

using ursa::policies::meshtrafficpermission::v1alpha1::MeshTrafficPermission;
using validators::RefKind;

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  const auto& spec = static_cast<const MeshTrafficPermission&>(msg);
  const FieldPath root = FieldPath::rootedAt("spec");
  validators::validateTargetRef(spec.target_ref(),
                                {RefKind::Mesh, RefKind::MeshSubset, RefKind::MeshService,
                                 RefKind::MeshServiceSubset, RefKind::MeshGatewayRoute},
                                root.field("targetRef"), out);
  if (spec.from().empty()) out.add(root.field("from"), "needs at least one item");
  for (int i = 0; i < spec.from_size(); ++i) {
    const auto& from = spec.from(i);
    const FieldPath at = root.field("from").index(i);
    validators::validateTargetRef(from.target_ref(),
                                  {RefKind::Mesh, RefKind::MeshSubset, RefKind::MeshService,
                                   RefKind::MeshServiceSubset},
                                  at.field("targetRef"), out);
    const std::string& action = from.default_().action();
    if (action.empty()) {
      out.add(at.field("default").field("action"), std::string(validators::kMustBeDefined));
    } else if (action != "Allow" && action != "Deny" && action != "AllowWithShadowDeny") {
      out.add(at.field("default").field("action"),
              "unknown action; allowed values: Allow, Deny, AllowWithShadowDeny");
    }
  }
}

}  // namespace

const ResourceType& meshTrafficPermission() {
  static const ResourceType kType{
      .name = "MeshTrafficPermission",
      .scope = Scope::Mesh,
      .path = "meshtrafficpermissions",
      .cli_singular = "meshtrafficpermission",
      .cli_plural = "meshtrafficpermissions",
      .layout = SpecLayout::Nested,
      .spec_prototype = &MeshTrafficPermission::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
      .is_policy = true,
      .is_target_ref_policy = true,
  };
  return kType;
}

}  // namespace ursa::model::types
