// Which policies select a Dataplane or a zone egress's ExternalService, and
// their from / to / single-item rules (Kuma 2.2 pkg/plugins/policies/matchers,
// restated; see docs/policies.md).

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ursa/common/strings.h"
#include "ursa/mesh/v1alpha1/dataplane.pb.h"
#include "ursa/mesh/v1alpha1/external_service.pb.h"
#include "ursa/policy/matching.h"

namespace ursa::policy {
namespace {

using mesh::v1alpha1::Dataplane;
using mesh::v1alpha1::ExternalService;
using TagMap = std::map<std::string, std::string>;

TagMap tagsOf(const google::protobuf::Map<std::string, std::string>& m) {
  return TagMap(m.begin(), m.end());
}

// Later maps override earlier ones key by key.
TagMap overlay(std::initializer_list<const TagMap*> layers) {
  TagMap out;
  for (const TagMap* layer : layers) {
    for (const auto& [k, v] : *layer) out[k] = v;
  }
  return out;
}

// The tag selector a top-level targetRef stands for; nullopt when the kind
// selects no proxy (MeshGatewayRoute in 2.2).
std::optional<TagMap> selectorOf(const TargetRefView& ref) {
  if (ref.kind == "Mesh") return TagMap{};
  if (ref.kind == "MeshSubset") return ref.tags;
  if (ref.kind == "MeshService") return TagMap{{std::string(kServiceTag), ref.name}};
  if (ref.kind == "MeshServiceSubset") {  // a kuma.io/service in `tags` wins, as in Kuma
    TagMap sel{{std::string(kServiceTag), ref.name}};
    for (const auto& [k, v] : ref.tags) sel[k] = v;
    return sel;
  }
  return std::nullopt;
}

const Dataplane& dataplaneSpec(const model::Resource& r) {
  return static_cast<const Dataplane&>(*r.spec);
}

// Kuma's TagSelectorRank, compared by total matched tags, then exact ones.
struct SelectorRank {
  int exact = 0;
  int wildcard = 0;
  int compare(const SelectorRank& o) const {
    int total = exact + wildcard, other_total = o.exact + o.wildcard;
    if (total != other_total) return total < other_total ? -1 : 1;
    return exact == o.exact ? 0 : (exact < o.exact ? -1 : 1);
  }
};

SelectorRank rankOf(const TagMap& selector) {
  SelectorRank r;
  for (const auto& [k, v] : selector) (v == "*" ? r.wildcard : r.exact)++;
  return r;
}

// Kuma's Dataplane.Matches: the selector matches any inbound's tags or the
// gateway tags.
bool dataplaneMatches(const Dataplane& dp, const TagMap& selector) {
  for (const auto& inbound : dp.networking().inbound()) {
    if (selectorMatches(selector, tagsOf(inbound.tags()))) return true;
  }
  return selectorMatches(selector, tagsOf(dp.networking().gateway().tags()));
}

absl::StatusOr<Rules> rulesOfSection(const std::vector<model::ResourcePtr>& policies,
                                     Section section) {
  std::vector<PolicyItem> items;
  for (const model::ResourcePtr& p : policies) {
    URSA_ASSIGN_OR_RETURN(std::vector<PolicyItem> more, itemsOf(*p, section));
    for (PolicyItem& item : more) items.push_back(std::move(item));
  }
  return buildRules(items);
}

absl::StatusOr<Rules> singleItemRules(const std::vector<model::ResourcePtr>& policies) {
  std::vector<PolicyItem> items;
  for (const model::ResourcePtr& p : policies) {
    URSA_ASSIGN_OR_RETURN(PolicyItem item, singleItemOf(*p));
    items.push_back(std::move(item));
  }
  return buildRules(items);
}

absl::Status buildDataplaneRules(MatchedPolicies& m, const model::ResourceType& type) {
  if (hasSection(type, Section::From)) {
    for (const auto& [listener, policies] : m.by_inbound) {
      URSA_ASSIGN_OR_RETURN(m.from_rules.rules[listener], rulesOfSection(policies, Section::From));
    }
  }
  if (hasSection(type, Section::To)) {
    URSA_ASSIGN_OR_RETURN(m.to_rules.rules, rulesOfSection(m.dataplane_policies, Section::To));
  }
  if (hasSingleItem(type)) {
    URSA_ASSIGN_OR_RETURN(m.single_item_rules.rules, singleItemRules(m.dataplane_policies));
  }
  return absl::OkStatus();
}

bool externalServiceSelected(const TargetRefView& ref, const TagMap& es_tags) {
  auto service = es_tags.find(std::string(kServiceTag));
  bool same_service = service != es_tags.end() && service->second == ref.name;
  if (ref.kind == "Mesh") return true;
  if (ref.kind == "MeshSubset") return selectorMatches(ref.tags, es_tags);
  if (ref.kind == "MeshService") return same_service;
  if (ref.kind == "MeshServiceSubset") return same_service && selectorMatches(ref.tags, es_tags);
  return false;
}

// Egress, policies with `to`: each `to` item selecting the service becomes an
// item for the policy's clients (its top-level targetRef).
absl::StatusOr<Rules> egressToRules(const std::vector<model::ResourcePtr>& policies,
                                    const TagMap& es_tags) {
  std::vector<model::ResourcePtr> matched;
  for (const model::ResourcePtr& p : policies) {
    URSA_ASSIGN_OR_RETURN(std::vector<PolicyItem> to, itemsOf(*p, Section::To));
    for (const PolicyItem& item : to) {
      // Once per selecting item, as Kuma does; repeats change no merge result.
      if (externalServiceSelected(item.target_ref, es_tags)) matched.push_back(p);
    }
  }
  sortByPrecedence(matched);
  std::vector<PolicyItem> items;
  for (const model::ResourcePtr& p : matched) {
    URSA_ASSIGN_OR_RETURN(TargetRefView clients, topTargetRef(*p));
    URSA_ASSIGN_OR_RETURN(std::vector<PolicyItem> to, itemsOf(*p, Section::To));
    for (PolicyItem& item : to) {
      if (!externalServiceSelected(item.target_ref, es_tags)) continue;
      item.target_ref = clients;
      items.push_back(std::move(item));
    }
  }
  return buildRules(items);
}

absl::StatusOr<Rules> egressFromRules(const std::vector<model::ResourcePtr>& policies,
                                      const TagMap& es_tags) {
  std::vector<model::ResourcePtr> matched;
  for (const model::ResourcePtr& p : policies) {
    URSA_ASSIGN_OR_RETURN(TargetRefView top, topTargetRef(*p));
    if (externalServiceSelected(top, es_tags)) matched.push_back(p);
  }
  sortByPrecedence(matched);
  return rulesOfSection(matched, Section::From);
}

}  // namespace

bool selectorMatches(const TagMap& selector, const TagMap& tags) {
  for (const auto& [k, v] : selector) {
    auto it = tags.find(k);
    if (it == tags.end()) return false;
    if (v != "*" && v != it->second) return false;
  }
  return true;
}

int kindRank(std::string_view kind) {
  static constexpr std::string_view kOrder[] = {"Mesh", "MeshSubset", "MeshService",
                                                "MeshServiceSubset", "MeshGatewayRoute"};
  for (size_t i = 0; i < std::size(kOrder); ++i) {
    if (kOrder[i] == kind) return static_cast<int>(i) + 1;
  }
  return 0;
}

void sortByPrecedence(std::vector<model::ResourcePtr>& policies) {
  std::vector<std::pair<int, model::ResourcePtr>> ranked;
  ranked.reserve(policies.size());
  for (model::ResourcePtr& p : policies) {
    auto ref = topTargetRef(*p);
    ranked.emplace_back(ref.ok() ? kindRank(ref->kind) : 0, std::move(p));
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return a.second->meta.name < b.second->meta.name;
  });
  for (size_t i = 0; i < ranked.size(); ++i) policies[i] = std::move(ranked[i].second);
}

