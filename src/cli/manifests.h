#pragma once

// The documents `ursactl apply` sends, read as kumactl reads them: the input
// is split at `---` lines, each document is rendered with the --var values
// (only when some are given, so `{{` in a manifest applied without vars is
// left alone), parsed as YAML and checked for a known type and valid
// name/mesh before anything is sent.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ursa/common/status.h"
#include "ursa/model/codec.h"
#include "ursa/model/resource.h"
#include "ursa/model/validation.h"

namespace ursa::cli {

struct Manifest {
  int index = 0;  // 1-based position in the input, counting non-empty documents
  model::Json doc;
  const model::ResourceType* type = nullptr;
  std::string name;
  std::string mesh;  // empty for global types
};

// Splits a YAML stream at lines starting with `---` (text after the marker
// begins the next document). Documents are trimmed; empty ones dropped.
std::vector<std::string> splitYamlStream(std::string_view text);

// Renders, parses and checks every document. The error names the document
// ("document 2 (MeshTimeout "t1" in mesh "default"): ...") and lists causes.
absl::StatusOr<std::vector<Manifest>> readManifests(std::string_view text,
                                                    const std::map<std::string, std::string>& vars);

// Decodes and validates a manifest as the control plane would (for --dry-run).
absl::Status validateManifest(const Manifest& m);

// `MeshTimeout "t1" in mesh "default"`, `Mesh "demo"`.
std::string describe(const Manifest& m);
// "document 2 (Mesh "demo")" or "document 2".
std::string documentLabel(const Manifest& m);

// kumactl's error layout: "<title>\n* field: message" per violation.
std::string formatViolations(std::string_view title, const model::Violations& violations);

}  // namespace ursa::cli
