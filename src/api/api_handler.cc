#include "src/api/api_handler.h"

#include "src/api/list_params.h"
#include "src/api/rest.h"
#include "ursa/common/logging.h"
#include "ursa/common/strings.h"
#include "ursa/model/registry.h"

namespace ursa::api {

using model::Json;
using Kind = Route::Kind;

namespace {

constexpr char kReadOnlyMessage[] =
    "The API server is read-only (apiServer.readOnly): resources cannot be changed through it.\n";

bool isWrite(const std::string& method) {
  return method == "PUT" || method == "POST" || method == "DELETE" || method == "PATCH";
}

http::Response wrongMethod(const Route& route) {
  bool item = route.kind == Kind::Item;
  std::string allow = item ? "GET, PUT, DELETE" : "GET";
  if (route.kind == Kind::UserToken || route.kind == Kind::DataplaneToken) allow = "POST";
  return methodNotAllowed(strCat("method not allowed here; allowed: ", allow, "\n"), allow);
}

// Checks that the body's type, name and mesh match the URL (Kuma's rule).
absl::Status checkBodyMatchesPath(const Json& doc, const Route& route) {
  model::Violations v;
  auto field = [&](const char* key) {
    auto it = doc.find(key);
    return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (field("name") != route.name) {
    v.add(model::FieldPath::rootedAt("name"), "name from the URL has to be the same as in body");
  }
  if (field("type") != route.type->name) {
    v.add(model::FieldPath::rootedAt("type"), "type from the URL has to be the same as in body");
  }
  if (route.type->scope == model::Scope::Mesh && field("mesh") != route.mesh) {
    v.add(model::FieldPath::rootedAt("mesh"), "mesh from the URL has to be the same as in body");
  }
  if (v.empty()) return absl::OkStatus();
  return model::invalidArgument("the body does not match the URL", v);
}

}  // namespace

ApiHandler::ApiHandler(ApiOptions options, ApiDeps deps)
    : options_(std::move(options)), deps_(std::move(deps)) {}

http::Response ApiHandler::handle(const http::Request& req) const {
  auto user = deps_.authenticator->authenticate(req);
  if (!user.ok()) return error(req, "Authentication failed", user.status());
  auto r = route(req.target);
  if (!r.ok()) {
    bool not_found = absl::IsNotFound(r.status());
    return error(req, not_found ? "Not found" : "Invalid path", r.status());
  }
  if (options_.read_only && isWrite(req.method) && r->kind != Kind::UserToken &&
      r->kind != Kind::DataplaneToken) {
    return methodNotAllowed(kReadOnlyMessage, "GET");
  }
  return dispatch(req, *r, *user);
}

http::Response ApiHandler::dispatch(const http::Request& req, const Route& route,
                                    const User& user) const {
  const std::string& m = req.method;
  bool get = m == "GET" || m == "HEAD";
  switch (route.kind) {
    case Kind::Index:
      return get ? index(req) : wrongMethod(route);
    case Kind::Config:
      return get ? ok(req, 200, options_.config) : wrongMethod(route);
    case Kind::WhoAmI:
      return get ? ok(req, 200, Json{{"name", user.name}, {"groups", user.groups}})
                 : wrongMethod(route);
    case Kind::Policies:
      return get ? policies(req) : wrongMethod(route);
    case Kind::GlobalInsights:
      return get ? globalInsights(req) : wrongMethod(route);
    case Kind::List:
      return get ? list(req, route, user) : wrongMethod(route);
    case Kind::Item:
      if (get) return this->get(req, route, user);
      if (m == "PUT") return put(req, route, user);
      if (m == "DELETE") return remove(req, route, user);
      return wrongMethod(route);
    case Kind::OverviewList:
      return get ? overviews(req, route) : wrongMethod(route);
    case Kind::OverviewItem:
      return get ? overview(req, route) : wrongMethod(route);
    case Kind::UserToken:
      return m == "POST" ? userToken(req, user) : wrongMethod(route);
    case Kind::DataplaneToken:
      return m == "POST" ? dataplaneToken(req, user) : wrongMethod(route);
    case Kind::DataplanePolicies:
    case Kind::DataplaneRules:
    case Kind::PolicyDataplanes:
      return get ? inspect(req, route, user) : wrongMethod(route);
    case Kind::DataplaneXds:
      return get ? dataplaneXds(req, route) : wrongMethod(route);
    case Kind::ExplainTraffic:
      return get ? explain(req, route, user) : wrongMethod(route);
  }
  return error(req, "Not found", absl::NotFoundError("no such endpoint"));
}

http::Response ApiHandler::list(const http::Request& req, const Route& route,
                                const User& user) const {
  if (auto s = deps_.access->checkRead(user, *route.type); !s.ok()) {
    return error(req, "Access Denied", s);
  }
  store::ListQuery query{.type = route.type};
  if (route.type->scope == model::Scope::Mesh && !route.mesh.empty()) query.mesh = route.mesh;
  if (auto s = readListParams(req, query); !s.ok()) {
    return error(req, "Could not retrieve resources", s);
  }
  auto result = deps_.manager.store().list(query);
  if (!result.ok()) return error(req, "Could not retrieve resources", result.status());
  Json items = Json::array();
  for (const auto& r : result->items) items.push_back(model::encodeResource(*r));
  return ok(req, 200,
            Json{{"total", result->total}, {"items", std::move(items)},
                 {"next", nextLink(req, result->next_offset)}});
}

http::Response ApiHandler::get(const http::Request& req, const Route& route,
                               const User& user) const {
  if (auto s = deps_.access->checkRead(user, *route.type); !s.ok()) {
    return error(req, "Access Denied", s);
  }
  auto r = deps_.manager.store().get({route.type, route.mesh, route.name});
  if (!r.ok()) return error(req, "Could not retrieve a resource", r.status());
  return ok(req, 200, model::encodeResource(**r));
}

http::Response ApiHandler::put(const http::Request& req, const Route& route,
                               const User& user) const {
  if (route.type->read_only) {
    return methodNotAllowed(strCat(route.type->name,
                                   " is maintained by the control plane and cannot be written\n"),
                            "GET");
  }
  if (auto s = deps_.access->checkWrite(user, *route.type); !s.ok()) {
    return error(req, "Access Denied", s);
  }
  auto body = parseBody(req, options_.max_body_bytes);
  if (!body.ok()) return error(req, "Could not process a resource", body.status());
  if (!body->is_object()) {
    return error(req, "Could not process a resource",
                 absl::InvalidArgumentError("the body must be a resource object"));
  }
  if (auto s = checkBodyMatchesPath(*body, route); !s.ok()) {
    return error(req, "Could not process a resource", s);
  }
  model::DecodeOptions decode{.allow_unknown_fields = options_.allow_unknown_fields,
                              .max_document_bytes = options_.max_body_bytes};
  auto resource = model::decodeResource(*body, decode);
  if (!resource.ok()) return error(req, "Could not process a resource", resource.status());
  auto result = deps_.manager.upsert(*resource);
  if (!result.ok()) return error(req, "Could not process a resource", result.status());
  return empty(result->outcome == core::UpsertOutcome::Created ? 201 : 200);
}

http::Response ApiHandler::remove(const http::Request& req, const Route& route,
                                  const User& user) const {
  if (route.type->read_only) {
    return methodNotAllowed(strCat(route.type->name,
                                   " is maintained by the control plane and cannot be deleted\n"),
                            "GET");
  }
  if (auto s = deps_.access->checkWrite(user, *route.type); !s.ok()) {
    return error(req, "Access Denied", s);
  }
  absl::Status s = deps_.manager.remove({route.type, route.mesh, route.name});
  if (!s.ok()) return error(req, "Could not delete a resource", s);
  return empty(200);
}

http::Response ApiHandler::index(const http::Request& req) const {
  return ok(req, 200,
            Json{{"hostname", options_.hostname},
                 // kumactl checks the tagline; ursa answers as a Kuma-compatible CP.
                 {"tagline", "Kuma"},
                 {"product", "ursa"},
                 {"version", URSA_VERSION},
                 {"basedOnKuma", "2.2.9"},
                 {"instanceId", options_.instance_id},
                 {"clusterId", options_.instance_id}});
}

http::Response ApiHandler::policies(const http::Request& req) const {
  Json list = Json::array();
  for (const model::ResourceType* t : model::TypeRegistry::instance().all()) {
    if (!t->is_policy) continue;
    list.push_back(Json{{"name", std::string(t->name)},
                        {"readOnly", options_.read_only},
                        {"path", std::string(t->path)},
                        {"singularDisplayName", std::string(t->name)},
                        {"pluralDisplayName", std::string(t->path)},
                        {"isExperimental", false}});
  }
  return ok(req, 200, Json{{"policies", std::move(list)}});
}

http::Response ApiHandler::globalInsights(const http::Request& req) const {
  Json resources = Json::object();
  for (const model::ResourceType* t : model::TypeRegistry::instance().all()) {
    auto counted = deps_.manager.store().list({.type = t, .limit = 1});
    if (!counted.ok()) return error(req, "Could not compute insights", counted.status());
    resources[std::string(t->name)] = Json{{"total", counted->total}};
  }
  return ok(req, 200,
            Json{{"type", "GlobalInsights"},
                 {"creationTime", absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", absl::Now(),
                                                   absl::UTCTimeZone())},
                 {"resources", std::move(resources)}});
}

}  // namespace ursa::api
