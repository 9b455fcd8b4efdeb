// MeshFaultInjection: validation as Kuma 2.2's
// pkg/plugins/policies/meshfaultinjection/api/v1alpha1/validator.go.
//
// Kuma's paths put the fault's index after the fault type
// (`http.abort[0].httpStatus` for the first entry of `http`), and report a
// bad bandwidth at `responseBandwidth[i].responseBandwidth`; ursa keeps them.

#include <regex>

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "ursa/common/strings.h"
#include "ursa/policies/meshfaultinjection/v1alpha1/meshfaultinjection.pb.h"

namespace ursa::model::types {
namespace {

using ursa::common::v1alpha1::IntOrString;
using ursa::policies::meshfaultinjection::v1alpha1::MeshFaultInjection;
using validators::RefKind;

// The limit as text; a bare number is read as its digits (then it lacks a
// unit), an unset limit as "".
std::string textOf(const IntOrString& v) {
  if (v.has_int_value()) return ursa::strCat(v.int_value());
  return v.string_value();
}

void validateBandwidth(const IntOrString& limit, const FieldPath& at, Violations& out) {
  std::string text = textOf(limit);
  if (text.empty()) {
    out.add(at, std::string(validators::kMustBeDefined));
    return;
  }
  // Kuma searches for the unit anywhere in the text.
  static const std::regex kUnit("[0-9]*\\s?[gmk]bps");
  if (!std::regex_search(text, kUnit)) out.add(at, "has to be in kbps/mbps/gbps units");
}

void validateStatus(int32_t status, const FieldPath& at, Violations& out) {
  if (status < 100 || status >= 600) out.add(at, "must be in range [100, 600)");
}

void validateFault(const MeshFaultInjection::Fault& fault, size_t index, const FieldPath& http,
                   Violations& out) {
  if (fault.has_abort()) {
    const FieldPath at = http.field("abort").index(index);
    validateStatus(fault.abort().http_status(), at.field("httpStatus"), out);
    validators::validatePercentage(fault.abort().percentage(), at.field("percentage"), out);
  }
  if (fault.has_delay()) {
    const FieldPath at = http.field("delay").index(index);
    if (validators::toDuration(fault.delay().value()) < absl::ZeroDuration()) {
      out.add(at.field("value"), std::string(validators::kNonNegativeWhenDefined));
    }
    validators::validatePercentage(fault.delay().percentage(), at.field("percentage"), out);
  }
  if (fault.has_response_bandwidth()) {
    const FieldPath at = http.field("responseBandwidth").index(index);
    validateBandwidth(fault.response_bandwidth().limit(), at.field("responseBandwidth"), out);
    validators::validatePercentage(fault.response_bandwidth().percentage(), at.field("percentage"),
                                   out);
  }
}

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  const auto& spec = static_cast<const MeshFaultInjection&>(msg);
  const FieldPath root = FieldPath::rootedAt("spec");
  const std::initializer_list<RefKind> kinds = {RefKind::Mesh, RefKind::MeshSubset,
                                                RefKind::MeshService, RefKind::MeshServiceSubset};
  validators::validateTargetRef(spec.target_ref(), kinds, root.field("targetRef"), out);
  for (int i = 0; i < spec.from_size(); ++i) {
    const auto& from = spec.from(i);
    const FieldPath at = root.field("from").index(static_cast<size_t>(i));
    validators::validateTargetRef(from.target_ref(), kinds, at.field("targetRef"), out);
    const FieldPath http = at.field("default").field("http");
    for (int j = 0; j < from.default_().http_size(); ++j) {
      validateFault(from.default_().http(j), static_cast<size_t>(j), http, out);
    }
  }
}

}  // namespace

const ResourceType& meshFaultInjection() {
  static const ResourceType kType{
      .name = "MeshFaultInjection",
      .scope = Scope::Mesh,
      .path = "meshfaultinjections",
      .cli_singular = "meshfaultinjection",
      .cli_plural = "meshfaultinjections",
      .layout = SpecLayout::Nested,
      .spec_prototype = &MeshFaultInjection::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
      .is_policy = true,
      .is_target_ref_policy = true,
  };
  return kType;
}

}  // namespace ursa::model::types