const MeshGatewayInfo* selectGateway(const model::Resource& dataplane,
                                     const std::vector<MeshGatewayInfo>& gateways) {
  std::vector<const MeshGatewayInfo*> by_name;
  for (const MeshGatewayInfo& g : gateways) by_name.push_back(&g);
  std::stable_sort(by_name.begin(), by_name.end(),
                   [](auto* a, auto* b) { return a->name < b->name; });
  const Dataplane& dp = dataplaneSpec(dataplane);
  const MeshGatewayInfo* best = nullptr;
  SelectorRank best_rank;
  auto consider = [&](const MeshGatewayInfo* g, const SelectorRank& rank) {
    int cmp = rank.compare(best_rank);
    if (best == nullptr || cmp > 0 || (cmp == 0 && g->creation_time > best->creation_time)) {
      best = g;
      best_rank = rank;
    }
  };
  for (const MeshGatewayInfo* g : by_name) {
    if (g->selectors.empty()) consider(g, SelectorRank{});
    for (const TagMap& selector : g->selectors) {
      if (selector.empty() || dataplaneMatches(dp, selector)) consider(g, rankOf(selector));
    }
  }
  return best;
}

std::vector<InboundTags> inboundsOf(const model::Resource& dataplane,
                                    const MeshGatewayInfo* gateway) {
  const auto& net = dataplaneSpec(dataplane).networking();
  std::vector<InboundTags> result;
  for (const auto& inbound : net.inbound()) {
    std::string address = inbound.address().empty() ? net.address() : inbound.address();
    result.push_back({{address, inbound.port()}, tagsOf(inbound.tags())});
  }
  if (gateway != nullptr) {
    TagMap dp_tags = tagsOf(net.gateway().tags());
    for (const MeshGatewayInfo::Listener& l : gateway->listeners) {
      result.push_back({{net.address(), l.port}, overlay({&dp_tags, &gateway->tags, &l.tags})});
    }
  }
  return result;
}

