#pragma once

// The tables of `ursactl inspect`.
//
// Dataplanes (from /meshes/{mesh}/dataplanes+insights), kumactl's columns:
//   MESH NAME TAGS STATUS LAST CONNECTED AGO LAST UPDATED AGO TOTAL UPDATES
//   TOTAL ERRORS CERT REGENERATED AGO CERT EXPIRATION CERT REGENERATIONS
//   CERT BACKEND SUPPORTED CERT BACKENDS KUMA-DP VERSION ENVOY VERSION
//   DEPENDENCIES VERSIONS NOTES
// STATUS as Kuma computes it: Offline unless some subscription is connected
// (a connect time and no disconnect time; no insight at all is Offline) or
// when every inbound reports not ready; "Partially degraded" when only some
// do; Online otherwise. Gateways have no inbound health.
//
// Meshes: the server has no MeshInsight yet, so ursactl computes one per mesh
// from the lists of meshes, dataplane overviews and policies:
//   NAME MTLS METRICS LOGGING TRACING LOCALITY ZONEEGRESS DPs/TOTAL POLICIES
// DPs/TOTAL is online/total dataplanes; POLICIES the number of policies of
// every policy type in the mesh.

#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "src/cli/resource_tables.h"
#include "src/cli/table.h"
#include "ursa/model/codec.h"

namespace ursa::cli {

struct DataplaneStatus {
  std::string status;              // Online | Offline | Partially degraded
  std::vector<std::string> notes;  // "inbound[port=8080,svc=web] is not ready"
  bool proxy_online = false;       // some subscription is connected
};
DataplaneStatus dataplaneStatus(const model::Json& overview);

// `items`: DataplaneOverview objects. CERT EXPIRATION is shown in `zone`.
Table dataplaneOverviewTable(const model::Json& items, absl::Time now, absl::TimeZone zone);

struct MeshInsight {
  std::string name;
  MeshSummary summary;
  int dataplanes_online = 0;
  int dataplanes_total = 0;
  std::map<std::string, int> policies;  // by type name; only types with some
  int policies_total = 0;
};

// `meshes`, `overviews`: arrays as listed; `policies`: per policy type name,
// the array of its resources across meshes.
std::vector<MeshInsight> computeMeshInsights(const model::Json& meshes,
                                             const model::Json& overviews,
                                             const std::map<std::string, model::Json>& policies);
Table meshInsightTable(const std::vector<MeshInsight>& insights);
// The insights as a REST-like list of MeshInsight objects (for -o yaml|json):
// {total, items: [{type: MeshInsight, name, dataplanes: {online, offline, total},
//                  policies: {<Type>: {total}}}], next: null}
model::Json meshInsightList(const std::vector<MeshInsight>& insights);

}  // namespace ursa::cli
