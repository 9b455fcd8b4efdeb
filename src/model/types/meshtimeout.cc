// MeshTimeout: validation as Kuma 2.2's
// pkg/plugins/policies/meshtimeout/api/v1alpha1/validator.go.

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "src/model/validators/policy_helpers_a.h"
#include "ursa/policies/meshtimeout/v1alpha1/meshtimeout.pb.h"

namespace ursa::model::types {
namespace {

using ursa::policies::meshtimeout::v1alpha1::MeshTimeout;
namespace v = validators;

void validateHttp(const MeshTimeout::Http& http, const FieldPath& at, Violations& out) {
  if (!http.has_request_timeout() && !http.has_stream_idle_timeout() &&
      !http.has_max_stream_duration() && !http.has_max_connection_duration()) {
    out.add(at, "at least one timeout in this section should be configured");
  }
  v::durationNonNegativeWhenSet(http.has_request_timeout(), http.request_timeout(),
                                at.field("requestTimeout"), out);
  v::durationNonNegativeWhenSet(http.has_stream_idle_timeout(), http.stream_idle_timeout(),
                                at.field("streamIdleTimeout"), out);
  v::durationNonNegativeWhenSet(http.has_max_stream_duration(), http.max_stream_duration(),
                                at.field("maxStreamDuration"), out);
  v::durationNonNegativeWhenSet(http.has_max_connection_duration(),
                                http.max_connection_duration(), at.field("maxConnectionDuration"),
                                out);
}

// `item` is the path of the to/from item; Kuma reports under its `default`.
void validateConf(const MeshTimeout::Conf& conf, const FieldPath& item, Violations& out) {
  const FieldPath at = item.field("default");
  if (!conf.has_connection_timeout() && !conf.has_idle_timeout() && !conf.has_http()) {
    out.add(at, "at least one timeout should be configured");
    return;
  }
  v::durationPositiveWhenSet(conf.has_connection_timeout(), conf.connection_timeout(),
                             at.field("connectionTimeout"), out);
  v::durationNonNegativeWhenSet(conf.has_idle_timeout(), conf.idle_timeout(),
                                at.field("idleTimeout"), out);
  if (conf.has_http()) validateHttp(conf.http(), at.field("http"), out);
}

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  const auto& spec = static_cast<const MeshTimeout&>(msg);
  const FieldPath root = FieldPath::rootedAt("spec");
  v::validateTopTargetRef(spec.target_ref(), root.field("targetRef"), out);
  if (spec.to().empty() && spec.from().empty()) {
    out.add(root, "at least one of 'from', 'to' has to be defined");
  }
  v::validateItems(spec.from(), "from", root, out, v::validateFromTargetRef, validateConf);
  v::validateItems(spec.to(), "to", root, out, v::validateToTargetRef, validateConf);
}

}  // namespace

const ResourceType& meshTimeout() {
  static const ResourceType kType{
      .name = "MeshTimeout",
      .scope = Scope::Mesh,
      .path = "meshtimeouts",
      .cli_singular = "meshtimeout",
      .cli_plural = "meshtimeouts",
      .layout = SpecLayout::Nested,
      .spec_prototype = &MeshTimeout::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
      .is_policy = true,
      .is_target_ref_policy = true,
  };
  return kType;
}

}  // namespace ursa::model::types
