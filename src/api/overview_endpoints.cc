// GET /meshes/{mesh}/dataplanes+insights[/{name}] and /dataplanes+insights:
// each Dataplane with its DataplaneInsight, as Kuma's DataplaneOverview.

#include "src/api/api_handler.h"
#include "src/api/list_params.h"
#include "src/api/rest.h"
#include "ursa/common/strings.h"
#include "ursa/mesh/v1alpha1/dataplane.pb.h"
#include "ursa/model/registry.h"

namespace ursa::api {

using model::Json;

namespace {

const model::ResourceType& insightType() {
  return *model::TypeRegistry::instance().byName("DataplaneInsight");
}

// Kuma's overview filters: every `tag=key:value` must be matched by one tag
// set whose value for `key` contains `value`; `gateway` selects by kind.
bool matchesOverviewFilters(const model::Resource& dp, const std::map<std::string, std::string>& tags,
                            const std::string& gateway) {
  const auto& spec = static_cast<const ursa::mesh::v1alpha1::Dataplane&>(*dp.spec);
  bool is_gateway = spec.networking().has_gateway();
  bool builtin = is_gateway && spec.networking().gateway().type() ==
                                   ursa::mesh::v1alpha1::Dataplane::Networking::Gateway::BUILTIN;
  if (gateway == "true" && !is_gateway) return false;
  if (gateway == "false" && is_gateway) return false;
  if (gateway == "builtin" && !builtin) return false;
  if (gateway == "delegated" && (!is_gateway || builtin)) return false;
  if (tags.empty()) return true;
  for (const auto& set : dp.type->tags(*dp.spec)) {
    bool all = true;
    for (const auto& [k, v] : tags) {
      auto it = set.find(k);
      if (it == set.end() || it->second.find(v) == std::string::npos) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

Json overviewOf(store::ResourceStore& store, const model::Resource& dp) {
  Json out = model::encodeResource(dp);
  Json overview = {{"type", "DataplaneOverview"},
                   {"mesh", dp.meta.mesh},
                   {"name", dp.meta.name},
                   {"creationTime", out["creationTime"]},
                   {"modificationTime", out["modificationTime"]}};
  Json spec = model::encodeMessage(*dp.spec, model::encodeOptionsFor(*dp.type));
  overview["dataplane"] = std::move(spec);
  auto insight = store.get({&insightType(), dp.meta.mesh, dp.meta.name});
  overview["dataplaneInsight"] =
      insight.ok() ? model::encodeMessage(*(*insight)->spec, model::encodeOptionsFor(insightType()))
                   : Json::object();
  return overview;
}

}  // namespace

http::Response ApiHandler::overviews(const http::Request& req, const Route& route) const {
  const auto& dataplane = model::TypeRegistry::instance().dataplane();
  store::ListQuery params{.type = &dataplane};
  if (auto s = readListParams(req, params); !s.ok()) {
    return error(req, "Could not retrieve dataplane overviews", s);
  }
  store::ListQuery all{.type = &dataplane, .name_contains = params.name_contains,
                       .labels = params.labels};
  if (!route.mesh.empty()) all.mesh = route.mesh;
  auto listed = deps_.manager.store().list(all);
  if (!listed.ok()) return error(req, "Could not retrieve dataplane overviews", listed.status());
  std::string gateway = req.queryParam("gateway").value_or("");
  std::vector<model::ResourcePtr> matches;
  for (auto& dp : listed->items) {
    if (matchesOverviewFilters(*dp, params.tags, gateway)) matches.push_back(std::move(dp));
  }
  size_t total = matches.size();
  size_t begin = std::min(params.offset, total);
  size_t end = std::min(total, begin + params.limit);
  Json items = Json::array();
  for (size_t i = begin; i < end; ++i) items.push_back(overviewOf(deps_.manager.store(), *matches[i]));
  std::optional<size_t> next;
  if (end < total) next = end;
  return ok(req, 200, Json{{"total", total}, {"items", std::move(items)}, {"next", nextLink(req, next)}});
}

http::Response ApiHandler::overview(const http::Request& req, const Route& route) const {
  auto dp = deps_.manager.store().get(
      {&model::TypeRegistry::instance().dataplane(), route.mesh, route.name});
  if (!dp.ok()) return error(req, "Could not retrieve a dataplane overview", dp.status());
  return ok(req, 200, overviewOf(deps_.manager.store(), **dp));
}

}  // namespace ursa::api
