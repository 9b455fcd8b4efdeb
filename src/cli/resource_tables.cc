#include "src/cli/resource_tables.h"

#include <map>
#include <set>

#include "src/cli/api_client.h"
#include "ursa/common/strings.h"

namespace ursa::cli {
namespace {

using model::Json;

// The spec of a resource: under `spec` for targetRef policies, beside the envelope otherwise.
const Json& specOf(const model::ResourceType& type, const Json& resource) {
  return type.layout == model::SpecLayout::Nested ? at(resource, "spec") : resource;
}

// "type/name" of the backend named `enabled` among `backends`; "off" when none is enabled.
std::string enabledBackend(const Json& section) {
  std::string enabled = stringAt(section, "enabledBackend");
  if (enabled.empty()) return "off";
  for (const Json& b : at(section, "backends")) {
    if (stringAt(b, "name") == enabled) return strCat(stringAt(b, "type"), "/", enabled);
  }
  return strCat("?/", enabled);
}

// "type/name, type/name" of every backend; "off" when there is none.
std::string allBackends(const Json& section) {
  std::vector<std::string> out;
  for (const Json& b : at(section, "backends")) {
    out.push_back(strCat(stringAt(b, "type"), "/", stringAt(b, "name")));
  }
  return out.empty() ? "off" : strJoin(out, ", ");
}

std::string onOff(const Json& v) { return v.is_boolean() && v.get<bool>() ? "on" : "off"; }

void addTags(const Json& tags, std::map<std::string, std::set<std::string>>& into) {
  if (!tags.is_object()) return;
  for (const auto& [k, v] : tags.items()) {
    if (v.is_string()) into[k].insert(v.get<std::string>());
  }
}

std::string tagString(const std::map<std::string, std::set<std::string>>& tags) {
  std::vector<std::string> parts;
  for (const auto& [k, values] : tags) parts.push_back(strCat(k, "=", strJoin(values, ",")));
  return strJoin(parts, " ");
}

std::vector<std::string> meshRow(const Json& r, absl::Time now) {
  MeshSummary s = summarizeMesh(r);
  return {stringAt(r, "name"), s.mtls,     s.metrics,     s.logging,
          s.tracing,           s.locality, s.zone_egress, ageOf(r, now)};
}

std::vector<std::string> dataplaneRow(const Json& r, absl::Time now) {
  const Json& net = at(r, "networking");
  std::string address = stringAt(net, "advertisedAddress");
  if (address.empty()) address = stringAt(net, "address");
  return {stringAt(r, "mesh"), stringAt(r, "name"), dataplaneTags(r), address, ageOf(r, now)};
}

std::vector<std::string> externalServiceRow(const Json& r, absl::Time now) {
  return {stringAt(r, "mesh"), stringAt(r, "name"), flatTags(at(r, "tags")),
          stringAt(at(r, "networking"), "address"), ageOf(r, now)};
}

}  // namespace

const Json& at(const Json& obj, std::string_view key) {
  static const Json kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(std::string(key));
  return it == obj.end() ? kNull : *it;
}

std::string stringAt(const Json& obj, std::string_view key) {
  const Json& v = at(obj, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

std::string dataplaneTags(const Json& spec) {
  std::map<std::string, std::set<std::string>> tags;
  const Json& net = at(spec, "networking");
  for (const Json& inbound : at(net, "inbound")) addTags(at(inbound, "tags"), tags);
  addTags(at(at(net, "gateway"), "tags"), tags);
  return tagString(tags);
}

std::string flatTags(const Json& tags) {
  std::map<std::string, std::set<std::string>> merged;
  addTags(tags, merged);
  return tagString(merged);
}

MeshSummary summarizeMesh(const Json& mesh) {
  MeshSummary s;
  s.mtls = enabledBackend(at(mesh, "mtls"));
  s.metrics = enabledBackend(at(mesh, "metrics"));
  s.logging = allBackends(at(mesh, "logging"));
  s.tracing = allBackends(at(mesh, "tracing"));
  s.locality = onOff(at(at(mesh, "routing"), "localityAwareLoadBalancing"));
  s.zone_egress = onOff(at(at(mesh, "routing"), "zoneEgress"));
  return s;
}

std::string ageOf(const Json& resource, absl::Time now) {
  auto t = parseTime(stringAt(resource, "modificationTime"));
  return t.ok() ? formatAge(*t, now) : "-";
}

Table resourceTable(const model::ResourceType& type, const Json& items, const Json& next,
                    absl::Time now) {
  Table t;
  std::vector<std::string> (*row)(const Json&, absl::Time) = nullptr;
  if (type.name == "Mesh") {
    t.headers = {"NAME", "mTLS", "METRICS", "LOGGING", "TRACING", "LOCALITY", "ZONEEGRESS", "AGE"};
    row = meshRow;
  } else if (type.name == "Dataplane") {
    t.headers = {"MESH", "NAME", "TAGS", "ADDRESS", "AGE"};
    row = dataplaneRow;
  } else if (type.name == "ExternalService") {
    t.headers = {"MESH", "NAME", "TAGS", "ADDRESS", "AGE"};
    row = externalServiceRow;
  } else if (type.scope == model::Scope::Mesh) {
    t.headers = {"MESH", "NAME", "AGE"};
  } else {
    t.headers = {"NAME", "AGE"};
  }
  for (const Json& item : items) {
    if (row != nullptr) {
      t.rows.push_back(row(specOf(type, item), now));
    } else if (type.scope == model::Scope::Mesh) {
      t.rows.push_back({stringAt(item, "mesh"), stringAt(item, "name"), ageOf(item, now)});
    } else {
      t.rows.push_back({stringAt(item, "name"), ageOf(item, now)});
    }
  }
  std::string offset = offsetOf(next);
  if (!offset.empty()) {
    t.footer =
        strCat("Rerun command with --offset=", offset, " argument to retrieve more resources");
  }
  return t;
}

}  // namespace ursa::cli
