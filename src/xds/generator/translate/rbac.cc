// MeshTrafficPermission -> RBAC (Kuma 2.2's meshtrafficpermission plugin):
// who may reach an inbound, as principals matched against the client
// certificate's URI SANs.

#include "src/xds/generator/policies.h"
#include "src/xds/generator/translate/translate.h"
#include "ursa/common/strings.h"
#include "ursa/policies/meshtrafficpermission/v1alpha1/meshtrafficpermission.pb.h"

namespace ursa::xds::gen::translate {

namespace {

using envoy::config::rbac::v3::Policy;
using envoy::config::rbac::v3::Principal;
using envoy::config::rbac::v3::RBAC;
using MtpConf = ursa::policies::meshtrafficpermission::v1alpha1::MeshTrafficPermission::Conf;

constexpr char kPolicyName[] = "MeshTrafficPermission";

Principal principalOfTag(const policy::Tag& tag, const std::string& mesh) {
  Principal p;
  std::string name = tag.key == policy::kServiceTag
                         ? strCat("spiffe://", mesh, "/", tag.value)
                         : strCat("kuma://", tag.key, "/", tag.value);
  p.mutable_authenticated()->mutable_principal_name()->set_exact(name);
  if (!tag.negated) return p;
  Principal negated;
  *negated.mutable_not_id() = std::move(p);
  return negated;
}

Policy anyPermission(std::vector<Principal> principals) {
  Policy policy;
  policy.add_permissions()->set_any(true);
  for (auto& p : principals) *policy.add_principals() = std::move(p);
  return policy;
}

}  // namespace

Principal principalOf(const policy::Subset& subset, const std::string& mesh) {
  Principal p;
  if (subset.empty()) {
    p.set_any(true);
  } else if (subset.size() == 1) {
    p = principalOfTag(subset.front(), mesh);
  } else {
    for (const auto& tag : subset) *p.mutable_and_ids()->add_ids() = principalOfTag(tag, mesh);
  }
  return p;
}

Rbac rbacOf(const policy::Rules* rules, const std::string& mesh) {
  std::vector<Principal> allow, shadow_deny;
  if (rules != nullptr) {
    for (const auto& rule : *rules) {
      const auto* conf = confOf<MtpConf>(&rule);
      if (conf == nullptr) continue;
      if (conf->action() == "Allow" || conf->action() == "AllowWithShadowDeny") {
        allow.push_back(principalOf(rule.subset, mesh));
      }
      if (conf->action() == "AllowWithShadowDeny") {
        shadow_deny.push_back(principalOf(rule.subset, mesh));
      }
    }
  }
  Rbac out;
  out.rules.set_action(RBAC::ALLOW);
  if (!allow.empty()) (*out.rules.mutable_policies())[kPolicyName] = anyPermission(std::move(allow));
  if (!shadow_deny.empty()) {
    out.shadow.emplace();
    out.shadow->set_action(RBAC::DENY);
    (*out.shadow->mutable_policies())[kPolicyName] = anyPermission(std::move(shadow_deny));
  }
  return out;
}

}  // namespace ursa::xds::gen::translate
