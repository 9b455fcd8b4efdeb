#include "src/dp/dataplane_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "src/cli/mustache.h"
#include "ursa/common/files.h"
#include "ursa/common/strings.h"
#include "ursa/model/resource.h"

namespace ursa::dp {

absl::StatusOr<std::map<std::string, std::string>> parseVars(const std::vector<std::string>& args) {
  std::map<std::string, std::string> out;
  for (const auto& arg : args) {
    size_t eq = arg.find('=');
    if (eq == std::string::npos || eq == 0) {
      return absl::InvalidArgumentError(
          strCat("--dataplane-var \"", arg, "\" must have the form key=value"));
    }
    out[arg.substr(0, eq)] = arg.substr(eq + 1);
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
                                                 const std::map<std::string, std::string>& vars) {
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
                                                    const std::map<std::string, std::string>& vars) {
  URSA_ASSIGN_OR_RETURN(std::string text, readFile("dataplane file", path));
  auto parsed = parseDataplane(text, vars);
  if (!parsed.ok()) {
    return absl::Status(parsed.status().code(),
                        strCat("dataplane file \"", path, "\": ", fromAbsl(parsed.status().message())));
  }
  return parsed;
}

}  // namespace ursa::dp
