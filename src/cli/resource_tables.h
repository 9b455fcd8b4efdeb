#pragma once

// The tables of `ursactl get`, with kumactl's columns:
//   Mesh                         NAME mTLS METRICS LOGGING TRACING LOCALITY ZONEEGRESS AGE
//   Dataplane, ExternalService   MESH NAME TAGS ADDRESS AGE
//   other mesh-scoped types      MESH NAME AGE
//   other global types           NAME AGE
// AGE counts from the resource's modificationTime, as kumactl does. Items are
// resources as the REST API writes them (envelope plus spec).

#include <string>

#include "absl/time/time.h"
#include "src/cli/table.h"
#include "ursa/model/codec.h"
#include "ursa/model/resource.h"

namespace ursa::cli {

// `items` is a JSON array of resources; `next` the list's next link (for the
// "Rerun command with --offset=..." footer), null when there is no more.
Table resourceTable(const model::ResourceType& type, const model::Json& items,
                    const model::Json& next, absl::Time now);

// A Dataplane's tags as kumactl prints them: every inbound's (and the
// gateway's) tags merged, "key=v1,v2" sorted by key then value, space-separated.
std::string dataplaneTags(const model::Json& dataplane_spec);
// A flat tag map ("key=value" sorted, space-separated), e.g. an ExternalService's.
std::string flatTags(const model::Json& tags);

// The Mesh columns mTLS, METRICS, LOGGING, TRACING, LOCALITY, ZONEEGRESS.
struct MeshSummary {
  std::string mtls, metrics, logging, tracing, locality, zone_egress;
};
MeshSummary summarizeMesh(const model::Json& mesh);

// The AGE of a resource from its modificationTime; "-" when it has none.
std::string ageOf(const model::Json& resource, absl::Time now);

// The value at `key` of `obj`; null when `obj` is not an object or has no `key`.
const model::Json& at(const model::Json& obj, std::string_view key);
// The string at `key` of `obj` ("" when absent or not a string).
std::string stringAt(const model::Json& obj, std::string_view key);

}  // namespace ursa::cli
