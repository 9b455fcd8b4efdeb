#include "src/api/router.h"

#include <vector>

#include "src/http/server.h"
#include "ursa/common/strings.h"
#include "ursa/model/codec.h"
#include "ursa/model/registry.h"

namespace ursa::api {
namespace {

using Kind = Route::Kind;

std::vector<std::string> segmentsOf(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  std::vector<std::string> out;
  while (!path.empty()) {
    size_t slash = path.find('/');
    std::string_view seg = path.substr(0, slash);
    if (!seg.empty()) out.push_back(http::percentDecode(seg));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

absl::Status notFound(std::string_view target) {
  return absl::NotFoundError(strCat("no API resource at ", target.substr(0, target.find('?'))));
}

// Names in a path. Reads accept every name the store may hold (names the
// control plane creates, such as "<mesh>.ca-builtin-cert-<backend>", contain
// dots); writes apply Kuma's stricter rules later, in validation. Never
// acceptable: empty, longer than 253, "/" (an encoded one), "." or "..",
// control characters.
absl::Status checkName(std::string_view field, std::string_view name) {
  std::string problem;
  if (name.empty()) {
    problem = "cannot be empty";
  } else if (name.size() > 253) {
    problem = "must be at most 253 characters long";
  } else if (name == "." || name == "..") {
    problem = "must not be \".\" or \"..\"";
  } else {
    for (unsigned char c : name) {
      if (c < 0x20 || c == 0x7f || c == '/' || c == '\\') {
        problem = "invalid characters. Valid characters are numbers, lowercase latin letters and "
                  "'-', '_' symbols.";
        break;
      }
      if (c >= 'A' && c <= 'Z') {
        problem = "invalid characters. Valid characters are numbers, lowercase latin letters and "
                  "'-', '_' symbols.";
        break;
      }
    }
  }
  if (problem.empty()) return absl::OkStatus();
  model::Violations v;
  v.add(model::FieldPath::rootedAt(field), problem);
  return model::invalidArgument(strCat("invalid ", field, " in the path"), v);
}

absl::StatusOr<Route> item(Kind kind, const model::ResourceType* type, std::string mesh,
                           std::string name) {
  URSA_RETURN_IF_ERROR(checkName("name", name));
  return Route{kind, type, std::move(mesh), std::move(name)};
}

// /meshes/{mesh}/{type}/{name}/{what}: the inspection endpoints.
absl::StatusOr<Route> inspection(const model::ResourceType* type, const std::string& mesh,
                                 const std::string& name, const std::string& what,
                                 std::string_view target) {
  if (type == &model::TypeRegistry::instance().dataplane()) {
    if (what == "policies") return item(Kind::DataplanePolicies, type, mesh, name);
    if (what == "rules") return item(Kind::DataplaneRules, type, mesh, name);
    if (what == "xds") return item(Kind::DataplaneXds, type, mesh, name);
  }
  if (type->is_policy && what == "dataplanes") return item(Kind::PolicyDataplanes, type, mesh, name);
  return notFound(target);
}

absl::StatusOr<Route> meshScoped(const std::vector<std::string>& s, std::string_view target) {
  const auto& registry = model::TypeRegistry::instance();
  const std::string& mesh = s[1];
  URSA_RETURN_IF_ERROR(checkName("mesh", mesh));
  if (s.size() == 2) return item(Kind::Item, &registry.mesh(), "", mesh);
  if (s[2] == "dataplanes+insights") {
    if (s.size() == 3) return Route{Kind::OverviewList, nullptr, mesh, ""};
    if (s.size() == 4) return item(Kind::OverviewItem, nullptr, mesh, s[3]);
    return notFound(target);
  }
  if (s[2] == "explain" && s.size() == 4 && s[3] == "traffic") {
    return Route{Kind::ExplainTraffic, nullptr, mesh, ""};
  }
  const model::ResourceType* type = registry.byPath(s[2]);
  if (type == nullptr || type->scope != model::Scope::Mesh) return notFound(target);
  if (s.size() == 5) return inspection(type, mesh, s[3], s[4], target);
  if (s.size() > 4) return notFound(target);
  if (s.size() == 3) return Route{Kind::List, type, mesh, ""};
  return item(Kind::Item, type, mesh, s[3]);
}

}  // namespace

absl::StatusOr<Route> route(std::string_view target) {
  std::vector<std::string> s = segmentsOf(target);
  if (s.empty()) return Route{Kind::Index};
  if (s.size() == 1) {
    if (s[0] == "config") return Route{Kind::Config};
    if (s[0] == "who-am-i") return Route{Kind::WhoAmI};
    if (s[0] == "policies") return Route{Kind::Policies};
    if (s[0] == "global-insights") return Route{Kind::GlobalInsights};
    if (s[0] == "dataplanes+insights") return Route{Kind::OverviewList};
  }
  if (s.size() == 2 && s[0] == "tokens") {
    if (s[1] == "user") return Route{Kind::UserToken};
    if (s[1] == "dataplane") return Route{Kind::DataplaneToken};
    return notFound(target);
  }
  if (s[0] == "meshes" && s.size() >= 2) return meshScoped(s, target);
  const model::ResourceType* type = model::TypeRegistry::instance().byPath(s[0]);
  if (type == nullptr || s.size() > 2) return notFound(target);
  if (s.size() == 1) return Route{Kind::List, type, "", ""};
  if (type->scope == model::Scope::Mesh) return notFound(target);  // /{mesh-scoped}/{name}
  return item(Kind::Item, type, "", s[1]);
}

}  // namespace ursa::api
