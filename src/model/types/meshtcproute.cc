// MeshTCPRoute: validation as Kuma 2.3's
// pkg/plugins/policies/meshtcproute/api/v1alpha1/validator.go (the policy is
// not in Kuma 2.2). Like Kuma, only references are checked; the list sizes of
// its schema (at least one `to`, at most one rule) are not enforced.

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "src/model/validators/policy_helpers_b.h"
#include "ursa/policies/meshtcproute/v1alpha1/meshtcproute.pb.h"

namespace ursa::model::types {
namespace {

using ursa::policies::meshtcproute::v1alpha1::MeshTCPRoute;
using validators::RefKind;

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  const auto& spec = static_cast<const MeshTCPRoute&>(msg);
  const FieldPath root = FieldPath::rootedAt("spec");
  validators::validateTargetRef(
      spec.target_ref(),
      {RefKind::Mesh, RefKind::MeshSubset, RefKind::MeshService, RefKind::MeshServiceSubset},
      root.field("targetRef"), out);
  for (int i = 0; i < spec.to_size(); ++i) {
    const auto& to = spec.to(i);
    const FieldPath at = root.field("to").index(static_cast<size_t>(i));
    validators::validateTargetRef(to.target_ref(), {RefKind::MeshService}, at.field("targetRef"),
                                  out);
    for (int j = 0; j < to.rules_size(); ++j) {
      const FieldPath rule = at.field("rules").index(static_cast<size_t>(j));
      validators::validateBackendRefs(to.rules(j).default_().backend_refs(),
                                      rule.field("default").field("backendRefs"), out);
    }
  }
}

}  // namespace

const ResourceType& meshTCPRoute() {
  static const ResourceType kType{
      .name = "MeshTCPRoute",
      .scope = Scope::Mesh,
      .path = "meshtcproutes",
      .cli_singular = "meshtcproute",
      .cli_plural = "meshtcproutes",
      .layout = SpecLayout::Nested,
      .spec_prototype = &MeshTCPRoute::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
      .is_policy = true,
      .is_target_ref_policy = true,
  };
  return kType;
}

}  // namespace ursa::model::types
