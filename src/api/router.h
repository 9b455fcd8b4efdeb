#pragma once

// Maps a request path to what it addresses, with Kuma 2.2's paths:
//   /                                     index
//   /config, /who-am-i, /policies, /global-insights
//   /meshes[/{name}]                      the Mesh type
//   /meshes/{mesh}/{path}[/{name}]        a mesh-scoped type in one mesh
//   /{path}                               a global type, or every mesh of a mesh-scoped one
//   /{path}/{name}                        one resource of a global type
//   /meshes/{mesh}/dataplanes+insights[/{name}], /dataplanes+insights
//   /tokens/user, /tokens/dataplane
//   /meshes/{mesh}/dataplanes/{name}/{policies|rules|xds}   inspection
//   /meshes/{mesh}/{policy-path}/{name}/dataplanes           proxies a policy selects
//   /meshes/{mesh}/explain/traffic                           explain (query: from, to)
// Path segments are percent-decoded one by one, so an encoded "/" inside a
// name stays inside the name (and is then refused as an invalid name).

#include <string>
#include <string_view>

#include "ursa/common/status.h"
#include "ursa/model/resource.h"

namespace ursa::api {

struct Route {
  enum class Kind {
    Index,
    Config,
    WhoAmI,
    Policies,
    GlobalInsights,
    List,          // type, mesh ('' = every mesh)
    Item,          // type, mesh, name
    OverviewList,  // mesh ('' = every mesh)
    OverviewItem,  // mesh, name
    UserToken,
    DataplaneToken,
    DataplanePolicies,  // mesh, name
    DataplaneRules,     // mesh, name
    DataplaneXds,       // mesh, name
    PolicyDataplanes,   // type, mesh, name
    ExplainTraffic,     // mesh
  };
  Kind kind = Kind::Index;
  const model::ResourceType* type = nullptr;
  std::string mesh;
  std::string name;
};

// NotFound for paths that address nothing; InvalidArgument (with violations
// at `name` / `mesh`) for names Kuma would refuse.
absl::StatusOr<Route> route(std::string_view target);

}  // namespace ursa::api