absl::StatusOr<MatchedPolicies> matchDataplane(const model::Resource& dataplane,
                                               const std::vector<model::ResourcePtr>& policies,
                                               const MeshGatewayInfo* gateway) {
  MatchedPolicies m;
  if (policies.empty()) return m;
  std::vector<InboundTags> inbounds = inboundsOf(dataplane, gateway);
  for (const model::ResourcePtr& p : policies) {
    URSA_ASSIGN_OR_RETURN(TargetRefView top, topTargetRef(*p));
    std::optional<TagMap> selector = selectorOf(top);
    if (!selector) continue;
    bool selected = false;
    for (const InboundTags& in : inbounds) {
      if (!selectorMatches(*selector, in.tags)) continue;
      m.by_inbound[in.listener].push_back(p);
      selected = true;
    }
    if (selected) m.dataplane_policies.push_back(p);
  }
  sortByPrecedence(m.dataplane_policies);
  for (auto& [listener, ps] : m.by_inbound) sortByPrecedence(ps);
  URSA_RETURN_IF_ERROR(buildDataplaneRules(m, *policies.front()->type));
  return m;
}

absl::StatusOr<FromRules> matchEgress(const model::Resource& external_service,
                                      const std::vector<model::ResourcePtr>& policies) {
  FromRules result;
  if (policies.empty()) return result;
  const model::ResourceType& type = *policies.front()->type;
  bool from = hasSection(type, Section::From), to = hasSection(type, Section::To);
  if (from && to) {
    return absl::InvalidArgumentError(
        "zone egress doesn't support policies that have both 'from' and 'to'");
  }
  if (!from && !to) return result;
  TagMap es_tags = tagsOf(static_cast<const ExternalService&>(*external_service.spec).tags());
  URSA_ASSIGN_OR_RETURN(
      Rules rules, from ? egressFromRules(policies, es_tags) : egressToRules(policies, es_tags));
  result.rules[InboundListener{}] = std::move(rules);
  return result;
}

}  // namespace ursa::policy
