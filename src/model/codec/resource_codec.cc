// The Kuma envelope around a spec: type, name, mesh, times and labels.

#include <set>

#include "absl/strings/cord.h"
#include "ursa/common/strings.h"
#include "absl/time/time.h"
#include "src/model/codec/well_known.h"
#include "ursa/model/codec.h"
#include "ursa/model/registry.h"

namespace ursa::model {
namespace {

constexpr std::string_view kViolationsPayload = "type.ursa.dev/violations";

// Keys of the envelope. Output-only ones are accepted on input (so a document
// read back from `ursactl get -o yaml` applies unchanged) and ignored.
const std::set<std::string, std::less<>>& envelopeKeys() {
  static const std::set<std::string, std::less<>> kKeys = {
      "type", "name", "mesh", "creationTime", "modificationTime", "labels"};
  return kKeys;
}

std::string stringAt(const Json& doc, std::string_view key, const FieldPath& at,
                     Violations& out) {
  auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) return "";
  if (!it->is_string()) {
    out.add(at, "must be a string");
    return "";
  }
  return it->get<std::string>();
}

std::map<std::string, std::string> labelsOf(const Json& doc, Violations& out) {
  std::map<std::string, std::string> labels;
  auto it = doc.find("labels");
  if (it == doc.end() || it->is_null()) return labels;
  if (!it->is_object()) {
    out.add(FieldPath::rootedAt("labels"), "must be an object of strings");
    return labels;
  }
  for (const auto& [k, v] : it->items()) {
    if (!v.is_string()) {
      out.add(FieldPath::rootedAt("labels").key(k), "must be a string");
      continue;
    }
    labels[k] = v.get<std::string>();
  }
  return labels;
}

}  // namespace

EncodeOptions encodeOptionsFor(const ResourceType& type) {
  EncodeOptions options;
  options.durations =
      type.layout == SpecLayout::Nested ? DurationStyle::Go : DurationStyle::Protobuf;
  return options;
}

absl::StatusOr<std::shared_ptr<google::protobuf::Message>> decodeSpec(
    const ResourceType& type, const Json& value, const DecodeOptions& options) {
  std::shared_ptr<google::protobuf::Message> spec = type.newSpec();
  Violations violations;
  decodeMessage(value, *spec, type.specRoot(), options, violations);
  if (!violations.empty()) {
    return invalidArgument(ursa::strCat(type.name, " is not valid"), violations);
  }
  return spec;
}

absl::StatusOr<Resource> decodeResource(const Json& doc, const DecodeOptions& options) {
  if (!doc.is_object()) {
    return absl::InvalidArgumentError("a resource must be an object with `type` and `name`");
  }
  Violations violations;
  std::string type_name = stringAt(doc, "type", FieldPath::rootedAt("type"), violations);
  if (type_name.empty() && violations.empty()) {
    violations.add(FieldPath::rootedAt("type"), "must be set");
  }
  const ResourceType* type = nullptr;
  if (!type_name.empty()) {
    type = TypeRegistry::instance().byName(type_name);
    if (type == nullptr) {
      violations.add(FieldPath::rootedAt("type"),
                     ursa::strCat("unknown resource type \"", type_name, "\""));
    }
  }
  if (type == nullptr) return invalidArgument("Resource is not valid", violations);

  Resource r;
  r.type = type;
  r.meta.name = stringAt(doc, "name", FieldPath::rootedAt("name"), violations);
  r.meta.labels = labelsOf(doc, violations);
  if (type->scope == Scope::Mesh) {
    r.meta.mesh = stringAt(doc, "mesh", FieldPath::rootedAt("mesh"), violations);
  } else if (doc.contains("mesh") && !doc["mesh"].is_null()) {
    violations.add(FieldPath::rootedAt("mesh"),
                   ursa::strCat("must not be set: ", type->name, " is not mesh-scoped"));
  }

  auto spec = type->newSpec();
  if (type->layout == SpecLayout::Nested) {
    for (const auto& [key, _] : doc.items()) {
      if (key != "spec" && !envelopeKeys().contains(key) && !options.allow_unknown_fields) {
        violations.add(FieldPath::rootedAt(key),
                       ursa::strCat("unknown field \"", key, "\"; the policy goes under `spec`"));
      }
    }
    auto it = doc.find("spec");
    if (it != doc.end()) decodeMessage(*it, *spec, type->specRoot(), options, violations);
  } else {
    Json fields = Json::object();
    for (const auto& [key, value] : doc.items()) {
      if (!envelopeKeys().contains(key)) fields[key] = value;
    }
    decodeMessage(fields, *spec, type->specRoot(), options, violations);
  }
  if (!violations.empty()) {
    return invalidArgument(ursa::strCat(type->name, " is not valid"), violations);
  }
  r.spec = std::move(spec);
  return r;
}

Json encodeResource(const Resource& r) {
  Json out = Json::object();
  out["type"] = std::string(r.type->name);
  if (r.type->scope == Scope::Mesh) out["mesh"] = r.meta.mesh;
  out["name"] = r.meta.name;
  out["creationTime"] = absl::FormatTime(kRfc3339Utc, r.meta.creation_time,
                                         absl::UTCTimeZone());
  out["modificationTime"] = absl::FormatTime(kRfc3339Utc, r.meta.modification_time,
                                             absl::UTCTimeZone());
  if (!r.meta.labels.empty()) {
    Json labels = Json::object();
    for (const auto& [k, v] : r.meta.labels) labels[k] = v;
    out["labels"] = std::move(labels);
  }
  Json spec = r.spec ? encodeMessage(*r.spec, encodeOptionsFor(*r.type)) : Json::object();
  if (r.type->layout == SpecLayout::Nested) {
    out["spec"] = std::move(spec);
  } else {
    for (auto& [k, v] : spec.items()) out[k] = std::move(v);
  }
  return out;
}

absl::Status invalidArgument(std::string_view title, const Violations& violations) {
  absl::Status status = absl::InvalidArgumentError(
      violations.empty() ? std::string(title) : ursa::strCat(title, ": ", violations.toString()));
  Json list = Json::array();
  for (const auto& v : violations.list()) {
    list.push_back(Json{{"field", v.field}, {"message", v.message}});
  }
  status.SetPayload(toAbsl(kViolationsPayload), absl::Cord(list.dump()));
  return status;
}

Violations violationsOf(const absl::Status& status) {
  Violations out;
  auto payload = status.GetPayload(toAbsl(kViolationsPayload));
  if (!payload) return out;
  auto list = Json::parse(std::string(*payload), nullptr, /*allow_exceptions=*/false);
  if (!list.is_array()) return out;
  for (const auto& v : list) {
    out.add(FieldPath::rootedAt(v.value("field", "")), v.value("message", ""));
  }
  return out;
}

}  // namespace ursa::model
