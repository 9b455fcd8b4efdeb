#pragma once

// Registrar: what the simulator does through the control plane's REST API
// (Kuma 2.2's paths, via ursactl's ApiClient over libcurl): the mesh with a
// builtin CA, every Dataplane of the topology, one dataplane token per
// proxy, the scenarios' changes, and the cleanup. Bulk operations run on
// `workers` connections at once and stop at the first error.
//
// Thread-safety: one caller at a time.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "src/cli/api_client.h"
#include "src/loadsim/topology.h"

namespace ursa::loadsim {

// Progress of a bulk operation: `done` of `total`.
using BulkProgress = std::function<void(size_t done, size_t total)>;

class Registrar {
 public:
  static absl::StatusOr<std::unique_ptr<Registrar>> connect(const std::string& api_address,
                                                            int workers);

  // Creates `mesh` with mTLS (a builtin CA) when it does not exist. Returns
  // whether it created it; an existing mesh is left as it is.
  absl::StatusOr<bool> ensureMesh(const std::string& mesh);
  // PUTs (creates or replaces) a mesh-scoped resource of type `type_name`
  // ("MeshTimeout"); `document` holds its type, mesh, name and spec.
  absl::Status putResource(const std::string& type_name, const model::Json& document);
  absl::Status deleteResource(const std::string& type_name, const std::string& mesh,
                              const std::string& name);

  // PUTs every Dataplane of `topology`.
  absl::Status registerDataplanes(const Topology& topology, const BulkProgress& progress);
  // One dataplane token per proxy (POST /tokens/dataplane), in proxy order.
  absl::StatusOr<std::vector<std::string>> issueTokens(const Topology& topology,
                                                       const BulkProgress& progress);
  // PUTs proxy `i`'s Dataplane with its inbound on `port`.
  absl::Status putDataplane(const Topology& topology, size_t i, uint32_t port);
  // Deletes every Dataplane of `topology` (missing ones are fine), then the
  // mesh when `delete_mesh`.
  absl::Status cleanup(const Topology& topology, bool delete_mesh, const BulkProgress& progress);

 private:
  explicit Registrar(std::vector<std::unique_ptr<cli::ApiClient>> clients)
      : clients_(std::move(clients)) {}
  // Runs fn(client, i) for i in [0, n) on every worker; the first error wins.
  absl::Status parallelFor(size_t n,
                           const std::function<absl::Status(cli::ApiClient&, size_t)>& fn,
                           const BulkProgress& progress);

  std::vector<std::unique_ptr<cli::ApiClient>> clients_;
};

}  // namespace ursa::loadsim
