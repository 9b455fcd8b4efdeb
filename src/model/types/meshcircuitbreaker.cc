// MeshCircuitBreaker: validation as Kuma 2.2's
// pkg/plugins/policies/meshcircuitbreaker/api/v1alpha1/validator.go.

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "src/model/validators/policy_helpers_a.h"
#include "ursa/policies/meshcircuitbreaker/v1alpha1/meshcircuitbreaker.pb.h"

namespace ursa::model::types {
namespace {

using ursa::common::v1alpha1::IntOrString;
using ursa::policies::meshcircuitbreaker::v1alpha1::MeshCircuitBreaker;
namespace v = validators;

void validateConnectionLimits(const MeshCircuitBreaker::ConnectionLimits& l, const FieldPath& at,
                              Violations& out) {
  v::uintPositiveWhenSet(l.has_max_connections(), l.max_connections(),
                         at.field("maxConnections"), out);
  v::uintPositiveWhenSet(l.has_max_connection_pools(), l.max_connection_pools(),
                         at.field("maxConnectionPools"), out);
  v::uintPositiveWhenSet(l.has_max_pending_requests(), l.max_pending_requests(),
                         at.field("maxPendingRequests"), out);
  v::uintPositiveWhenSet(l.has_max_retries(), l.max_retries(), at.field("maxRetries"), out);
  v::uintPositiveWhenSet(l.has_max_requests(), l.max_requests(), at.field("maxRequests"), out);
}

void validateConsecutive(bool set, const MeshCircuitBreaker::ConsecutiveFailures& d,
                         const FieldPath& at, Violations& out) {
  if (!set) return;
  v::uintPositiveWhenSet(d.has_consecutive(), d.consecutive(), at.field("consecutive"), out);
}

// A positive integer or decimal string.
void validateFactor(const IntOrString& factor, const FieldPath& at, Violations& out) {
  double value = static_cast<double>(factor.int_value());
  if (factor.has_string_value()) {
    auto parsed = v::parseDecimal(factor.string_value());
    if (!parsed) {
      out.add(at, "invalid number");
      return;
    }
    value = *parsed;
  }
  if (value <= 0) out.add(at, std::string(v::kGreaterThanZero));
}

void validateSuccessRate(const MeshCircuitBreaker::SuccessRate& d, const FieldPath& at,
                         Violations& out) {
  v::uintPositiveWhenSet(d.has_minimum_hosts(), d.minimum_hosts(), at.field("minimumHosts"), out);
  v::uintPositiveWhenSet(d.has_request_volume(), d.request_volume(), at.field("requestVolume"),
                         out);
  if (d.has_standard_deviation_factor()) {
    validateFactor(d.standard_deviation_factor(), at.field("standardDeviationFactor"), out);
  }
}

void validateFailurePercentage(const MeshCircuitBreaker::FailurePercentage& d,
                               const FieldPath& at, Violations& out) {
  v::uintPositiveWhenSet(d.has_minimum_hosts(), d.minimum_hosts(), at.field("minimumHosts"), out);
  v::uintPositiveWhenSet(d.has_request_volume(), d.request_volume(), at.field("requestVolume"),
                         out);
  v::uintPercentageWhenSet(d.has_threshold(), d.threshold(), at.field("threshold"), out);
}

void validateDetectors(const MeshCircuitBreaker::OutlierDetection& od, const FieldPath& at,
                       Violations& out) {
  if (!od.has_detectors()) {
    out.add(at, std::string(v::kMustBeDefined));
    return;
  }
  const auto& d = od.detectors();
  if (!d.has_total_failures() && !d.has_gateway_failures() && !d.has_local_origin_failures() &&
      !d.has_success_rate() && !d.has_failure_percentage()) {
    out.add(at, v::mustHaveAtLeastOne({"totalFailures", "gatewayFailures", "localOriginFailures",
                                       "successRate", "failurePercentage"}));
    return;
  }
  validateConsecutive(d.has_total_failures(), d.total_failures(), at.field("totalFailures"), out);
  validateConsecutive(d.has_gateway_failures(), d.gateway_failures(),
                      at.field("gatewayFailures"), out);
  validateConsecutive(d.has_local_origin_failures(), d.local_origin_failures(),
                      at.field("localOriginFailures"), out);
  if (d.has_success_rate()) validateSuccessRate(d.success_rate(), at.field("successRate"), out);
  if (d.has_failure_percentage()) {
    validateFailurePercentage(d.failure_percentage(), at.field("failurePercentage"), out);
  }
}

void validateOutlierDetection(const MeshCircuitBreaker::OutlierDetection& od,
                              const FieldPath& at, Violations& out) {
  v::durationPositiveWhenSet(od.has_interval(), od.interval(), at.field("interval"), out);
  v::durationPositiveWhenSet(od.has_base_ejection_time(), od.base_ejection_time(),
                             at.field("baseEjectionTime"), out);
  v::uintPercentageWhenSet(od.has_max_ejection_percent(), od.max_ejection_percent(),
                           at.field("maxEjectionPercent"), out);
  validateDetectors(od, at.field("detectors"), out);
}

// `item` is the path of the to/from item; Kuma reports under its `default`.
void validateConf(const MeshCircuitBreaker::Conf& conf, const FieldPath& item, Violations& out) {
  const FieldPath at = item.field("default");
  if (!conf.has_connection_limits() && !conf.has_outlier_detection()) {
    out.add(at, "at least one of: 'connectionLimits' or 'outlierDetection' should be configured");
    return;
  }
  if (conf.has_connection_limits()) {
    validateConnectionLimits(conf.connection_limits(), at.field("connectionLimits"), out);
  }
  if (conf.has_outlier_detection()) {
    validateOutlierDetection(conf.outlier_detection(), at.field("outlierDetection"), out);
  }
}

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  const auto& spec = static_cast<const MeshCircuitBreaker&>(msg);
  const FieldPath root = FieldPath::rootedAt("spec");
  v::validateTopTargetRef(spec.target_ref(), root.field("targetRef"), out);
  if (spec.to().empty() && spec.from().empty()) {
    out.add(root, "at least one of 'from', 'to' has to be defined");
  }
  v::validateItems(spec.from(), "from", root, out, v::validateFromTargetRef, validateConf);
  v::validateItems(spec.to(), "to", root, out, v::validateToTargetRef, validateConf);
}

}  // namespace

const ResourceType& meshCircuitBreaker() {
  static const ResourceType kType{
      .name = "MeshCircuitBreaker",
      .scope = Scope::Mesh,
      .path = "meshcircuitbreakers",
      .cli_singular = "meshcircuitbreaker",
      .cli_plural = "meshcircuitbreakers",
      .layout = SpecLayout::Nested,
      .spec_prototype = &MeshCircuitBreaker::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
      .is_policy = true,
      .is_target_ref_policy = true,
  };
  return kType;
}

}  // namespace ursa::model::types
