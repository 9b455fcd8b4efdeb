#pragma once

// The targetRef policies that apply to one proxy, as the generators read
// them: per policy type, the from-rules of each inbound listener, the
// to-rules of its outbounds and the single-item rules (ursa::policy,
// docs/policies.md).
//
// Matching depends only on the proxy's inbound tags, so MeshContext keeps the
// result per distinct tag set (see MeshContext::policiesFor): proxies with
// the same tags share one MatchedSet and generation pays for a lookup. The
// per-proxy ProxyPolicies only maps the proxy's own listeners onto it.

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ursa/policy/matching.h"

namespace ursa::xds::gen {

// Names of the policy types the generators translate.
namespace policy_types {
inline constexpr std::string_view kTrafficPermission = "MeshTrafficPermission";
inline constexpr std::string_view kTimeout = "MeshTimeout";
inline constexpr std::string_view kRetry = "MeshRetry";
inline constexpr std::string_view kFaultInjection = "MeshFaultInjection";
inline constexpr std::string_view kHttpRoute = "MeshHTTPRoute";
inline constexpr std::string_view kTcpRoute = "MeshTCPRoute";
inline constexpr std::string_view kCircuitBreaker = "MeshCircuitBreaker";
inline constexpr std::string_view kLoadBalancing = "MeshLoadBalancingStrategy";
// Observability and patches (observability.cc, proxy_patch.cc).
inline constexpr std::string_view kAccessLog = "MeshAccessLog";
inline constexpr std::string_view kTrace = "MeshTrace";
inline constexpr std::string_view kProxyPatch = "MeshProxyPatch";
// MeshHealthCheck (health_check.cc), MeshRateLimit (rate_limit.cc)
inline constexpr std::string_view kHealthCheck = "MeshHealthCheck";
inline constexpr std::string_view kRateLimit = "MeshRateLimit";
}  // namespace policy_types

// The rules of one policy type for one set of inbound tags.
struct TypeRules {
  // From-rules per inbound, by index in policy::inboundsOf order.
  std::vector<policy::Rules> from;
  policy::ToRules to;
  policy::SingleItemRules single;
  // Every policy of the type selecting the proxy, in precedence order.
  std::vector<model::ResourcePtr> policies;
};

// Every type's rules for one inbound tag set; immutable once built.
struct MatchedSet {
  std::map<std::string, TypeRules, std::less<>> by_type;
  // Policies that could not be matched (e.g. too many tag combinations):
  // "MeshTimeout default/t1: ...". Such a type counts as unmatched.
  std::vector<std::string> errors;
};

// Matches every type of `policies` (type name -> that type's policies of the
// mesh) against `dataplane`.
std::shared_ptr<const MatchedSet> matchAll(
    const model::Resource& dataplane,
    const std::map<std::string, std::vector<model::ResourcePtr>, std::less<>>& policies);

// The key under which a dataplane's MatchedSet is shared: its inbounds' tags
// and ports, in order.
std::string matchKey(const model::Resource& dataplane);

// One proxy's view of a MatchedSet.
class ProxyPolicies {
 public:
  ProxyPolicies() = default;
  ProxyPolicies(std::shared_ptr<const MatchedSet> set, const model::Resource& dataplane);

  // The from-rules of `type` for the inbound listening on `address:port`;
  // null when no policy of the type selects that inbound.
  const policy::Rules* from(std::string_view type, const std::string& address,
                            uint32_t port) const;
  // The to-rule of `type` for destination `service`; null when none.
  const policy::Rule* to(std::string_view type, std::string_view service) const;
  // Whether any policy of `type` selects the proxy.
  bool any(std::string_view type) const;
  // The single-item rule of `type` (MeshTrace, MeshProxyPatch); null when none.
  const policy::Rule* single(std::string_view type) const;
  // The policies of `type` selecting the proxy, in precedence order.
  const std::vector<model::ResourcePtr>& selecting(std::string_view type) const;
  const std::vector<std::string>& errors() const;

 private:
  const TypeRules* rules(std::string_view type) const;
  std::shared_ptr<const MatchedSet> set_;
  std::map<policy::InboundListener, size_t> listener_index_;
};

// The typed conf of `rule` as `T` (the policy's Conf message); null when the
// rule is null or holds another type.
template <typename T>
const T* confOf(const policy::Rule* rule) {
  if (rule == nullptr || rule->typed_conf == nullptr) return nullptr;
  if (rule->typed_conf->GetDescriptor() != T::descriptor()) return nullptr;
  return static_cast<const T*>(rule->typed_conf.get());
}

}  // namespace ursa::xds::gen
