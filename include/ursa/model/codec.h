#pragma once

// Reading and writing resources as YAML and JSON, in Kuma 2.2's Universal
// format: the envelope (`type`, `name`, `mesh`, `creationTime`,
// `modificationTime`, `labels`) plus the spec, flattened beside the envelope
// for Kuma's protobuf types or nested under `spec` for targetRef policies.
//
// Decoding is strict by default: a key that is not a field is an error that
// names it (a typo is never silently dropped). DecodeOptions::allow_unknown_fields
// accepts such keys as Kuma does, for users migrating manifests.
//
// Field names are the protobuf JSON names (lowerCamelCase); the original
// snake_case names are accepted on input too. Enums are read and written by
// name, durations as strings ("5s", "1h30m"), bytes as base64.

#include <string>
#include <string_view>
#include <vector>

#include "nlohmann/json.hpp"
#include "ursa/common/status.h"
#include "ursa/model/resource.h"
#include "ursa/model/validation.h"

namespace ursa::model {

using Json = nlohmann::ordered_json;

struct DecodeOptions {
  bool allow_unknown_fields = false;
  // Documents larger than this are refused before parsing.
  size_t max_document_bytes = 4 * 1024 * 1024;
};

enum class DurationStyle {
  Protobuf,  // "3600s", as protobuf JSON writes (Kuma's protobuf types)
  Go,        // "1h0m0s", as Go writes time.Duration (Kuma's targetRef policies)
};

struct EncodeOptions {
  DurationStyle durations = DurationStyle::Protobuf;
};

// --- Documents ---------------------------------------------------------------

// Parses one JSON document. Refuses duplicate keys, nesting deeper than 64 and
// documents over `max_bytes`; errors name the line and column.
absl::StatusOr<Json> parseJson(std::string_view text, size_t max_bytes = 4 * 1024 * 1024);
// Parses a YAML stream into its documents (empty documents are skipped).
// Plain scalars are typed by YAML 1.2's core schema; quoted ones are strings.
absl::StatusOr<std::vector<Json>> parseYamlDocuments(std::string_view text,
                                                     size_t max_bytes = 4 * 1024 * 1024);
// Parses exactly one YAML (or JSON) document.
absl::StatusOr<Json> parseYaml(std::string_view text, size_t max_bytes = 4 * 1024 * 1024);
// Writes `value` as block-style YAML.
std::string toYaml(const Json& value);

// --- Messages ----------------------------------------------------------------

// Fills `msg` from `value`; an explicitly empty list of a field with list
// presence is recorded as such (list_presence.h). Every problem (unknown key, wrong type, bad enum
// name, malformed duration) is added to `out` at its path under `at`; the
// decoder never stops at the first.
void decodeMessage(const Json& value, google::protobuf::Message& msg, const FieldPath& at,
                   const DecodeOptions& options, Violations& out);
// Writes `msg` with Kuma's conventions: JSON names, fields in declaration
// order, unset and zero-valued fields omitted (proto3 `optional` fields are
// written whenever set, and lists with presence given as `[]` as `[]`; see
// list_presence.h), map keys sorted.
Json encodeMessage(const google::protobuf::Message& msg, const EncodeOptions& options = {});

// --- Resources ---------------------------------------------------------------

// Reads a resource document (envelope + spec). On failure returns
// InvalidArgument carrying the violations (see violationsOf). The result is
// decoded only; it is not yet validated (see validateResource).
absl::StatusOr<Resource> decodeResource(const Json& doc, const DecodeOptions& options = {});
// Reads the spec of a resource of type `type` from `value` (the `spec` object,
// or the flattened document minus its envelope keys).
absl::StatusOr<std::shared_ptr<google::protobuf::Message>> decodeSpec(
    const ResourceType& type, const Json& value, const DecodeOptions& options = {});
// Writes a resource in Kuma's envelope, with creation and modification times.
Json encodeResource(const Resource& r);
EncodeOptions encodeOptionsFor(const ResourceType& type);

// --- Errors with violations --------------------------------------------------

// An InvalidArgument status whose message is `title` and which carries
// `violations` (for the REST API's `causes`).
absl::Status invalidArgument(std::string_view title, const Violations& violations);
// The violations carried by `status`, empty when it carries none.
Violations violationsOf(const absl::Status& status);

}  // namespace ursa::model
