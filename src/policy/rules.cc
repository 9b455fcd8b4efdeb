// Rule building (Kuma 2.2 BuildRules; algorithm in docs/policies.md).

#include "ursa/policy/rules.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "ursa/common/strings.h"
#include "ursa/policy/merge.h"

namespace ursa::policy {
namespace {

// Every distinct tag of the items' subsets, sorted by key, then value.
std::vector<Tag> tagUniverse(const std::vector<Subset>& subsets) {
  std::set<Tag> all;
  for (const Subset& ss : subsets) all.insert(ss.begin(), ss.end());
  return {all.begin(), all.end()};
}

// Distinct origins of the items at `indexes`, sorted by name.
std::vector<PolicyRef> originsOf(const std::vector<PolicyItem>& items,
                                 const std::vector<size_t>& indexes) {
  std::vector<PolicyRef> origins;
  for (size_t i : indexes) {
    if (std::find(origins.begin(), origins.end(), items[i].origin) == origins.end()) {
      origins.push_back(items[i].origin);
    }
  }
  std::stable_sort(origins.begin(), origins.end(),
                   [](const PolicyRef& a, const PolicyRef& b) { return a.name < b.name; });
  return origins;
}

// The merged conf as a message of the items' conf type, when they have one.
absl::StatusOr<std::shared_ptr<const google::protobuf::Message>> typedConf(
    const Json& conf, const google::protobuf::Message* prototype) {
  if (prototype == nullptr) return nullptr;
  std::shared_ptr<google::protobuf::Message> msg(prototype->New());
  model::Violations violations;
  model::decodeMessage(conf, *msg, model::FieldPath(), {}, violations);
  if (!violations.empty()) {
    return absl::InternalError(strCat("merged conf does not decode as ",
                                      prototype->GetDescriptor()->full_name(), ": ",
                                      violations.toString()));
  }
  return std::shared_ptr<const google::protobuf::Message>(std::move(msg));
}

absl::StatusOr<Rule> mergedRule(const std::vector<PolicyItem>& items,
                                const std::vector<size_t>& applicable, Subset subset) {
  std::vector<Json> confs;
  confs.reserve(applicable.size());
  for (size_t i : applicable) confs.push_back(items[i].conf);
  const PolicyItem& first = items[applicable.front()];
  MergeByKey by_key{first.merge_by_key_field};
  Rule rule;
  rule.subset = std::move(subset);
  rule.conf = mergeConfs(confs, by_key.field.empty() ? nullptr : &by_key);
  URSA_ASSIGN_OR_RETURN(rule.typed_conf, typedConf(rule.conf, first.conf_prototype));
  rule.origins = originsOf(items, applicable);
  return rule;
}

}  // namespace

absl::StatusOr<Rules> buildRules(const std::vector<PolicyItem>& items) {
  std::vector<Subset> item_subsets;
  item_subsets.reserve(items.size());
  for (const PolicyItem& item : items) {
    URSA_ASSIGN_OR_RETURN(Subset ss, subsetOf(item.target_ref));
    item_subsets.push_back(std::move(ss));
  }
  URSA_ASSIGN_OR_RETURN(std::vector<Subset> combinations,
                        enumerateSubsets(tagUniverse(item_subsets)));
  Rules rules;
  for (Subset& combination : combinations) {
    std::vector<size_t> applicable;
    for (size_t i = 0; i < items.size(); ++i) {
      if (isSubset(item_subsets[i], combination)) applicable.push_back(i);
    }
    if (applicable.empty()) continue;
    URSA_ASSIGN_OR_RETURN(Rule rule, mergedRule(items, applicable, std::move(combination)));
    rules.push_back(std::move(rule));
  }
  std::stable_sort(rules.begin(), rules.end(), [](const Rule& a, const Rule& b) {
    return numPositive(a.subset) > numPositive(b.subset);
  });
  return rules;
}

}  // namespace ursa::policy
