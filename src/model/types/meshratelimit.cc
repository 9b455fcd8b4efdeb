// MeshRateLimit: validation as Kuma 2.2's
// pkg/plugins/policies/meshratelimit/api/v1alpha1/validator.go.

#include "absl/time/time.h"
#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "src/model/validators/policy_helpers_a.h"
#include "ursa/policies/meshratelimit/v1alpha1/meshratelimit.pb.h"

namespace ursa::model::types {
namespace {

using ursa::policies::meshratelimit::v1alpha1::MeshRateLimit;
namespace v = validators;

// Envoy refuses token bucket fill intervals under 50ms; Kuma wants more.
constexpr absl::Duration kMinInterval = absl::Milliseconds(50);

void validateRate(const MeshRateLimit::Rate& rate, const FieldPath& at, Violations& out) {
  v::uintPositive(rate.num(), at.field("num"), out);
  v::durationGreaterThan(rate.interval(), kMinInterval, at.field("interval"), out);
}

void validateLocalHttp(const MeshRateLimit::LocalHttp& http, const FieldPath& at,
                       Violations& out) {
  if (!http.has_disabled() && !http.has_request_rate() && !http.has_on_rate_limit()) {
    out.add(at, v::mustHaveAtLeastOne({"disabled", "requestRate", "onRateLimit"}));
    return;
  }
  if (http.has_request_rate()) validateRate(http.request_rate(), at.field("requestRate"), out);
  if (http.has_on_rate_limit()) {
    const auto& on = http.on_rate_limit();
    v::uintPositiveWhenSet(on.has_status(), on.status(),
                           at.field("onRateLimit").field("status"), out);
  }
}

void validateLocalTcp(const MeshRateLimit::LocalTcp& tcp, const FieldPath& at, Violations& out) {
  if (!tcp.has_disabled() && !tcp.has_connection_rate()) {
    out.add(at, v::mustHaveAtLeastOne({"disabled", "connectionRate"}));
    return;
  }
  if (tcp.has_connection_rate()) {
    validateRate(tcp.connection_rate(), at.field("connectionRate"), out);
  }
}

// `item` is the path of the `from` item; Kuma reports under its `default`.
void validateConf(const MeshRateLimit::Conf& conf, const FieldPath& item, Violations& out) {
  const FieldPath at = item.field("default").field("local");
  if (!conf.has_local()) {
    out.add(at, std::string(v::kMustBeDefined));
    return;
  }
  const auto& local = conf.local();
  if (!local.has_tcp() && !local.has_http()) {
    out.add(at, v::mustHaveAtLeastOne({"tcp", "http"}));
  }
  if (local.has_http()) validateLocalHttp(local.http(), at.field("http"), out);
  if (local.has_tcp()) validateLocalTcp(local.tcp(), at.field("tcp"), out);
}

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  const auto& spec = static_cast<const MeshRateLimit&>(msg);
  const FieldPath root = FieldPath::rootedAt("spec");
  // Kuma checks `from` before the top-level targetRef.
  if (spec.from().empty()) out.add(root.field("from"), "needs at least one item");
  v::validateTopTargetRef(spec.target_ref(), root.field("targetRef"), out);
  v::validateItems(spec.from(), "from", root, out, v::validateFromTargetRef, validateConf);
}

}  // namespace

const ResourceType& meshRateLimit() {
  static const ResourceType kType{
      .name = "MeshRateLimit",
      .scope = Scope::Mesh,
      .path = "meshratelimits",
      .cli_singular = "meshratelimit",
      .cli_plural = "meshratelimits",
      .layout = SpecLayout::Nested,
      .spec_prototype = &MeshRateLimit::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
      .is_policy = true,
      .is_target_ref_policy = true,
  };
  return kType;
}

}  // namespace ursa::model::types
