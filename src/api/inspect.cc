#include "src/api/inspect.h"

#include <algorithm>

#include "ursa/common/strings.h"
#include "ursa/mesh/v1alpha1/dataplane.pb.h"
#include "ursa/mesh/v1alpha1/mesh.pb.h"
#include "ursa/model/registry.h"

namespace ursa::api {
namespace {

using mesh::v1alpha1::Dataplane;
using policy::PolicyRef;
using policy::Section;

const Dataplane& dataplaneSpec(const model::Resource& r) {
  return static_cast<const Dataplane&>(*r.spec);
}

bool isTargetRefPolicy(const model::ResourceType& t) {
  return t.is_policy && (policy::hasSection(t, Section::To) ||
                         policy::hasSection(t, Section::From) || policy::hasSingleItem(t));
}

std::string serviceOf(const std::map<std::string, std::string>& tags) {
  auto it = tags.find(std::string(policy::kServiceTag));
  return it == tags.end() ? "" : it->second;
}

absl::StatusOr<std::vector<model::ResourcePtr>> listAll(store::ResourceStore& store,
                                                        const model::ResourceType& type,
                                                        const std::string& mesh) {
  URSA_ASSIGN_OR_RETURN(store::ListResult listed, store.list({.type = &type, .mesh = mesh}));
  return std::move(listed.items);
}

void addProvidedServices(const model::Resource& dp, std::set<std::string>& services) {
  for (const auto& inbound : policy::inboundsOf(dp, nullptr)) {
    if (auto s = serviceOf(inbound.tags); !s.empty()) services.insert(s);
  }
  const auto& gw = dataplaneSpec(dp).networking().gateway().tags();
  if (auto it = gw.find(std::string(policy::kServiceTag)); it != gw.end()) {
    services.insert(it->second);
  }
}

// `what` names a targetRef ("to[0].targetRef") of `policy`.
void checkServiceRef(const MeshView& view, const model::Resource& policy,
                     const policy::TargetRefView& ref, const std::string& what,
                     std::vector<std::string>& out) {
  if (ref.kind != "MeshService" && ref.kind != "MeshServiceSubset") return;
  if (view.services.contains(ref.name)) return;
  out.push_back(strCat(policy.type->name, " \"", policy.meta.name, "\": ", what,
                       " names service \"", ref.name,
                       "\", which no Dataplane or ExternalService of mesh \"", policy.meta.mesh,
                       "\" provides"));
}

void checkSection(const MeshView& view, const model::Resource& policy, Section section,
                  std::vector<std::string>& out) {
  if (!policy::hasSection(*policy.type, section)) return;
  auto items = policy::itemsOf(policy, section);
  if (!items.ok()) return;
  const char* name = section == Section::To ? "to" : "from";
  for (size_t i = 0; i < items->size(); ++i) {
    checkServiceRef(view, policy, (*items)[i].target_ref, strCat(name, "[", i, "].targetRef"),
                    out);
  }
}

struct PolicyIndex {
  std::map<PolicyRef, model::ResourcePtr> by_ref;
  explicit PolicyIndex(const MeshView& view) {
    for (const auto& [type, policies] : view.policies) {
      for (const auto& p : policies) {
        by_ref[{std::string(type->name), p->meta.mesh, p->meta.name}] = p;
      }
    }
  }
  std::vector<model::ResourcePtr> resolve(const std::vector<PolicyRef>& refs) const {
    std::vector<model::ResourcePtr> out;
    for (const auto& ref : refs) {
      if (auto it = by_ref.find(ref); it != by_ref.end()) out.push_back(it->second);
    }
    return out;
  }
};

// The distinct origins of `rules`, sorted.
std::vector<PolicyRef> originsOf(const policy::Rules& rules) {
  std::set<PolicyRef> out;
  for (const auto& rule : rules) out.insert(rule.origins.begin(), rule.origins.end());
  return {out.begin(), out.end()};
}

// Adds `policies` to `matched` ({<Type>: [resource...]}), each once.
void addMatched(Json& matched, std::set<PolicyRef>& seen, const std::vector<model::ResourcePtr>& policies) {
  for (const auto& p : policies) {
    PolicyRef ref{std::string(p->type->name), p->meta.mesh, p->meta.name};
    if (!seen.insert(ref).second) continue;
    matched[ref.type].push_back(model::encodeResource(*p));
  }
}

Json attachment(std::string_view type, std::string_view name, std::string_view service) {
  return Json{{"type", std::string(type)}, {"name", std::string(name)},
              {"service", std::string(service)}};
}

std::vector<std::string> warningsOfMatched(const MeshView& view,
                                           const std::vector<DataplaneMatch>& matches) {
  std::vector<std::string> out;
  for (const DataplaneMatch& m : matches) {
    for (const auto& p : m.matched.dataplane_policies) {
      for (auto& w : unknownServiceWarnings(view, *p)) out.push_back(std::move(w));
    }
  }
  return out;
}

std::map<policy::InboundListener, std::string> inboundServices(const model::Resource& dp) {
  std::map<policy::InboundListener, std::string> out;
  for (const auto& inbound : policy::inboundsOf(dp, nullptr)) {
    out[inbound.listener] = serviceOf(inbound.tags);
  }
  return out;
}

Json ruleItem(std::string_view type, std::string_view name, std::string_view service,
              std::string_view policy_type, const policy::Rule& rule) {
  Json item = {{"type", std::string(type)},
               {"name", std::string(name)},
               {"service", std::string(service)},
               {"policyType", std::string(policy_type)}};
  Json r = ruleJson(rule);
  for (auto& [k, v] : r.items()) item[k] = v;
  return item;
}

Json rulesOf(const model::Resource& dp, const std::vector<DataplaneMatch>& matches) {
  auto services = inboundServices(dp);
  Json items = Json::array();
  for (const DataplaneMatch& m : matches) {
    std::string type(m.type->name);
    for (const auto& [listener, rules] : m.matched.from_rules.rules) {
      for (const auto& rule : rules) {
        items.push_back(ruleItem("ClientSubset", listener.toString(), services[listener], type, rule));
      }
    }
    for (const auto& rule : m.matched.to_rules.rules) {
      items.push_back(ruleItem("DestinationSubset", "", "", type, rule));
    }
    for (const auto& rule : m.matched.single_item_rules.rules) {
      items.push_back(ruleItem("SingleItem", "", "", type, rule));
    }
  }
  return items;
}

}  // namespace

bool MeshView::mtlsEnabled() const {
  if (!mesh) return false;
  return !static_cast<const mesh::v1alpha1::Mesh&>(*mesh->spec).mtls().enabledbackend().empty();
}

const std::vector<model::ResourcePtr>& MeshView::policiesOf(std::string_view type_name) const {
  static const std::vector<model::ResourcePtr> kNone;
  for (const auto& [type, list] : policies) {
    if (type->name == type_name) return list;
  }
  return kNone;
}

absl::StatusOr<MeshView> loadMeshView(store::ResourceStore& store, const std::string& mesh) {
  const auto& registry = model::TypeRegistry::instance();
  MeshView view;
  URSA_ASSIGN_OR_RETURN(view.mesh, store.get({&registry.mesh(), "", mesh}));
  URSA_ASSIGN_OR_RETURN(view.dataplanes, listAll(store, registry.dataplane(), mesh));
  for (const auto& dp : view.dataplanes) addProvidedServices(*dp, view.services);
  if (const auto* es = registry.byName("ExternalService")) {
    URSA_ASSIGN_OR_RETURN(auto externals, listAll(store, *es, mesh));
    for (const auto& e : externals) {
      if (e->type->tags == nullptr) continue;
      for (const auto& tags : e->type->tags(*e->spec)) {
        if (auto s = serviceOf(tags); !s.empty()) view.services.insert(s);
      }
    }
  }
  for (const model::ResourceType* t : registry.all()) {
    if (!isTargetRefPolicy(*t)) continue;
    URSA_ASSIGN_OR_RETURN(auto policies, listAll(store, *t, mesh));
    view.policies.emplace_back(t, std::move(policies));
  }
  return view;
}

absl::StatusOr<std::vector<DataplaneMatch>> matchAllTypes(const MeshView& view,
                                                          const model::Resource& dataplane) {
  std::vector<DataplaneMatch> out;
  for (const auto& [type, policies] : view.policies) {
    if (policies.empty()) continue;
    auto matched = policy::matchDataplane(dataplane, policies);
    if (!matched.ok()) {
      return absl::Status(matched.status().code(),
                          strCat(type->name, ": ", fromAbsl(matched.status().message())));
    }
    if (matched->dataplane_policies.empty()) continue;
    out.push_back({type, std::move(*matched)});
  }
  return out;
}

std::vector<std::string> outboundServices(const MeshView& view, const model::Resource& dataplane) {
  const auto& net = dataplaneSpec(dataplane).networking();
  std::set<std::string> out;
  for (const auto& o : net.outbound()) {
    auto it = o.tags().find(std::string(policy::kServiceTag));
    out.insert(it != o.tags().end() ? it->second : o.service());
  }
  if (net.has_transparent_proxying()) {
    const auto& reachable = net.transparent_proxying().reachable_services();
    if (reachable.empty()) {
      out.insert(view.services.begin(), view.services.end());
    } else {
      out.insert(reachable.begin(), reachable.end());
    }
  }
  std::set<std::string> own;
  addProvidedServices(dataplane, own);
  std::vector<std::string> result;
  for (const auto& s : out) {
    if (!s.empty() && !own.contains(s)) result.push_back(s);
  }
  return result;
}

std::vector<std::string> unknownServiceWarnings(const MeshView& view,
                                                const model::Resource& policy) {
  std::vector<std::string> out;
  if (auto top = policy::topTargetRef(policy); top.ok()) {
    checkServiceRef(view, policy, *top, "targetRef", out);
  }
  checkSection(view, policy, Section::From, out);
  checkSection(view, policy, Section::To, out);
  return out;
}

Json subsetJson(const policy::Subset& subset) {
  Json out = Json::array();
  for (const auto& tag : subset) {
    out.push_back({{"key", tag.key}, {"value", tag.value}, {"not", tag.negated}});
  }
  return out;
}

Json originsJson(const std::vector<PolicyRef>& origins) {
  Json out = Json::array();
  for (const auto& o : origins) out.push_back({{"type", o.type}, {"mesh", o.mesh}, {"name", o.name}});
  return out;
}

Json ruleJson(const policy::Rule& rule) {
  return Json{{"subset", subsetJson(rule.subset)},
              {"conf", rule.conf.is_null() ? Json::object() : rule.conf},
              {"origins", originsJson(rule.origins)}};
}

absl::StatusOr<Json> dataplanePolicies(const MeshView& view, const model::Resource& dataplane) {
  URSA_ASSIGN_OR_RETURN(auto matches, matchAllTypes(view, dataplane));
  PolicyIndex index(view);
  Json items = Json::array();

  Json all = Json::object();
  std::set<PolicyRef> seen;
  for (const auto& m : matches) addMatched(all, seen, m.matched.dataplane_policies);
  Json dp_item = attachment("dataplane", dataplane.meta.name, "");
  dp_item["matchedPolicies"] = std::move(all);
  items.push_back(std::move(dp_item));

  for (const auto& inbound : policy::inboundsOf(dataplane, nullptr)) {
    Json matched = Json::object();
    std::set<PolicyRef> seen_here;
    for (const auto& m : matches) {
      auto it = m.matched.from_rules.rules.find(inbound.listener);
      if (it == m.matched.from_rules.rules.end()) continue;
      addMatched(matched, seen_here, index.resolve(originsOf(it->second)));
    }
    Json item = attachment("inbound", inbound.listener.toString(), serviceOf(inbound.tags));
    item["matchedPolicies"] = std::move(matched);
    items.push_back(std::move(item));
  }

  for (const auto& service : outboundServices(view, dataplane)) {
    Json matched = Json::object();
    std::set<PolicyRef> seen_here;
    for (const auto& m : matches) {
      const policy::Rule* rule = m.matched.to_rules.forService(service);
      if (rule == nullptr) continue;
      addMatched(matched, seen_here, index.resolve(rule->origins));
    }
    Json item = attachment("service", service, service);
    item["matchedPolicies"] = std::move(matched);
    items.push_back(std::move(item));
  }
  size_t total = items.size();
  return Json{{"kind", "SidecarDataplane"},
              {"total", total},
              {"items", std::move(items)},
              {"rules", rulesOf(dataplane, matches)},
              {"warnings", warningsOfMatched(view, matches)}};
}

absl::StatusOr<Json> dataplaneRules(const MeshView& view, const model::Resource& dataplane) {
  URSA_ASSIGN_OR_RETURN(auto matches, matchAllTypes(view, dataplane));
  Json items = rulesOf(dataplane, matches);
  size_t total = items.size();
  return Json{{"total", total},
              {"items", std::move(items)},
              {"warnings", warningsOfMatched(view, matches)}};
}

absl::StatusOr<Json> policyDataplanes(const MeshView& view, const model::Resource& policy) {
  PolicyRef self{std::string(policy.type->name), policy.meta.mesh, policy.meta.name};
  std::vector<model::ResourcePtr> just_this = {std::make_shared<model::Resource>(policy)};
  Json items = Json::array();
  for (const auto& dp : view.dataplanes) {
    URSA_ASSIGN_OR_RETURN(policy::MatchedPolicies m, policy::matchDataplane(*dp, just_this));
    if (m.dataplane_policies.empty()) continue;
    Json attachments = Json::array();
    auto services = inboundServices(*dp);
    for (const auto& [listener, rules] : m.from_rules.rules) {
      auto origins = originsOf(rules);
      if (std::ranges::find(origins, self) != origins.end()) {
        attachments.push_back(attachment("inbound", listener.toString(), services[listener]));
      }
    }
    for (const auto& service : outboundServices(view, *dp)) {
      const policy::Rule* rule = m.to_rules.forService(service);
      if (rule != nullptr && std::ranges::find(rule->origins, self) != rule->origins.end()) {
        attachments.push_back(attachment("service", service, service));
      }
    }
    if (attachments.empty()) attachments.push_back(attachment("dataplane", dp->meta.name, ""));
    items.push_back({{"kind", "SidecarDataplane"},
                     {"dataplane", {{"mesh", dp->meta.mesh}, {"name", dp->meta.name}}},
                     {"attachments", std::move(attachments)}});
  }
  size_t total = items.size();
  return Json{{"total", total},
              {"items", std::move(items)},
              {"warnings", unknownServiceWarnings(view, policy)}};
}

}  // namespace ursa::api
