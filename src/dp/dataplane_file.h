#pragma once

// The Dataplane a proxy registers as, read as kuma-dp reads it: the file
// given by `--dataplane-file`, rendered as a mustache template with the
// `--dataplane-var/-v key=value` pairs (`{{ name }}`, `{{ port }}`, ...),
// then decoded as a Dataplane resource in Kuma's Universal YAML (or JSON).
//
// The rendered document is what ursa-dp sends to the control plane as
// `dataplaneResource`; the control plane upserts it (self-registration).

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ursa/common/status.h"
#include "ursa/model/codec.h"

namespace ursa::dp {

struct DataplaneDocument {
  std::string mesh;  // "default" when the document names none
  std::string name;
  model::Json json;  // the rendered document, as JSON
  // "<mesh>.<name>": the proxy's node id on xDS.
  std::string nodeId() const { return mesh + "." + name; }
};

// Splits `-v key=value` arguments. InvalidArgument naming the argument for
// one without '=' or with an empty key. A later key replaces an earlier one.
absl::StatusOr<std::map<std::string, std::string>> parseVars(const std::vector<std::string>& args);

// Renders `text` with `vars` and decodes it. InvalidArgument naming the
// problem: a template error, YAML that does not parse, a document that is not
// a Dataplane, a missing name, or the Dataplane's violations (Kuma's rules).
absl::StatusOr<DataplaneDocument> parseDataplane(std::string_view text,
                                                 const std::map<std::string, std::string>& vars);

// Reads `path` and parses it (above). NotFound when the file does not exist,
// InvalidArgument (naming the file) otherwise.
absl::StatusOr<DataplaneDocument> loadDataplaneFile(const std::string& path,
                                                    const std::map<std::string, std::string>& vars);

// Reads a whole file. NotFound / PermissionDenied / Unavailable naming `what`
// ("dataplane file") and `path`.
absl::StatusOr<std::string> readFile(std::string_view what, const std::string& path);

}  // namespace ursa::dp
