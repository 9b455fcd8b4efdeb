#include "src/dp/dataplane_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "src/cli/mustache.h"
#include "ursa/common/files.h"
#include "ursa/common/strings.h"
#include "ursa/model/resource.h"

namespace ursa::dp {

namespace {

bool isPair(std::string_view part) {
  size_t eq = part.find('=');
  return eq != std::string_view::npos && eq > 0;
}

// "k1=v1,k2=v2" as its pairs when every part is one; else `arg` whole.
std::vector<std::string> splitPairs(const std::string& arg) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t comma = arg.find(',', start);
    parts.push_back(arg.substr(start, comma == std::string::npos ? comma : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  for (const auto& part : parts) {
    if (!isPair(part)) return {arg};
  }
  return parts;
}

// Sets `doc[field]` to `given` when it has none; InvalidArgument when it
// names another.
absl::Status reconcile(model::Json& doc, const char* field, const std::string& given) {
  if (given.empty()) return absl::OkStatus();
  auto it = doc.find(field);
  if (it == doc.end() || (it->is_string() && it->get<std::string>().empty())) {
    doc[field] = given;
    return absl::OkStatus();
  }
  if (!it->is_string() || it->get<std::string>() != given) {
    return absl::InvalidArgumentError(strCat("--", field, " is \"", given,
                                             "\" but the Dataplane template's ", field, " is ",
                                             it->dump(), ": give one of them, or the same"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::map<std::string, std::string>> parseVars(const std::vector<std::string>& args) {
  std::map<std::string, std::string> out;
  for (const auto& arg : args) {
    for (const auto& pair : splitPairs(arg)) {
      if (!isPair(pair)) {
        return absl::InvalidArgumentError(
            strCat("--dataplane-var \"", arg, "\" must have the form key=value"));
      }
      size_t eq = pair.find('=');
      out[pair.substr(0, eq)] = pair.substr(eq + 1);
    }
  }
  return out;
}

absl::StatusOr<std::string> readFile(std::string_view what, const std::string& path) {
  auto read = ursa::readFile(path);
  if (!read.ok()) {
    return absl::Status(read.status().code(), strCat(what, " ", fromAbsl(read.status().message())));
  }
  return read;
}

absl::StatusOr<DataplaneDocument> parseDataplane(std::string_view text,
                                                 const std::map<std::string, std::string>& vars,
                                                 const NameAndMesh& given) {
  URSA_ASSIGN_OR_RETURN(model::Json context, cli::templateContext(vars));
  URSA_ASSIGN_OR_RETURN(std::string rendered, cli::renderMustache(text, context));
  URSA_ASSIGN_OR_RETURN(model::Json doc, model::parseYaml(rendered));
  if (!doc.is_object()) return absl::InvalidArgumentError("the document is not a resource");
  auto type = doc.find("type");
  if (type == doc.end() || !type->is_string() || type->get<std::string>() != "Dataplane") {
    return absl::InvalidArgumentError(
        strCat("the document must be a Dataplane (type: Dataplane), not ",
               type == doc.end() ? std::string("a document without a type") : type->dump()));
  }
  URSA_RETURN_IF_ERROR(reconcile(doc, "name", given.name));
  URSA_RETURN_IF_ERROR(reconcile(doc, "mesh", given.mesh));
  if (!doc.contains("mesh")) doc["mesh"] = "default";
  URSA_ASSIGN_OR_RETURN(model::Resource resource, model::decodeResource(doc));
  if (resource.meta.name.empty()) return absl::InvalidArgumentError("the Dataplane has no name");
  model::Violations violations = model::validateResource(resource);
  if (!violations.empty()) {
    return absl::InvalidArgumentError(strCat("invalid Dataplane: ", violations.toString()));
  }
  return DataplaneDocument{resource.meta.mesh, resource.meta.name, std::move(doc)};
}

absl::StatusOr<DataplaneDocument> loadDataplaneFile(const std::string& path,
                                                    const std::map<std::string, std::string>& vars,
                                                    const NameAndMesh& given) {
  std::string text;
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    URSA_ASSIGN_OR_RETURN(text, readFile("dataplane file", path));
  }
  auto parsed = parseDataplane(text, vars, given);
  if (!parsed.ok()) {
    return absl::Status(parsed.status().code(),
                        strCat(path == "-" ? std::string("dataplane from standard input")
                                           : strCat("dataplane file \"", path, "\""),
                               ": ", fromAbsl(parsed.status().message())));
  }
  return parsed;
}

absl::StatusOr<DataplaneDocument> dataplaneByName(const NameAndMesh& given) {
  if (given.name.empty()) {
    return absl::InvalidArgumentError(
        "no Dataplane: give a template (--dataplane-file or --dataplane), or --name (and --mesh) "
        "of a Dataplane that exists in the control plane");
  }
  return DataplaneDocument{given.mesh.empty() ? "default" : given.mesh, given.name, nullptr};
}

}  // namespace ursa::dp
