#pragma once

// The xDS configuration the control plane serves one proxy, as JSON, for
// GET /meshes/{mesh}/dataplanes/{name}/xds. It is read from the SnapshotCache
// (what the last push sent or is sending), not fetched from the proxy:
//
//   {"node": "<mesh>.<name>",
//    "types": {"Cluster": {"version": "...", "resources": [
//                {"name": "...", "version": "...", "resource": {<Envoy JSON>}}]}, ...},
//    "warnings": ["<what the generator could not translate as asked>", ...]}
//
// Private keys of SDS secrets are replaced by "[redacted]". A proxy that is
// not connected has no snapshot: NotFound, saying so (ursa generates
// configuration only for connected proxies).

#include <optional>
#include <string>
#include <vector>

#include "src/xds/cache/snapshot_cache.h"
#include "ursa/common/status.h"
#include "ursa/model/codec.h"

namespace ursa::cp {

absl::StatusOr<model::Json> xdsConfigJson(const xds::SnapshotCache& cache, const std::string& mesh,
                                          const std::string& name);

// The warnings of the snapshot served to proxy (mesh, name) (sorted,
// distinct; see xds::Snapshot::warnings); nullopt when it is not connected.
std::optional<std::vector<std::string>> xdsWarnings(const xds::SnapshotCache& cache,
                                                    const std::string& mesh,
                                                    const std::string& name);

}  // namespace ursa::cp
