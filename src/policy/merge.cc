// Merging confs on their JSON form (see include/ursa/policy/merge.h).

#include "ursa/policy/merge.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

namespace ursa::policy {

using model::Json;

model::Json applyMergePatch(Json target, const Json& patch) {
  if (!patch.is_object()) return patch;
  if (!target.is_object()) target = Json::object();
  for (const auto& [key, value] : patch.items()) {
    if (value.is_null()) {
      target.erase(key);
      continue;
    }
    auto it = target.find(key);
    target[key] = applyMergePatch(it == target.end() ? Json() : std::move(*it), value);
  }
  return target;
}

bool isAppendKey(std::string_view key) {
  constexpr std::string_view prefix = "append";
  return key.size() > prefix.size() && key.substr(0, prefix.size()) == prefix &&
         std::isupper(static_cast<unsigned char>(key[prefix.size()]));
}

namespace {

// The value at `path` (object keys) in `conf`, or null when absent.
const Json* at(const Json& conf, const std::vector<std::string>& path) {
  const Json* cur = &conf;
  for (const std::string& key : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

Json concatenated(const std::vector<Json>& confs, const std::vector<std::string>& path) {
  Json all = Json::array();
  for (const Json& conf : confs) {
    const Json* list = at(conf, path);
    if (list == nullptr || !list->is_array()) continue;
    for (const Json& v : *list) all.push_back(v);
  }
  return all;
}

// Replaces every append list reachable through objects of `merged` with the
// concatenation of that list over `confs`.
void concatenateAppendLists(Json& merged, const std::vector<Json>& confs,
                            std::vector<std::string>& path) {
  if (!merged.is_object()) return;
  for (auto& [key, value] : merged.items()) {
    path.push_back(key);
    if (value.is_array() && isAppendKey(key)) {
      value = concatenated(confs, path);
    } else if (value.is_object()) {
      concatenateAppendLists(value, confs, path);
    }
    path.pop_back();
  }
}

void mergeListByKey(Json& merged, const std::vector<Json>& confs, const MergeByKey& by) {
  Json all = concatenated(confs, {by.field});
  if (all.empty()) {
    merged.erase(by.field);
    return;
  }
  struct Group {
    Json key;  // null when the entry has no key field
    std::vector<Json> defaults;
  };
  std::vector<Group> groups;
  for (const Json& entry : all) {
    Json key = entry.contains(by.key_field) ? entry[by.key_field] : Json();
    Json conf = entry.contains(by.default_field) ? entry[by.default_field] : Json::object();
    auto it =
        std::find_if(groups.begin(), groups.end(), [&](const Group& g) { return g.key == key; });
    if (it == groups.end()) {
      groups.push_back({std::move(key), {std::move(conf)}});
    } else {
      it->defaults.push_back(std::move(conf));
    }
  }
  Json out = Json::array();
  for (const Group& g : groups) {
    Json entry = Json::object();
    if (!g.key.is_null()) entry[by.key_field] = g.key;
    entry[by.default_field] = mergeConfs(g.defaults);
    out.push_back(std::move(entry));
  }
  merged[by.field] = std::move(out);
}

}  // namespace

model::Json mergeConfs(const std::vector<Json>& confs, const MergeByKey* by_key) {
  if (confs.empty()) return Json();
  Json merged = confs.front();
  for (size_t i = 1; i < confs.size(); ++i) merged = applyMergePatch(std::move(merged), confs[i]);
  std::vector<std::string> path;
  concatenateAppendLists(merged, confs, path);
  if (by_key != nullptr && merged.is_object()) mergeListByKey(merged, confs, *by_key);
  return merged;
}

}  // namespace ursa::policy
