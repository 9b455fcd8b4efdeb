// MeshAccessLog: validation as Kuma 2.2's
// pkg/plugins/policies/meshaccesslog/api/v1alpha1/validator.go.

#include "src/model/types/types.h"
#include "src/model/validators/common.h"
#include "src/model/validators/policy_helpers_b.h"
#include "ursa/common/strings.h"
#include "ursa/model/codec.h"
#include "ursa/model/list_presence.h"
#include "ursa/policies/meshaccesslog/v1alpha1/meshaccesslog.pb.h"

namespace ursa::model::types {
namespace {

using ursa::policies::meshaccesslog::v1alpha1::MeshAccessLog;
using validators::RefKind;

// Kuma writes each pair into the template {"<key>": "<value>"} and requires
// the result to be valid JSON: no bare quotes, control characters or bad
// escapes in either.
bool formsJsonObject(const MeshAccessLog::JsonValue& pair) {
  return parseJson(ursa::strCat("{\"", pair.key(), "\": \"", pair.value(), "\"}")).ok();
}

void validateJsonFormat(const MeshAccessLog::Format& format, const FieldPath& at, Violations& out) {
  for (int i = 0; i < format.json_size(); ++i) {
    const auto& pair = format.json(i);
    const FieldPath item = at.index(static_cast<size_t>(i));
    if (pair.key().empty()) out.add(item.field("key"), "key cannot be empty");
    if (pair.value().empty()) out.add(item.field("value"), "value cannot be empty");
    if (!formsJsonObject(pair)) out.add(item, "is not a valid JSON object");
  }
}

// Exactly one of `plain` and `json`; `json: []` is given, but empty.
void validateFormat(const MeshAccessLog::Format& format, const FieldPath& at, Violations& out) {
  bool has_json = isListSet(format, "json");
  if (format.has_plain() == has_json) {
    out.add(at, validators::mustHaveOnlyOne("format", {"plain", "json"}));
  }
  if (format.has_plain()) {
    if (format.plain().empty()) {
      out.add(at.field("plain"), std::string(validators::kMustNotBeEmpty));
    }
    return;
  }
  if (!has_json) return;
  if (format.json_size() == 0) {
    out.add(at.field("json"), std::string(validators::kMustNotBeEmpty));
    return;
  }
  validateJsonFormat(format, at.field("json"), out);
}

void validateBackend(const MeshAccessLog::Backend& backend, const FieldPath& at, Violations& out) {
  int defined = static_cast<int>(backend.has_tcp()) + static_cast<int>(backend.has_file()) +
                static_cast<int>(backend.has_open_telemetry());
  if (defined != 1) {
    out.add(at, validators::mustHaveOnlyOne("backend", {"tcp", "file", "openTelemetry"}));
  }
  if (backend.has_file()) {
    const FieldPath file = at.field("file");
    if (backend.file().has_format()) {
      validateFormat(backend.file().format(), file.field("format"), out);
    }
    if (!validators::isAbsoluteFilePath(backend.file().path())) {
      out.add(file.field("path"), "file backend requires a valid path");
    }
  } else if (backend.has_tcp()) {
    const FieldPath tcp = at.field("tcp");
    if (backend.tcp().has_format()) {
      validateFormat(backend.tcp().format(), tcp.field("format"), out);
    }
    if (!validators::isCollectorUrl(backend.tcp().address())) {
      out.add(tcp.field("address"), "tcp backend requires valid address");
    }
  }
}

// `backends` is required, but `backends: []` (no logging) is fine.
template <typename Item>
void validateItem(const Item& item, const FieldPath& at, std::initializer_list<RefKind> kinds,
                  Violations& out) {
  validators::validateTargetRef(item.target_ref(), kinds, at.field("targetRef"), out);
  const FieldPath conf = at.field("default");
  if (!isListSet(item.default_(), "backends")) {
    out.add(conf.field("backends"), std::string(validators::kMustBeDefined));
    return;
  }
  const auto& backends = item.default_().backends();
  for (int i = 0; i < backends.size(); ++i) {
    validateBackend(backends[i], conf.field("backends").index(static_cast<size_t>(i)), out);
  }
}

void validate(const google::protobuf::Message& msg, const ValidationContext&, Violations& out) {
  const auto& spec = static_cast<const MeshAccessLog&>(msg);
  const FieldPath root = FieldPath::rootedAt("spec");
  validators::validateTargetRef(spec.target_ref(),
                                {RefKind::Mesh, RefKind::MeshSubset, RefKind::MeshService,
                                 RefKind::MeshServiceSubset, RefKind::MeshGatewayRoute},
                                root.field("targetRef"), out);
  if (spec.to().empty() && spec.from().empty()) {
    out.add(root, "at least one of 'from', 'to' has to be defined");
  }
  for (int i = 0; i < spec.to_size(); ++i) {
    validateItem(spec.to(i), root.field("to").index(static_cast<size_t>(i)),
                 {RefKind::Mesh, RefKind::MeshService}, out);
  }
  for (int i = 0; i < spec.from_size(); ++i) {
    validateItem(spec.from(i), root.field("from").index(static_cast<size_t>(i)), {RefKind::Mesh},
                 out);
  }
  if (spec.target_ref().kind() == "MeshGatewayRoute" && !spec.to().empty()) {
    out.add(root.field("to"),
            "cannot use \"to\" when \"targetRef\" is \"MeshGatewayRoute\" - there is no outbound");
  }
}

}  // namespace

const ResourceType& meshAccessLog() {
  static const ResourceType kType{
      .name = "MeshAccessLog",
      .scope = Scope::Mesh,
      .path = "meshaccesslogs",
      .cli_singular = "meshaccesslog",
      .cli_plural = "meshaccesslogs",
      .layout = SpecLayout::Nested,
      .spec_prototype = &MeshAccessLog::default_instance(),
      .validate = validate,
      .apply_defaults = nullptr,
      .is_policy = true,
      .is_target_ref_policy = true,
  };
  return kType;
}

}  // namespace ursa::model::types
