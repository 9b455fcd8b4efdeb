#pragma once

// The Dataplane a proxy registers as, read as kuma-dp reads it: the file
// given by `--dataplane-file`, rendered as a mustache template with the
// `--dataplane-var/-v key=value` pairs (`{{ name }}`, `{{ port }}`, ...),
// then decoded as a Dataplane resource in Kuma's Universal YAML (or JSON).
//
// The rendered document is what ursa-dp sends to the control plane as
// `dataplaneResource`; the control plane upserts it (self-registration).
// Without a template, `--name`/`--mesh` name a Dataplane that must already
// exist in the control plane (kuma-dp's other way); the document is then null.

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
  model::Json json;  // the rendered document, as JSON; null without a template
  // "<mesh>.<name>": the proxy's node id on xDS.
  std::string nodeId() const { return mesh + "." + name; }
};

// Splits `-v key=value` arguments. One argument may hold several pairs
// separated by commas, as kuma-dp's `-v k1=v1,k2=v2` (when every part has a
// key; otherwise the comma is part of the value). InvalidArgument naming the
// argument for one without '=' or with an empty key. A later key replaces an
// earlier one.
absl::StatusOr<std::map<std::string, std::string>> parseVars(const std::vector<std::string>& args);

// `--name` and `--mesh` (empty: not given).
struct NameAndMesh {
  std::string name;
  std::string mesh;
};

// Renders `text` with `vars` and decodes it. `given` fills the document's
// name and mesh when it has none; where it has one, `given` must agree (kuma-dp
// 2.2 rejects --name/--mesh beside any template; ursa accepts them when they
// agree). InvalidArgument naming the problem: a template error, YAML that
// does not parse, a document that is not a Dataplane, a missing name, a name
// or mesh other than `given`'s, or the Dataplane's violations (Kuma's rules).
absl::StatusOr<DataplaneDocument> parseDataplane(std::string_view text,
                                                 const std::map<std::string, std::string>& vars,
                                                 const NameAndMesh& given = {});

// Reads `path` ("-": standard input) and parses it (above). NotFound when the
// file does not exist, InvalidArgument (naming the file) otherwise.
absl::StatusOr<DataplaneDocument> loadDataplaneFile(const std::string& path,
                                                    const std::map<std::string, std::string>& vars,
                                                    const NameAndMesh& given = {});

// The Dataplane `given.name` in `given.mesh` ("default" when empty), without
// a template. InvalidArgument when no name is given.
absl::StatusOr<DataplaneDocument> dataplaneByName(const NameAndMesh& given);

// Reads a whole file. NotFound / PermissionDenied / Unavailable naming `what`
// ("dataplane file") and `path`.
absl::StatusOr<std::string> readFile(std::string_view what, const std::string& path);

}  // namespace ursa::dp
