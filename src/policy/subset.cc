// Tag subsets: matching, enumeration of negation combinations, and the
// targetRef -> subset mapping (Kuma 2.2 pkg/core/xds/rules.go, restated).

#include <algorithm>
#include <string>
#include <vector>

#include "ursa/common/strings.h"
#include "ursa/policy/rules.h"

namespace ursa::policy {

bool isSubset(const Subset& ss, const Subset& other) {
  if (ss.empty()) return true;
  for (const Tag& tag : ss) {
    bool key_present = false;
    for (const Tag& o : other) {
      if (o.key != tag.key) continue;
      key_present = true;
      if (o.value == tag.value && o.negated != tag.negated) return false;
      if (o.value != tag.value && !o.negated && !tag.negated) return false;
    }
    if (!key_present) return false;
  }
  return true;
}

int numPositive(const Subset& ss) {
  int n = 0;
  for (const Tag& t : ss) n += t.negated ? 0 : 1;
  return n;
}

Subset subsetFromTags(const std::map<std::string, std::string>& tags) {
  Subset ss;
  for (const auto& [k, v] : tags) ss.push_back({k, v, false});
  return ss;
}

absl::StatusOr<Subset> subsetOf(const TargetRefView& ref) {
  if (ref.kind == "Mesh") return Subset{};
  if (ref.kind == "MeshSubset") return subsetFromTags(ref.tags);
  if (ref.kind == "MeshService" || ref.kind == "MeshServiceSubset") {
    Subset ss{{std::string(kServiceTag), ref.name, false}};
    if (ref.kind == "MeshServiceSubset") {
      for (const auto& [k, v] : ref.tags) ss.push_back({k, v, false});
    }
    return ss;
  }
  return absl::InvalidArgumentError(strCat("can't represent ", ref.kind, " as tags"));
}

namespace {

// Tags sharing one key, adjacent in the input: [begin, begin + size).
struct KeyGroup {
  size_t begin = 0;
  size_t size = 0;
};

absl::StatusOr<std::vector<KeyGroup>> groupByKey(const std::vector<Tag>& tags) {
  std::vector<KeyGroup> groups;
  for (size_t i = 0; i < tags.size(); ++i) {
    if (!groups.empty() && tags[i].key == tags[groups.back().begin].key) {
      ++groups.back().size;
      continue;
    }
    for (const KeyGroup& g : groups) {
      if (tags[g.begin].key == tags[i].key) {
        return absl::InvalidArgumentError(
            strCat("tags with key ", tags[i].key, " are not adjacent"));
      }
    }
    groups.push_back({i, 1});
  }
  return groups;
}

// Within a group of k tags (bits b0..b(k-1), set = negated), the
// non-contradictory patterns in ascending numeric order are: only tag j
// positive for j = k-1 down to 0, then all negated. `choice` indexes that
// order; it returns the positive tag's offset, or k for "all negated".
size_t positiveOffset(size_t choice, size_t k) { return choice < k ? k - 1 - choice : k; }

// Appends the simplified tags of one group for `choice`: the positive tag
// alone, or every tag negated.
void appendGroup(const std::vector<Tag>& tags, const KeyGroup& g, size_t choice, Subset& out) {
  size_t positive = positiveOffset(choice, g.size);
  if (positive < g.size) {
    out.push_back(tags[g.begin + positive]);
    out.back().negated = false;
    return;
  }
  for (size_t i = 0; i < g.size; ++i) {
    out.push_back(tags[g.begin + i]);
    out.back().negated = true;
  }
}

}  // namespace

// Kuma visits masks 1 .. 2^n-1 and then 0, dropping contradictions. Because
// equal keys are adjacent, the surviving masks in ascending order are those of
// a mixed-radix counter over the key groups (group 0 least significant), each
// digit running through its group's patterns in ascending order. Only mask 0
// (every tag positive, possible when each key has one value) moves to the end.
absl::StatusOr<std::vector<Subset>> enumerateSubsets(const std::vector<Tag>& tags) {
  URSA_ASSIGN_OR_RETURN(std::vector<KeyGroup> groups, groupByKey(tags));
  size_t total = 1;
  for (const KeyGroup& g : groups) {
    total *= g.size + 1;
    if (total > kMaxCombinations) {
      return absl::ResourceExhaustedError(
          strCat("too many tag combinations to build rules (over ", kMaxCombinations, ")"));
    }
  }
  std::vector<Subset> result;
  result.reserve(total);
  std::vector<size_t> digits(groups.size(), 0);
  for (size_t n = 0; n < total; ++n) {
    Subset ss;
    for (size_t g = 0; g < groups.size(); ++g) appendGroup(tags, groups[g], digits[g], ss);
    result.push_back(std::move(ss));
    for (size_t g = 0; g < groups.size(); ++g) {  // increment, least significant first
      if (++digits[g] <= groups[g].size) break;
      digits[g] = 0;
    }
  }
  // Mask 0 is valid, and first, exactly when every key has a single value.
  bool all_single = true;
  for (const KeyGroup& g : groups) all_single = all_single && g.size == 1;
  if (all_single) std::rotate(result.begin(), result.begin() + 1, result.end());
  return result;
}

const Rule* computeRule(const Rules& rules, const Subset& subset) {
  for (const Rule& rule : rules) {
    if (isSubset(rule.subset, subset)) return &rule;
  }
  return nullptr;
}

std::string InboundListener::toString() const { return strCat(address, ":", port); }

const Rule* ToRules::forService(std::string_view service) const {
  return computeRule(rules, Subset{{std::string(kServiceTag), std::string(service), false}});
}

namespace {

Json subsetToJson(const Subset& ss) {
  Json out = Json::array();
  for (const Tag& t : ss) out.push_back({{"Key", t.key}, {"Value", t.value}, {"Not", t.negated}});
  return out;
}

}  // namespace

Json rulesToJson(const Rules& rules) {
  Json out = Json::array();
  for (const Rule& r : rules) {
    Json origins = Json::array();
    for (const PolicyRef& o : r.origins) {
      origins.push_back({{"type", o.type}, {"mesh", o.mesh}, {"name", o.name}});
    }
    out.push_back({{"Subset", subsetToJson(r.subset)}, {"Conf", r.conf}, {"Origin", origins}});
  }
  return out;
}

}  // namespace ursa::policy
