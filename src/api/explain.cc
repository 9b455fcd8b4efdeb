#include "src/api/explain.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "ursa/common/strings.h"
#include "ursa/mesh/v1alpha1/dataplane.pb.h"
#include "ursa/model/registry.h"
#include "ursa/model/validation.h"

namespace ursa::api {
namespace {

using policy::Section;

struct Aspect {
  const char* key;   // field of the answer
  const char* type;  // policy type
};

// Read on the destination's inbound (from-rules), besides MeshTrafficPermission.
constexpr Aspect kInboundAspects[] = {
    {"faultInjection", "MeshFaultInjection"},
    {"rateLimit", "MeshRateLimit"},
    {"timeout", "MeshTimeout"},
};
// Read on the source's outbound (to-rules).
constexpr Aspect kOutboundAspects[] = {
    {"timeout", "MeshTimeout"},
    {"retry", "MeshRetry"},
    {"httpRoute", "MeshHTTPRoute"},
    {"tcpRoute", "MeshTCPRoute"},
    {"circuitBreaker", "MeshCircuitBreaker"},
    {"loadBalancing", "MeshLoadBalancingStrategy"},
    {"healthCheck", "MeshHealthCheck"},
};

std::string serviceOf(const std::map<std::string, std::string>& tags) {
  auto it = tags.find(std::string(policy::kServiceTag));
  return it == tags.end() ? "" : it->second;
}

// The items of `policies` (in merge order) that apply to `rule`: those whose
// subset describes the rule's, as buildRules merged them. The last decides.
Json contributors(const std::vector<model::ResourcePtr>& policies, Section section,
                  const policy::Rule& rule) {
  Json out = Json::array();
  const char* name = section == Section::To ? "to" : "from";
  for (const auto& p : policies) {
    auto items = policy::itemsOf(*p, section);
    if (!items.ok()) continue;
    for (size_t i = 0; i < items->size(); ++i) {
      auto subset = policy::subsetOf((*items)[i].target_ref);
      if (!subset.ok() || !policy::isSubset(*subset, rule.subset)) continue;
      out.push_back({{"type", std::string(p->type->name)}, {"name", p->meta.name},
                     {"item", strCat(name, "[", i, "]")}});
    }
  }
  return out;
}

// {policyType, rule: {subset, conf, origins}, contributors, decidedBy}; null
// when no rule applies.
Json aspectJson(std::string_view type, const policy::Rule* rule,
                const std::vector<model::ResourcePtr>& policies, Section section) {
  if (rule == nullptr) return nullptr;
  Json contributed = contributors(policies, section, *rule);
  Json decided = contributed.empty() ? Json(nullptr) : contributed.back();
  return Json{{"policyType", std::string(type)},
              {"rule", ruleJson(*rule)},
              {"contributors", std::move(contributed)},
              {"decidedBy", std::move(decided)}};
}

const DataplaneMatch* findMatch(const std::vector<DataplaneMatch>& matches, std::string_view type) {
  for (const auto& m : matches) {
    if (m.type->name == type) return &m;
  }
  return nullptr;
}

const policy::Rule* fromRule(const DataplaneMatch* m, const policy::InboundListener& listener,
                             const policy::Subset& client) {
  if (m == nullptr) return nullptr;
  auto it = m->matched.from_rules.rules.find(listener);
  return it == m->matched.from_rules.rules.end() ? nullptr : policy::computeRule(it->second, client);
}

const std::vector<model::ResourcePtr>& inboundPolicies(const DataplaneMatch* m,
                                                       const policy::InboundListener& listener) {
  static const std::vector<model::ResourcePtr> kNone;
  if (m == nullptr) return kNone;
  auto it = m->matched.by_inbound.find(listener);
  return it == m->matched.by_inbound.end() ? kNone : it->second;
}

Json permissionJson(const DataplaneMatch* mtp, const policy::InboundListener& listener,
                    const policy::Subset& client, bool mtls) {
  const policy::Rule* rule = fromRule(mtp, listener, client);
  Json out = aspectJson("MeshTrafficPermission", rule, inboundPolicies(mtp, listener),
                        Section::From);
  if (out.is_null()) out = Json{{"policyType", "MeshTrafficPermission"}, {"rule", nullptr}};
  std::string action = rule != nullptr && rule->conf.contains("action")
                           ? rule->conf["action"].get<std::string>() : "";
  out["action"] = action.empty() ? Json(nullptr) : Json(action);
  if (!mtls) {
    out["decision"] = "allowed";
    out["reason"] = "mTLS off: MeshTrafficPermission is not enforced";
  } else if (rule == nullptr) {
    out["decision"] = "denied";
    out["reason"] = "mTLS on and no MeshTrafficPermission rule covers this client: denied by default";
  } else if (action == "Deny") {
    out["decision"] = "denied";
    out["reason"] = "denied by MeshTrafficPermission";
  } else {
    out["decision"] = "allowed";
    out["reason"] = "allowed by MeshTrafficPermission";
  }
  return out;
}

absl::StatusOr<Json> destinationJson(const MeshView& view, const model::Resource& dp,
                                     const policy::InboundTags& inbound,
                                     const policy::Subset& client) {
  URSA_ASSIGN_OR_RETURN(auto matches, matchAllTypes(view, dp));
  Json out = {{"dataplane", dp.meta.name}, {"inbound", inbound.listener.toString()}};
  out["trafficPermission"] = permissionJson(findMatch(matches, "MeshTrafficPermission"),
                                            inbound.listener, client, view.mtlsEnabled());
  for (const Aspect& a : kInboundAspects) {
    const DataplaneMatch* m = findMatch(matches, a.type);
    out[a.key] = aspectJson(a.type, fromRule(m, inbound.listener, client),
                            inboundPolicies(m, inbound.listener), Section::From);
  }
  return out;
}

absl::StatusOr<Json> sourceJson(const MeshView& view, const model::Resource& dp, bool synthetic,
                                const std::string& to_service) {
  URSA_ASSIGN_OR_RETURN(auto matches, matchAllTypes(view, dp));
  Json out = {{"dataplane", synthetic ? Json(nullptr) : Json(dp.meta.name)}};
  for (const Aspect& a : kOutboundAspects) {
    const DataplaneMatch* m = findMatch(matches, a.type);
    const policy::Rule* rule = m == nullptr ? nullptr : m->matched.to_rules.forService(to_service);
    out[a.key] = aspectJson(a.type, rule, m == nullptr ? std::vector<model::ResourcePtr>{}
                                                       : m->matched.dataplane_policies,
                            Section::To);
  }
  return out;
}

// A Dataplane with one inbound carrying exactly `tags`, for a client no
// Dataplane of the mesh stands for.
model::ResourcePtr syntheticClient(const MeshView& view, const std::map<std::string, std::string>& tags) {
  auto spec = std::make_shared<mesh::v1alpha1::Dataplane>();
  spec->mutable_networking()->set_address("127.0.0.1");
  auto* inbound = spec->mutable_networking()->add_inbound();
  inbound->set_port(1);
  for (const auto& [k, v] : tags) (*inbound->mutable_tags())[k] = v;
  auto r = std::make_shared<model::Resource>();
  r->type = &model::TypeRegistry::instance().dataplane();
  r->meta.mesh = view.mesh->meta.name;
  r->meta.name = "(client)";
  r->spec = std::move(spec);
  return r;
}

bool isSource(const model::Resource& dp, const std::map<std::string, std::string>& from_tags) {
  for (const auto& inbound : policy::inboundsOf(dp, nullptr)) {
    if (policy::selectorMatches(from_tags, inbound.tags)) return true;
  }
  return false;
}

// "allowed" / "denied" when every destination agrees, else "mixed"; notes
// say which instance decided what.
std::string overallDecision(const Json& destinations, Json& notes) {
  std::map<std::string, std::vector<std::string>> by_decision;
  for (const Json& d : destinations) {
    by_decision[d["trafficPermission"]["decision"].get<std::string>()].push_back(
        strCat(d["dataplane"].get<std::string>(), " (", d["inbound"].get<std::string>(), ")"));
  }
  if (by_decision.empty()) return "unknown";
  if (by_decision.size() == 1) return by_decision.begin()->first;
  std::vector<std::string> parts;
  for (const auto& [decision, where] : by_decision) {
    parts.push_back(strCat(decision, " on ", strJoin(where, ", ")));
  }
  notes.push_back(strCat("destination instances disagree: ", strJoin(parts, "; ")));
  return "mixed";
}

}  // namespace

absl::StatusOr<TrafficQuery> parseTrafficQuery(std::string_view from, std::string_view to) {
  TrafficQuery q;
  model::Violations v;
  std::vector<std::string> parts = absl::StrSplit(toAbsl(from), ',');
  if (parts.empty() || parts[0].empty() || parts[0].find('=') != std::string::npos) {
    v.add(model::FieldPath::rootedAt("from"), "must start with a service name: SERVICE[,key=value...]");
  } else {
    q.from_tags[std::string(policy::kServiceTag)] = parts[0];
    for (size_t i = 1; i < parts.size(); ++i) {
      size_t eq = parts[i].find('=');
      if (eq == std::string::npos || eq == 0) {
        v.add(model::FieldPath::rootedAt("from"), strCat("\"", parts[i], "\" is not key=value"));
        continue;
      }
      q.from_tags[parts[i].substr(0, eq)] = parts[i].substr(eq + 1);
    }
  }
  std::string_view service = to;
  if (size_t colon = to.rfind(':'); colon != std::string_view::npos) {
    uint32_t port = 0;
    if (!absl::SimpleAtoi(toAbsl(to.substr(colon + 1)), &port) || port == 0 || port > 65535) {
      v.add(model::FieldPath::rootedAt("to"), "port must be a number from 1 to 65535");
    }
    q.to_port = port;
    service = to.substr(0, colon);
  }
  if (service.empty()) v.add(model::FieldPath::rootedAt("to"), "must be SERVICE[:port]");
  q.to_service = std::string(service);
  if (!v.empty()) return model::invalidArgument("invalid traffic query", v);
  return q;
}

absl::StatusOr<Json> explainTraffic(const MeshView& view, const TrafficQuery& q) {
  Json warnings = Json::array();
  Json notes = Json::array();
  std::string from_service = serviceOf(q.from_tags);
  for (const std::string& s : {from_service, q.to_service}) {
    if (!view.services.contains(s)) {
      warnings.push_back(strCat("service \"", s, "\" is not provided by any Dataplane or ",
                                "ExternalService of mesh \"", view.mesh->meta.name, "\""));
    }
  }
  policy::Subset client = policy::subsetFromTags(q.from_tags);
  Json destinations = Json::array();
  for (const auto& dp : view.dataplanes) {
    for (const auto& inbound : policy::inboundsOf(*dp, nullptr)) {
      if (serviceOf(inbound.tags) != q.to_service) continue;
      if (q.to_port && inbound.listener.port != *q.to_port) continue;
      URSA_ASSIGN_OR_RETURN(Json d, destinationJson(view, *dp, inbound, client));
      destinations.push_back(std::move(d));
    }
  }
  if (destinations.empty()) {
    notes.push_back(strCat("no Dataplane inbound serves \"", q.to_service, "\"",
                           q.to_port ? strCat(" on port ", *q.to_port) : std::string(),
                           ": nothing to decide on the destination side"));
  }
  Json sources = Json::array();
  for (const auto& dp : view.dataplanes) {
    if (!isSource(*dp, q.from_tags)) continue;
    URSA_ASSIGN_OR_RETURN(Json s, sourceJson(view, *dp, false, q.to_service));
    sources.push_back(std::move(s));
  }
  if (sources.empty()) {
    notes.push_back("no Dataplane carries the `from` tags: the source side is computed for a "
                    "proxy with exactly those tags");
    URSA_ASSIGN_OR_RETURN(Json s, sourceJson(view, *syntheticClient(view, q.from_tags), true,
                                             q.to_service));
    sources.push_back(std::move(s));
  }
  std::string decision = overallDecision(destinations, notes);
  return Json{{"mesh", view.mesh->meta.name},
              {"from", {{"tags", q.from_tags}}},
              {"to", {{"service", q.to_service},
                      {"port", q.to_port ? Json(*q.to_port) : Json(nullptr)}}},
              {"mtls", view.mtlsEnabled()},
              {"decision", decision},
              {"destinations", std::move(destinations)},
              {"sources", std::move(sources)},
              {"notes", std::move(notes)},
              {"warnings", std::move(warnings)}};
}

}  // namespace ursa::api
