// Tag subsets: Kuma's IsSubset with negations, the enumeration order of
// negation combinations, and rule ordering.

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "ursa/policy/rules.h"

namespace ursa::policy {
namespace {

Tag pos(std::string k, std::string v) { return {std::move(k), std::move(v), false}; }
Tag neg(std::string k, std::string v) { return {std::move(k), std::move(v), true}; }

PolicyItem item(std::string kind, std::map<std::string, std::string> tags, Json conf,
                std::string policy = "p", std::string name = "") {
  PolicyItem i;
  i.target_ref = {std::move(kind), std::move(name), std::move(tags)};
  i.conf = std::move(conf);
  i.origin = {"MeshTrafficPermission", "default", std::move(policy)};
  return i;
}

TEST(IsSubset, EmptySetDescribesEverything) {
  EXPECT_TRUE(isSubset({}, {}));
  EXPECT_TRUE(isSubset({}, {pos("env", "prod")}));
  EXPECT_FALSE(isSubset({pos("env", "prod")}, {}));
}

TEST(IsSubset, NegationIsSatisfiedByOtherValuesButNeedsTheKey) {
  // A rule `env != dev` applies to a client with env=prod ...
  EXPECT_TRUE(isSubset({neg("env", "dev")}, {pos("env", "prod")}));
  // ... but not to a client without the env tag (Kuma: the key must be there).
  EXPECT_FALSE(isSubset({neg("env", "dev")}, {pos("zone", "east")}));
  // ... nor to env=dev.
  EXPECT_FALSE(isSubset({neg("env", "dev")}, {pos("env", "dev")}));
  // Same negation on both sides.
  EXPECT_TRUE(isSubset({neg("env", "dev")}, {neg("env", "dev")}));
  // A positive rule is not implied by a negated query on another value.
  EXPECT_TRUE(isSubset({pos("env", "prod")}, {pos("env", "prod"), neg("env", "dev")}));
  // Kuma's check is per tag, not logical implication: `env == prod` counts as
  // describing `env != dev` (no tag contradicts it). Kept for compatibility.
  EXPECT_TRUE(isSubset({pos("env", "prod")}, {neg("env", "dev")}));
  EXPECT_FALSE(isSubset({pos("env", "prod")}, {neg("env", "prod")}));
}

TEST(EnumerateSubsets, SingleKeyManyValuesIsLinear) {
  // An MTP listing 40 services: Kuma walks 2^40 masks; ursa visits only the
  // 41 consistent combinations, in the same order.
  std::vector<Tag> tags;
  for (int i = 0; i < 40; ++i)
    tags.push_back(pos("kuma.io/service", "svc-" + std::to_string(100 + i)));
  auto got = enumerateSubsets(tags);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->size(), 41u);
  // Ascending masks: the last tag positive first, then earlier ones.
  EXPECT_EQ(got->front(), Subset{pos("kuma.io/service", "svc-139")});
  EXPECT_EQ((*got)[39], Subset{pos("kuma.io/service", "svc-100")});
  EXPECT_EQ(got->back().size(), 40u);
  EXPECT_EQ(numPositive(got->back()), 0);
}

// Kuma's enumeration taken literally: every mask, simplified key by key
// (keys in first-seen order), contradictions dropped, mask 0 last.
std::vector<Subset> naiveEnumeration(const std::vector<Tag>& tags) {
  std::vector<Subset> out;
  const uint32_t n = static_cast<uint32_t>(tags.size()), count = 1u << n;
  for (uint32_t step = 1; step <= count; ++step) {
    uint32_t mask = step % count;
    std::vector<std::string> keys;
    for (const Tag& t : tags) {
      if (std::find(keys.begin(), keys.end(), t.key) == keys.end()) keys.push_back(t.key);
    }
    Subset ss;
    bool contradiction = false;
    for (const std::string& key : keys) {
      Subset group;
      for (uint32_t i = 0; i < n; ++i) {
        if (tags[i].key == key)
          group.push_back({tags[i].key, tags[i].value, (mask >> i & 1u) != 0});
      }
      int positives = numPositive(group);
      contradiction = contradiction || positives >= 2;
      for (const Tag& t : group) {
        if (positives == 0 || !t.negated) ss.push_back(t);
      }
    }
    if (!contradiction) out.push_back(ss);
  }
  return out;
}

TEST(EnumerateSubsets, SameSequenceAsKumasLiteralEnumeration) {
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    std::set<std::pair<std::string, std::string>> distinct;
    int n = static_cast<int>(rng() % 9);
    for (int i = 0; i < n; ++i) {
      distinct.insert(
          {std::string(1, static_cast<char>('a' + rng() % 3)), std::to_string(rng() % 4)});
    }
    std::vector<Tag> tags;
    for (const auto& [k, v] : distinct) tags.push_back(pos(k, v));
    auto got = enumerateSubsets(tags);
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(*got, naiveEnumeration(tags)) << "round " << round;
  }
}

