// DataplaneInsight: descriptor and validation. Kuma 2.2 declares its rules
// in the proto (protoc-gen-validate): each subscription has an id, the
// serving control plane instance, a connect time and a status.

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "ursa/mesh/v1alpha1/dataplane_insight.pb.h"

namespace ursa::model::types {
namespace {

using ursa::mesh::v1alpha1::DataplaneInsight;
using ursa::mesh::v1alpha1::DiscoverySubscription;

void validateSubscription(const DiscoverySubscription& s, const FieldPath& at, Violations& out) {
  const std::string empty(validators::kMustNotBeEmpty);
  const std::string undefined(validators::kMustBeDefined);
  if (s.id().empty()) out.add(at.field("id"), empty);
  if (s.control_plane_instance_id().empty()) out.add(at.field("controlPlaneInstanceId"), empty);
  if (!s.has_connect_time()) out.add(at.field("connectTime"), undefined);
  if (!s.has_status()) out.add(at.field("status"), undefined);
}

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  const auto& spec = static_cast<const DataplaneInsight&>(msg);
  const FieldPath subscriptions = FieldPath::rootedAt("subscriptions");
  for (int i = 0; i < spec.subscriptions_size(); ++i) {
    validateSubscription(spec.subscriptions(i), subscriptions.index(i), out);
  }
}

}  // namespace

const ResourceType& dataplaneInsight() {
  static const ResourceType kType{
      .name = "DataplaneInsight",
      .scope = Scope::Mesh,
      .path = "dataplane-insights",
      .cli_singular = "",
      .cli_plural = "",
      .layout = SpecLayout::Flattened,
      .spec_prototype = &DataplaneInsight::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
      .read_only = true,
  };
  return kType;
}

}  // namespace ursa::model::types
