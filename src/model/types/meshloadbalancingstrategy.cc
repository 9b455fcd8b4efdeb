// MeshLoadBalancingStrategy: validation as Kuma 2.2's
// pkg/plugins/policies/meshloadbalancingstrategy/api/v1alpha1/validator.go,
// plus the string enums Kuma leaves to its schema.

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "src/model/validators/policy_helpers_b.h"
#include "ursa/policies/meshloadbalancingstrategy/v1alpha1/meshloadbalancingstrategy.pb.h"

namespace ursa::model::types {
namespace {

using ursa::policies::meshloadbalancingstrategy::v1alpha1::MeshLoadBalancingStrategy;
using validators::RefKind;
using LoadBalancer = MeshLoadBalancingStrategy::LoadBalancer;
using HashPolicy = MeshLoadBalancingStrategy::HashPolicy;

// Each policy type needs its settings message. SourceIP has none: Kuma 2.2
// accepts the name (its schema lists it) without checking anything.
void validateHashPolicy(const HashPolicy& policy, const FieldPath& at, Violations& out) {
  validators::checkEnum(
      policy.type(),
      {"Header", "Cookie", "Connection", "SourceIP", "QueryParameter", "FilterState"}, true,
      at.field("type"), out);
  auto require = [&](std::string_view field, bool set) {
    if (!set) out.add(at.field(field), std::string(validators::kMustBeDefined));
  };
  const std::string& type = policy.type();
  if (type == "Header") {
    require("header", policy.has_header());
  } else if (type == "Cookie") {
    require("cookie", policy.has_cookie());
    const auto& cookie = policy.cookie();
    if (cookie.has_path() && !cookie.path().starts_with("/")) {
      out.add(at.field("cookie").field("path"), "must be an absolute path");
    }
  } else if (type == "QueryParameter") {
    require("queryParameter", policy.has_query_parameter());
  } else if (type == "FilterState") {
    require("filterState", policy.has_filter_state());
  } else if (type == "Connection") {
    require("connection", policy.has_connection());
  }
}

void validateHashPolicies(const google::protobuf::RepeatedPtrField<HashPolicy>& policies,
                          const FieldPath& at, Violations& out) {
  for (int i = 0; i < policies.size(); ++i) {
    validateHashPolicy(policies[i], at.index(static_cast<size_t>(i)), out);
  }
}

// Only the settings of the chosen type are checked, as Kuma does.
void validateLoadBalancer(const LoadBalancer& lb, const FieldPath& at, Violations& out) {
  validators::checkEnum(lb.type(), {"RoundRobin", "LeastRequest", "RingHash", "Random", "Maglev"},
                        true, at.field("type"), out);
  if (lb.type() == "RingHash" && lb.has_ring_hash()) {
    const FieldPath ring = at.field("ringHash");
    validators::checkEnum(lb.ring_hash().hash_function(), {"XXHash", "MurmurHash2"}, false,
                          ring.field("hashFunction"), out);
    validateHashPolicies(lb.ring_hash().hash_policies(), ring.field("hashPolicies"), out);
  } else if (lb.type() == "Maglev" && lb.has_maglev()) {
    validateHashPolicies(lb.maglev().hash_policies(), at.field("maglev").field("hashPolicies"),
                         out);
  }
}

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  const auto& spec = static_cast<const MeshLoadBalancingStrategy&>(msg);
  const FieldPath root = FieldPath::rootedAt("spec");
  validators::validateTargetRef(
      spec.target_ref(),
      {RefKind::Mesh, RefKind::MeshSubset, RefKind::MeshService, RefKind::MeshServiceSubset},
      root.field("targetRef"), out);
  if (spec.to().empty()) out.add(root.field("to"), "needs at least one item");
  for (int i = 0; i < spec.to_size(); ++i) {
    const auto& to = spec.to(i);
    const FieldPath at = root.field("to").index(static_cast<size_t>(i));
    validators::validateTargetRef(to.target_ref(), {RefKind::Mesh, RefKind::MeshService},
                                  at.field("targetRef"), out);
    if (to.default_().has_load_balancer()) {
      validateLoadBalancer(to.default_().load_balancer(), at.field("default").field("loadBalancer"),
                           out);
    }
  }
}

}  // namespace

const ResourceType& meshLoadBalancingStrategy() {
  static const ResourceType kType{
      .name = "MeshLoadBalancingStrategy",
      .scope = Scope::Mesh,
      .path = "meshloadbalancingstrategies",
      .cli_singular = "meshloadbalancingstrategy",
      .cli_plural = "meshloadbalancingstrategies",
      .layout = SpecLayout::Nested,
      .spec_prototype = &MeshLoadBalancingStrategy::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
      .is_policy = true,
      .is_target_ref_policy = true,
  };
  return kType;
}

}  // namespace ursa::model::types
