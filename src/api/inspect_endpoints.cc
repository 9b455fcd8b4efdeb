// The inspection endpoints and explain (see inspect.h, explain.h):
//   GET /meshes/{mesh}/dataplanes/{name}/policies | rules | xds
//   GET /meshes/{mesh}/{policy-path}/{name}/dataplanes
//   GET /meshes/{mesh}/explain/traffic?from=SERVICE[,key=value...]&to=SERVICE[:port]
// Reading needs read access to Dataplanes and to every policy type shown.

#include <algorithm>

#include "src/api/api_handler.h"
#include "src/api/explain.h"
#include "src/api/inspect.h"
#include "src/api/rest.h"
#include "ursa/common/strings.h"
#include "ursa/model/registry.h"

namespace ursa::api {
namespace {

using Kind = Route::Kind;

absl::Status checkReadAll(const AccessControl& access, const User& user, const MeshView& view) {
  URSA_RETURN_IF_ERROR(access.checkRead(user, model::TypeRegistry::instance().dataplane()));
  for (const auto& [type, policies] : view.policies) {
    URSA_RETURN_IF_ERROR(access.checkRead(user, *type));
  }
  return absl::OkStatus();
}

// Appends `extra` to body["warnings"], skipping those already there.
void addWarnings(Json& body, const std::vector<std::string>& extra) {
  Json& warnings = body["warnings"];
  if (!warnings.is_array()) warnings = Json::array();
  for (const auto& w : extra) {
    if (std::find(warnings.begin(), warnings.end(), w) == warnings.end()) warnings.push_back(w);
  }
}

}  // namespace

http::Response ApiHandler::inspect(const http::Request& req, const Route& route,
                                   const User& user) const {
  constexpr std::string_view kTitle = "Could not inspect a resource";
  auto view = loadMeshView(deps_.manager.store(), route.mesh);
  if (!view.ok()) return error(req, kTitle, view.status());
  if (auto s = checkReadAll(*deps_.access, user, *view); !s.ok()) {
    return error(req, "Access Denied", s);
  }
  auto resource = deps_.manager.store().get({route.type, route.mesh, route.name});
  if (!resource.ok()) return error(req, kTitle, resource.status());
  absl::StatusOr<Json> body;
  switch (route.kind) {
    case Kind::DataplanePolicies:
      body = dataplanePolicies(*view, **resource);
      break;
    case Kind::DataplaneRules:
      body = dataplaneRules(*view, **resource);
      break;
    default:
      body = policyDataplanes(*view, **resource);
      break;
  }
  if (!body.ok()) return error(req, kTitle, body.status());
  bool per_dataplane = route.kind == Kind::DataplanePolicies || route.kind == Kind::DataplaneRules;
  if (per_dataplane && deps_.xds_warnings) {
    if (auto generated = deps_.xds_warnings(route.mesh, route.name)) addWarnings(*body, *generated);
  }
  return ok(req, 200, *body);
}

http::Response ApiHandler::dataplaneXds(const http::Request& req, const Route& route) const {
  constexpr std::string_view kTitle = "Could not get the XDS configuration";
  if (!deps_.xds_config) {
    return error(req, kTitle, absl::UnimplementedError("this control plane serves no xDS"));
  }
  auto dp = deps_.manager.store().get({route.type, route.mesh, route.name});
  if (!dp.ok()) return error(req, kTitle, dp.status());
  auto config = deps_.xds_config(route.mesh, route.name);
  if (!config.ok()) return error(req, kTitle, config.status());
  return ok(req, 200, *config);
}

http::Response ApiHandler::explain(const http::Request& req, const Route& route,
                                   const User& user) const {
  constexpr std::string_view kTitle = "Could not explain traffic";
  auto query = parseTrafficQuery(req.queryParam("from").value_or(""),
                                 req.queryParam("to").value_or(""));
  if (!query.ok()) return error(req, kTitle, query.status());
  auto view = loadMeshView(deps_.manager.store(), route.mesh);
  if (!view.ok()) return error(req, kTitle, view.status());
  if (auto s = checkReadAll(*deps_.access, user, *view); !s.ok()) {
    return error(req, "Access Denied", s);
  }
  auto body = explainTraffic(*view, *query);
  if (!body.ok()) return error(req, kTitle, body.status());
  return ok(req, 200, *body);
}

}  // namespace ursa::api
