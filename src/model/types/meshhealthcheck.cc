// MeshHealthCheck: validation as Kuma 2.2's
// pkg/plugins/policies/meshhealthcheck/api/v1alpha1/validator.go.

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "src/model/validators/policy_helpers_a.h"
#include "ursa/policies/meshhealthcheck/v1alpha1/meshhealthcheck.pb.h"

namespace ursa::model::types {
namespace {

using ursa::policies::meshhealthcheck::v1alpha1::MeshHealthCheck;
namespace v = validators;

void validateHttp(const MeshHealthCheck::HttpHealthCheck& http, const FieldPath& at,
                  Violations& out) {
  if (http.has_path()) v::stringDefined(http.path(), at.field("path"), out);
  for (int i = 0; i < http.expected_statuses_size(); ++i) {
    v::statusCode(http.expected_statuses(i),
                  at.field("expectedStatuses").index(static_cast<size_t>(i)), out);
  }
}

void validateTiming(const MeshHealthCheck::Conf& c, const FieldPath& at, Violations& out) {
  v::durationPositiveWhenSet(c.has_interval(), c.interval(), at.field("interval"), out);
  v::durationPositiveWhenSet(c.has_timeout(), c.timeout(), at.field("timeout"), out);
  v::intPositiveWhenSet(c.has_unhealthy_threshold(), c.unhealthy_threshold(),
                        at.field("unhealthyThreshold"), out);
  v::intPositiveWhenSet(c.has_healthy_threshold(), c.healthy_threshold(),
                        at.field("healthyThreshold"), out);
  v::durationPositiveWhenSet(c.has_initial_jitter(), c.initial_jitter(),
                             at.field("initialJitter"), out);
  v::durationPositiveWhenSet(c.has_interval_jitter(), c.interval_jitter(),
                             at.field("intervalJitter"), out);
  v::intPercentageWhenSet(c.has_interval_jitter_percent(), c.interval_jitter_percent(),
                          at.field("intervalJitterPercent"), out);
  if (c.has_healthy_panic_threshold()) {
    v::validatePercentage(c.healthy_panic_threshold(), at.field("healthyPanicThreshold"), out);
  }
  v::durationPositiveWhenSet(c.has_no_traffic_interval(), c.no_traffic_interval(),
                             at.field("noTrafficInterval"), out);
}

// `item` is the path of the `to` item; Kuma reports under its `default`.
void validateConf(const MeshHealthCheck::Conf& conf, const FieldPath& item, Violations& out) {
  const FieldPath at = item.field("default");
  validateTiming(conf, at, out);
  v::filePathWhenSet(conf.has_event_log_path(), conf.event_log_path(), at.field("eventLogPath"),
                     out);
  if (conf.has_http()) validateHttp(conf.http(), at.field("http"), out);
  // Nothing in tcp and grpc needs checking: all their fields are optional.
  if (!conf.has_http() && !conf.has_tcp() && !conf.has_grpc()) {
    out.add(at, v::mustHaveAtLeastOne({"http", "tcp", "grpc"}));
  }
}

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  const auto& spec = static_cast<const MeshHealthCheck&>(msg);
  const FieldPath root = FieldPath::rootedAt("spec");
  v::validateTopTargetRef(spec.target_ref(), root.field("targetRef"), out);
  // Kuma 2.2 accepts an empty `to`.
  v::validateItems(spec.to(), "to", root, out, v::validateToTargetRef, validateConf);
}

}  // namespace

const ResourceType& meshHealthCheck() {
  static const ResourceType kType{
      .name = "MeshHealthCheck",
      .scope = Scope::Mesh,
      .path = "meshhealthchecks",
      .cli_singular = "meshhealthcheck",
      .cli_plural = "meshhealthchecks",
      .layout = SpecLayout::Nested,
      .spec_prototype = &MeshHealthCheck::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
      .is_policy = true,
      .is_target_ref_policy = true,
  };
  return kType;
}

}  // namespace ursa::model::types
