#include "src/xds/generator/policies.h"

#include <cstdint>
#include <mutex>
#include <optional>

#include "ursa/common/strings.h"
#include "ursa/mesh/v1alpha1/dataplane.pb.h"

namespace ursa::xds::gen {

namespace {

TypeRules toTypeRules(policy::MatchedPolicies m,
                      const std::vector<policy::InboundTags>& inbounds) {
  TypeRules t;
  t.from.reserve(inbounds.size());
  for (const auto& in : inbounds) {
    auto it = m.from_rules.rules.find(in.listener);
    t.from.push_back(it == m.from_rules.rules.end() ? policy::Rules{} : it->second);
  }
  t.to = std::move(m.to_rules);
  t.single = std::move(m.single_item_rules);
  t.policies = std::move(m.dataplane_policies);
  return t;
}

// Which policies of a type select which inbound is all the rules depend on,
// and most proxies are selected alike (Mesh-wide policies): rules are shared
// process-wide by that selection. Entries hold the policies they name, so a
// policy's address is never reused while an entry names it; the cache is
// bounded by being emptied when full.
class SelectionCache {
 public:
  std::optional<TypeRules> find(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    return it->second.rules;
  }
  void put(std::string key, const TypeRules& rules, std::vector<model::ResourcePtr> named) {
    std::lock_guard lock(mu_);
    if (entries_.size() >= kMaxEntries) entries_.clear();
    entries_.emplace(std::move(key), Entry{rules, std::move(named)});
  }

 private:
  static constexpr size_t kMaxEntries = 4096;
  struct Entry {
    TypeRules rules;
    std::vector<model::ResourcePtr> named;
  };
  std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

SelectionCache& selectionCache() {
  static auto* cache = new SelectionCache();  // never destroyed: used until exit
  return *cache;
}

// Kuma's top-level selector (see policy::matchDataplane); nullopt: selects
// no proxy.
std::optional<std::map<std::string, std::string>> selectorOf(const model::Resource& policy) {
  auto ref = policy::topTargetRef(policy);
  if (!ref.ok()) return std::nullopt;
  if (ref->kind == "Mesh") return std::map<std::string, std::string>{};
  if (ref->kind == "MeshSubset") return ref->tags;
  std::map<std::string, std::string> sel{{std::string(policy::kServiceTag), ref->name}};
  if (ref->kind == "MeshService") return sel;
  if (ref->kind != "MeshServiceSubset") return std::nullopt;
  for (const auto& [k, v] : ref->tags) sel[k] = v;
  return sel;
}

// "type|i:p1,p2;|..." naming the policies selecting each inbound; the
// policies named go into `named`. Empty when none selects the proxy.
std::string selectionKey(const std::string& type, const std::vector<model::ResourcePtr>& list,
                         const std::vector<policy::InboundTags>& inbounds,
                         std::vector<model::ResourcePtr>& named) {
  std::vector<std::optional<std::map<std::string, std::string>>> selectors;
  selectors.reserve(list.size());
  for (const auto& p : list) selectors.push_back(selectorOf(*p));
  std::string key;
  for (size_t i = 0; i < inbounds.size(); ++i) {
    key += strCat("|", i, ":");
    for (size_t k = 0; k < list.size(); ++k) {
      if (!selectors[k] || !policy::selectorMatches(*selectors[k], inbounds[i].tags)) continue;
      key += strCat(reinterpret_cast<uintptr_t>(list[k].get()), ",");
      named.push_back(list[k]);
    }
  }
  if (named.empty()) return "";
  return type + key;
}

}  // namespace

std::shared_ptr<const MatchedSet> matchAll(
    const model::Resource& dataplane,
    const std::map<std::string, std::vector<model::ResourcePtr>, std::less<>>& policies) {
  auto set = std::make_shared<MatchedSet>();
  std::vector<policy::InboundTags> inbounds = policy::inboundsOf(dataplane, nullptr);
  for (const auto& [type, list] : policies) {
    if (list.empty()) continue;
    std::vector<model::ResourcePtr> named;
    std::string key = selectionKey(type, list, inbounds, named);
    if (key.empty()) continue;  // no policy of the type selects the proxy
    if (auto cached = selectionCache().find(key)) {
      set->by_type.emplace(type, std::move(*cached));
      continue;
    }
    auto matched = policy::matchDataplane(dataplane, list);
    if (!matched.ok()) {
      set->errors.push_back(strCat(type, ": ", std::string(matched.status().message())));
      continue;
    }
    if (matched->dataplane_policies.empty()) continue;
    TypeRules rules = toTypeRules(std::move(*matched), inbounds);
    selectionCache().put(std::move(key), rules, std::move(named));
    set->by_type.emplace(type, std::move(rules));
  }
  return set;
}

std::string matchKey(const model::Resource& dataplane) {
  const auto& net = static_cast<const ursa::mesh::v1alpha1::Dataplane&>(*dataplane.spec).networking();
  std::string key;
  for (const auto& in : net.inbound()) {
    key += strCat(in.port(), "{");
    std::map<std::string, std::string> sorted(in.tags().begin(), in.tags().end());
    for (const auto& [k, v] : sorted) key += strCat(k, "=", v, ";");
    key += "}";
  }
  return key;
}

ProxyPolicies::ProxyPolicies(std::shared_ptr<const MatchedSet> set,
                             const model::Resource& dataplane)
    : set_(std::move(set)) {
  size_t i = 0;
  for (auto& in : policy::inboundsOf(dataplane, nullptr)) {
    listener_index_.emplace(std::move(in.listener), i++);
  }
}

const TypeRules* ProxyPolicies::rules(std::string_view type) const {
  if (!set_) return nullptr;
  auto it = set_->by_type.find(type);
  return it == set_->by_type.end() ? nullptr : &it->second;
}

const policy::Rules* ProxyPolicies::from(std::string_view type, const std::string& address,
                                         uint32_t port) const {
  const TypeRules* t = rules(type);
  if (t == nullptr) return nullptr;
  auto it = listener_index_.find(policy::InboundListener{address, port});
  if (it == listener_index_.end() || it->second >= t->from.size()) return nullptr;
  const policy::Rules& r = t->from[it->second];
  return r.empty() ? nullptr : &r;
}

const policy::Rule* ProxyPolicies::to(std::string_view type, std::string_view service) const {
  const TypeRules* t = rules(type);
  return t == nullptr ? nullptr : t->to.forService(service);
}

bool ProxyPolicies::any(std::string_view type) const { return rules(type) != nullptr; }

const policy::Rule* ProxyPolicies::single(std::string_view type) const {
  const TypeRules* t = rules(type);
  return t == nullptr || t->single.rules.empty() ? nullptr : &t->single.rules.front();
}

const std::vector<model::ResourcePtr>& ProxyPolicies::selecting(std::string_view type) const {
  static const std::vector<model::ResourcePtr> kNone;
  const TypeRules* t = rules(type);
  return t == nullptr ? kNone : t->policies;
}

const std::vector<std::string>& ProxyPolicies::errors() const {
  static const std::vector<std::string> kNone;
  return set_ ? set_->errors : kNone;
}

}  // namespace ursa::xds::gen
