#include "src/cli/manifests.h"

#include "src/cli/mustache.h"
#include "ursa/common/strings.h"
#include "ursa/model/registry.h"

namespace ursa::cli {
namespace {

using model::Json;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool isSeparator(std::string_view line) {
  return line.starts_with("---") && (line.size() == 3 || line[3] == ' ' || line[3] == '\t' ||
                                     line[3] == '\r' || line[3] == '\n');
}

std::string stringAt(const Json& doc, const char* key) {
  auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

absl::Status documentError(const Manifest& m, std::string_view message) {
  return absl::InvalidArgumentError(strCat(documentLabel(m), ": ", message));
}

// Type, name and mesh: what must be right before anything is sent.
absl::Status checkEnvelope(Manifest& m) {
  if (!m.doc.is_object()) {
    return documentError(m,
                         "YAML contains invalid resource: expected a mapping with type and name");
  }
  std::string type_name = stringAt(m.doc, "type");
  m.name = stringAt(m.doc, "name");
  if (type_name.empty())
    return documentError(m, "YAML contains invalid resource: `type` must be set");
  m.type = model::TypeRegistry::instance().byName(type_name);
  if (m.type == nullptr) {
    return documentError(
        m, strCat("YAML contains invalid resource: unknown resource type \"", type_name, "\""));
  }
  if (m.type->read_only) {
    return documentError(
        m, strCat(m.type->name, " is maintained by the control plane and cannot be applied"));
  }
  model::Violations v = model::validateName("name", m.name);
  if (m.type->scope == model::Scope::Mesh) {
    m.mesh = stringAt(m.doc, "mesh");
    v.addAll(model::FieldPath(), model::validateName("mesh", m.mesh));
  }
  if (!v.empty()) return documentError(m, formatViolations("resource is not valid", v));
  return absl::OkStatus();
}

absl::StatusOr<Json> parseDocument(const Manifest& m, const std::string& text) {
  auto docs = model::parseYamlDocuments(text);
  if (!docs.ok()) {
    return documentError(m, strCat("YAML is not valid: ", fromAbsl(docs.status().message())));
  }
  if (docs->empty()) return Json();  // only comments
  if (docs->size() > 1) return documentError(m, "holds more than one YAML document");
  return std::move(docs->front());
}

}  // namespace

std::vector<std::string> splitYamlStream(std::string_view text) {
  std::vector<std::string> docs;
  std::string current;
  auto flush = [&] {
    std::string_view t = trim(current);
    if (!t.empty()) docs.emplace_back(t);
    current.clear();
  };
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl == std::string_view::npos ? text.size() : nl + 1);
    text.remove_prefix(line.size());
    if (isSeparator(line)) {
      flush();
      current.append(line.substr(3));
    } else {
      current.append(line);
    }
  }
  flush();
  return docs;
}

absl::StatusOr<std::vector<Manifest>> readManifests(
    std::string_view text, const std::map<std::string, std::string>& vars) {
  Json context;
  if (!vars.empty()) {
    URSA_ASSIGN_OR_RETURN(context, templateContext(vars));
  }
  std::vector<Manifest> out;
  int index = 0;
  for (const std::string& raw : splitYamlStream(text)) {
    Manifest m{.index = ++index};
    std::string rendered = raw;
    if (!vars.empty()) {
      auto r = renderMustache(raw, context);
      if (!r.ok()) return documentError(m, fromAbsl(r.status().message()));
      rendered = std::move(*r);
    }
    URSA_ASSIGN_OR_RETURN(m.doc, parseDocument(m, rendered));
    if (m.doc.is_null()) continue;
    URSA_RETURN_IF_ERROR(checkEnvelope(m));
    out.push_back(std::move(m));
  }
  if (out.empty()) return absl::InvalidArgumentError("no resource(s) passed to apply");
  return out;
}

absl::Status validateManifest(const Manifest& m) {
  auto resource = model::decodeResource(m.doc);
  model::Violations v;
  if (!resource.ok()) {
    v = model::violationsOf(resource.status());
    if (v.empty()) return documentError(m, fromAbsl(resource.status().message()));
  } else {
    v = model::validateResource(*resource);
  }
  if (v.empty()) return absl::OkStatus();
  return documentError(m, formatViolations("Resource is not valid", v));
}

std::string describe(const Manifest& m) {
  if (m.type == nullptr) return "";
  std::string out = strCat(m.type->name, " \"", m.name, "\"");
  if (!m.mesh.empty()) out += strCat(" in mesh \"", m.mesh, "\"");
  return out;
}

std::string documentLabel(const Manifest& m) {
  std::string what = describe(m);
  return what.empty() ? strCat("document ", m.index)
                      : strCat("document ", m.index, " (", what, ")");
}

std::string formatViolations(std::string_view title, const model::Violations& violations) {
  std::string out(title);
  for (const auto& v : violations.list()) out += strCat("\n* ", v.field, ": ", v.message);
  return out;
}

}  // namespace ursa::cli