TEST(EnumerateSubsets, RefusesExplosions) {
  std::vector<Tag> tags;
  for (int i = 0; i < 21; ++i) tags.push_back(pos("k" + std::to_string(100 + i), "v"));
  EXPECT_EQ(enumerateSubsets(tags).status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(EnumerateSubsets, RequiresAdjacentKeys) {
  EXPECT_FALSE(enumerateSubsets({pos("a", "1"), pos("b", "1"), pos("a", "2")}).ok());
}

TEST(BuildRules, NegatedSubsetsCarryTheBroaderConf) {
  // Mesh: Deny; env=prod: Allow. Clients with env!=prod (or no env at all)
  // fall through to the Mesh-wide rule only via the negated subset.
  auto rules = buildRules({item("Mesh", {}, {{"action", "Deny"}}),
                           item("MeshSubset", {{"env", "prod"}}, {{"action", "Allow"}})});
  ASSERT_TRUE(rules.ok());
  ASSERT_EQ(rules->size(), 2u);
  EXPECT_EQ((*rules)[0].subset, Subset{pos("env", "prod")});
  EXPECT_EQ((*rules)[0].conf["action"], "Allow");
  EXPECT_EQ((*rules)[1].subset, Subset{neg("env", "prod")});
  EXPECT_EQ((*rules)[1].conf["action"], "Deny");
  EXPECT_EQ(computeRule(*rules, {pos("env", "dev")})->conf["action"], "Deny");
  EXPECT_EQ(computeRule(*rules, {pos("env", "prod"), pos("zone", "a")})->conf["action"], "Allow");
  // A client without any env tag matches no rule (Kuma's quirk: negations
  // need the key); the plugin then applies its own default.
  EXPECT_EQ(computeRule(*rules, {pos("zone", "a")}), nullptr);
}

TEST(BuildRules, LaterItemWinsForTheSameSubset) {
  auto rules = buildRules({item("MeshService", {}, {{"action", "Allow"}}, "b", "web"),
                           item("MeshService", {}, {{"action", "Deny"}}, "a", "web")});
  ASSERT_TRUE(rules.ok());
  ASSERT_EQ(rules->size(), 1u);
  EXPECT_EQ((*rules)[0].conf["action"], "Deny");
  // Origins are sorted by name, whatever the merge order.
  ASSERT_EQ((*rules)[0].origins.size(), 2u);
  EXPECT_EQ((*rules)[0].origins[0].name, "a");
  EXPECT_EQ((*rules)[0].origins[1].name, "b");
}

TEST(BuildRules, EqualPositiveCountsKeepEnumerationOrder) {
  auto rules = buildRules({item("MeshService", {}, {{"action", "Allow"}}, "p", "api"),
                           item("MeshService", {}, {{"action", "Allow"}}, "p", "web")});
  ASSERT_TRUE(rules.ok());
  ASSERT_EQ(rules->size(), 2u);  // no item applies to "neither"
  EXPECT_EQ((*rules)[0].subset.front().value, "web");
  EXPECT_EQ((*rules)[1].subset.front().value, "api");
}

TEST(BuildRules, NoItemsNoRules) {
  auto rules = buildRules({});
  ASSERT_TRUE(rules.ok());
  EXPECT_TRUE(rules->empty());
}

TEST(BuildRules, UnsupportedKindIsAnError) {
  EXPECT_FALSE(buildRules({item("MeshGatewayRoute", {}, Json::object(), "p", "r")}).ok());
}

TEST(ToRules, ForServiceUsesTheServiceTag) {
  ToRules to;
  auto rules =
      buildRules({item("Mesh", {}, {{"x", 1}}), item("MeshService", {}, {{"x", 2}}, "p", "db")});
  ASSERT_TRUE(rules.ok());
  to.rules = *rules;
  EXPECT_EQ(to.forService("db")->conf["x"], 2);
  EXPECT_EQ(to.forService("web")->conf["x"], 1);
}

}  // namespace
}  // namespace ursa::policy
