// MeshHTTPRoute and MeshTCPRoute -> routes and backend clusters (Kuma 2.2's
// meshhttproute plugin and 2.3's meshtcproute), for Envoy and, reduced, for
// proxyless gRPC clients.

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "src/xds/generator/translate/translate.h"
#include "ursa/common/strings.h"

namespace ursa::xds::gen::translate {

namespace {

using envoy::config::route::v3::RedirectAction;
using envoy::config::route::v3::Route;
using envoy::config::route::v3::RouteAction;
using envoy::config::route::v3::RouteMatch;
using Mhr = ursa::policies::meshhttproute::v1alpha1::MeshHTTPRoute;

// Kuma 2.2 writes "Prefix"; 2.3 renamed it "PathPrefix". Both are read.
bool isPrefix(const std::string& type) { return type == "Prefix" || type == "PathPrefix"; }

// Sort key of a match, most specific first (Kuma's ordering of routes).
struct Specificity {
  int path_rank;       // Exact 0, Prefix 1, RegularExpression 2, none 3
  int prefix_length;   // longer first
  int method;          // with a method first
  int headers;         // more first
  int query;           // more first
  auto key() const {
    return std::tuple(path_rank, -prefix_length, -method, -headers, -query);
  }
};

Specificity specificityOf(const Mhr::Match& m) {
  int rank = 3, length = 0;
  if (m.has_path()) {
    const auto& type = m.path().type();
    rank = type == "Exact" ? 0 : isPrefix(type) ? 1 : 2;
    length = static_cast<int>(m.path().value().size());
  }
  return {rank, length, m.has_method() ? 1 : 0, m.headers_size(), m.query_params_size()};
}

// True for a match that every request satisfies.
bool matchesEverything(const Mhr::Match& m) {
  bool root = !m.has_path() || (isPrefix(m.path().type()) && m.path().value() == "/");
  return root && !m.has_method() && m.headers_size() == 0 && m.query_params_size() == 0;
}

// The RouteMatches of one Kuma match: two for a Prefix other than "/"
// (Kuma's segment semantics: "/v1" matches "/v1" and "/v1/...").
std::vector<RouteMatch> routeMatches(const Mhr::Match& m, bool proxyless, const Warn& warn) {
  RouteMatch base;
  for (const auto& h : m.headers()) setHeaderMatcher(base.add_headers(), h);
  if (m.has_method()) {
    if (proxyless) {
      warn("MeshHTTPRoute matches.method: gRPC calls are all POST; ignored");
    } else {
      auto* method = base.add_headers();
      method->set_name(":method");
      method->mutable_string_match()->set_exact(m.method());
    }
  }
  for (const auto& q : m.query_params()) {
    if (proxyless) {
      warn("MeshHTTPRoute matches.queryParams: not supported by gRPC xDS clients; ignored");
      continue;
    }
    auto* param = base.add_query_parameters();
    param->set_name(q.name());
    if (q.type() == "RegularExpression") {
      param->mutable_string_match()->mutable_safe_regex()->set_regex(q.value());
    } else {
      param->mutable_string_match()->set_exact(q.value());
    }
  }
  if (!m.has_path()) {
    base.set_prefix(proxyless ? "" : "/");
    return {base};
  }
  const std::string& value = m.path().value();
  const std::string& type = m.path().type();
  if (type == "Exact") {
    base.set_path(value);
  } else if (type == "RegularExpression") {
    base.mutable_safe_regex()->set_regex(value);
  } else if (value == "/") {
    base.set_prefix("/");
  } else {
    RouteMatch exact = base;
    exact.set_path(value);
    base.set_prefix(strCat(value, "/"));
    return {exact, base};
  }
  return {base};
}

void addHeaderModifier(const ursa::common::v1alpha1::HeaderModifier& mod,
                       google::protobuf::RepeatedPtrField<envoy::config::core::v3::HeaderValueOption>* add,
                       google::protobuf::RepeatedPtrField<std::string>* remove) {
  using envoy::config::core::v3::HeaderValueOption;
  for (const auto& h : mod.set()) {
    auto* o = add->Add();
    o->mutable_header()->set_key(h.name());
    o->mutable_header()->set_value(h.value());
    o->set_append_action(HeaderValueOption::OVERWRITE_IF_EXISTS_OR_ADD);
  }
  for (const auto& h : mod.add()) {
    auto* o = add->Add();
    o->mutable_header()->set_key(h.name());
    o->mutable_header()->set_value(h.value());
    o->set_append_action(HeaderValueOption::APPEND_IF_EXISTS_OR_ADD);
  }
  for (const auto& name : mod.remove()) *remove->Add() = name;
}

RedirectAction::RedirectResponseCode redirectCode(int32_t status) {
  switch (status) {
    case 301: return RedirectAction::MOVED_PERMANENTLY;
    case 303: return RedirectAction::SEE_OTHER;
    case 307: return RedirectAction::TEMPORARY_REDIRECT;
    case 308: return RedirectAction::PERMANENT_REDIRECT;
    default: return RedirectAction::FOUND;  // 302, Kuma's default
  }
}

void setRedirect(Route& route, const Mhr::RequestRedirect& r) {
  auto* redirect = route.mutable_redirect();
  if (r.has_scheme()) redirect->set_scheme_redirect(r.scheme());
  if (r.has_hostname()) redirect->set_host_redirect(r.hostname());
  if (r.has_port()) redirect->set_port_redirect(static_cast<uint32_t>(r.port()));
  if (r.path().has_replace_full_path()) redirect->set_path_redirect(r.path().replace_full_path());
  if (r.path().has_replace_prefix_match()) {
    redirect->set_prefix_rewrite(r.path().replace_prefix_match());
  }
  redirect->set_response_code(redirectCode(r.has_status_code() ? r.status_code() : 302));
}

void setRewrite(RouteAction& action, const Mhr::URLRewrite& r) {
  if (r.has_hostname()) action.set_host_rewrite_literal(r.hostname());
  if (r.path().has_replace_prefix_match()) action.set_prefix_rewrite(r.path().replace_prefix_match());
  if (r.path().has_replace_full_path()) {
    auto* rewrite = action.mutable_regex_rewrite();
    rewrite->mutable_pattern()->set_regex(".*");
    rewrite->set_substitution(r.path().replace_full_path());
  }
}

// Sets the action's cluster(s) from `refs` (none: the service itself).
void setBackends(RouteAction& action, const google::protobuf::RepeatedPtrField<Mhr::BackendRef>& refs,
                 const std::string& service, Routes& out) {
  std::vector<std::pair<BackendCluster, uint32_t>> backends;
  for (const auto& ref : refs) {
    std::map<std::string, std::string> tags;
    if (ref.kind() == "MeshServiceSubset") tags.insert(ref.tags().begin(), ref.tags().end());
    backends.emplace_back(backendCluster(ref.name(), tags), ref.has_weight() ? ref.weight() : 1);
  }
  if (backends.empty()) backends.emplace_back(backendCluster(service, {}), 1);
  for (const auto& [cluster, _] : backends) out.clusters.push_back(cluster);
  if (backends.size() == 1) {
    action.set_cluster(backends.front().first.name);
    return;
  }
  for (const auto& [cluster, weight] : backends) {
    auto* c = action.mutable_weighted_clusters()->add_clusters();
    c->set_name(cluster.name);
    c->mutable_weight()->set_value(weight);
  }
}

// The routes of one rule for one of its matches.
void addRuleRoutes(const Mhr::Rule& rule, const Mhr::Match& match, const std::string& service,
                   bool proxyless, const Warn& warn, Routes& out) {
  Route route;
  const Mhr::RequestRedirect* redirect = nullptr;
  for (const auto& f : rule.default_().filters()) {
    if (proxyless) {
      warn(strCat("MeshHTTPRoute filter ", f.type(), ": not supported by gRPC xDS clients; ignored"));
    } else if (f.type() == "RequestHeaderModifier") {
      addHeaderModifier(f.request_header_modifier(), route.mutable_request_headers_to_add(),
                        route.mutable_request_headers_to_remove());
    } else if (f.type() == "ResponseHeaderModifier") {
      addHeaderModifier(f.response_header_modifier(), route.mutable_response_headers_to_add(),
                        route.mutable_response_headers_to_remove());
    } else if (f.type() == "RequestRedirect") {
      redirect = &f.request_redirect();
    }
  }
  if (redirect != nullptr) {
    setRedirect(route, *redirect);
  } else {
    RouteAction* action = route.mutable_route();
    setBackends(*action, rule.default_().backend_refs(), service, out);
    for (const auto& f : rule.default_().filters()) {
      if (proxyless) break;
      if (f.type() == "URLRewrite") setRewrite(*action, f.url_rewrite());
      if (f.type() == "RequestMirror") {
        const auto& ref = f.request_mirror().backend_ref();
        std::map<std::string, std::string> tags(ref.tags().begin(), ref.tags().end());
        BackendCluster mirror = backendCluster(ref.name(), ref.kind() == "MeshServiceSubset"
                                                               ? tags
                                                               : std::map<std::string, std::string>{});
        out.clusters.push_back(mirror);
        auto* policy = action->add_request_mirror_policies();
        policy->set_cluster(mirror.name);
        const auto& p = f.request_mirror().percentage();
        if (p.value_case() != ursa::common::v1alpha1::IntOrString::VALUE_NOT_SET) {
          auto* fraction = policy->mutable_runtime_fraction()->mutable_default_value();
          if (p.has_int_value()) {
            fraction->set_numerator(static_cast<uint32_t>(p.int_value()));
          } else {
            fraction->set_numerator(
                static_cast<uint32_t>(std::llround(std::strtod(p.string_value().c_str(), nullptr) * 100)));
            fraction->set_denominator(envoy::type::v3::FractionalPercent::TEN_THOUSAND);
          }
        }
      }
    }
  }
  for (auto& m : routeMatches(match, proxyless, warn)) {
    Route r = route;
    *r.mutable_match() = std::move(m);
    out.routes.push_back(std::move(r));
  }
}

}  // namespace

BackendCluster backendCluster(const std::string& service,
                              const std::map<std::string, std::string>& tags) {
  BackendCluster c{service, service, tags};
  if (tags.empty()) return c;
  std::vector<std::string> parts;
  for (const auto& [k, v] : tags) parts.push_back(strCat(k, "=", v));
  c.name = strCat(service, "-_", strJoin(parts, ","), "_");
  return c;
}

Routes httpRoutes(const Mhr::To& conf, const std::string& service, bool proxyless,
                  const Warn& warn) {
  // (rule, match) pairs, most specific match first; stable for equal keys.
  std::vector<std::pair<const Mhr::Rule*, Mhr::Match>> pairs;
  bool catch_all = false;
  for (const auto& rule : conf.rules()) {
    if (rule.matches().empty()) {
      pairs.emplace_back(&rule, Mhr::Match());
      catch_all = true;
      continue;
    }
    for (const auto& m : rule.matches()) {
      pairs.emplace_back(&rule, m);
      catch_all = catch_all || matchesEverything(m);
    }
  }
  std::stable_sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) {
    return specificityOf(a.second).key() < specificityOf(b.second).key();
  });
  Routes out;
  for (const auto& [rule, match] : pairs) addRuleRoutes(*rule, match, service, proxyless, warn, out);
  if (!catch_all) {
    Route route;
    route.mutable_match()->set_prefix(proxyless ? "" : "/");
    route.mutable_route()->set_cluster(service);
    out.routes.push_back(std::move(route));
    out.clusters.push_back(backendCluster(service, {}));
  }
  std::sort(out.clusters.begin(), out.clusters.end());
  out.clusters.erase(std::unique(out.clusters.begin(), out.clusters.end()), out.clusters.end());
  return out;
}

std::vector<std::pair<BackendCluster, uint32_t>> tcpBackends(
    const ursa::policies::meshtcproute::v1alpha1::MeshTCPRoute::Rule& rule,
    const std::string& service) {
  std::vector<std::pair<BackendCluster, uint32_t>> out;
  for (const auto& ref : rule.default_().backend_refs()) {
    std::map<std::string, std::string> tags;
    if (ref.kind() == "MeshServiceSubset") tags.insert(ref.tags().begin(), ref.tags().end());
    out.emplace_back(backendCluster(ref.name(), tags), ref.has_weight() ? ref.weight() : 1);
  }
  if (out.empty()) out.emplace_back(backendCluster(service, {}), 1);
  return out;
}

}  // namespace ursa::xds::gen::translate
