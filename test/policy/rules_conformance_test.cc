// Kuma 2.2.9's rule-building fixtures (../shared/conformance/kuma-2.2/rules,
// see its README): BuildFromRules / BuildToRules / BuildSingleItemRules
// goldens, the SubsetIter enumeration cases and the Rules.Compute cases.
// Set URSA_POLICY_DUMP=1 to print every result as YAML.

#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>

#include "test/policy/fixture_support.h"
#include "test/support/conformance.h"
#include "ursa/model/registry.h"
#include "ursa/policy/matching.h"
#include "ursa/policy/rules.h"

namespace ursa::policy::test {
namespace {

using model::Json;

// Kuma's test builds items from the documents in file order, unsorted.
absl::StatusOr<Json> buildLikeKumaTest(const std::vector<model::ResourcePtr>& policies,
                                       bool from_rules) {
  std::vector<PolicyItem> items;
  for (const auto& p : policies) {
    if (from_rules || !hasSingleItem(*p->type)) {
      URSA_ASSIGN_OR_RETURN(auto more, itemsOf(*p, from_rules ? Section::From : Section::To));
      items.insert(items.end(), more.begin(), more.end());
    } else {
      URSA_ASSIGN_OR_RETURN(auto item, singleItemOf(*p));
      items.push_back(std::move(item));
    }
  }
  URSA_ASSIGN_OR_RETURN(Rules rules, buildRules(items));
  if (!from_rules) return Json{{"Rules", rulesToJson(rules)}};
  FromRules fr;
  fr.rules[{"127.0.0.1", 80}] = std::move(rules);
  return fromRulesToJson(fr);
}

class RulesGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(RulesGolden, MatchesKuma) {
  if (GetParam() == "missing") GTEST_SKIP() << ursa::test::conformanceMissingReason();
  fs::path dir = fixtureDir("rules");
  Loaded loaded = loadPolicies(dir / (GetParam() + ".policy.yaml"));
  Json golden = normalizedGolden(dir / (GetParam() + ".golden.yaml"));
  ASSERT_FALSE(loaded.policies.empty());
  bool from_rules = golden["Rules"].is_object();
  auto got = buildLikeKumaTest(loaded.policies, from_rules);
  ASSERT_TRUE(got.ok()) << got.status();
  if (std::getenv("URSA_POLICY_DUMP")) std::cout << GetParam() << ":\n" << model::toYaml(*got);
  EXPECT_TRUE(sameTree(*got, golden)) << "got:\n"
                                      << model::toYaml(*got) << "want:\n"
                                      << model::toYaml(golden);
}

std::string caseName(const ::testing::TestParamInfo<std::string>& info) {
  return "case_" + sanitizedCaseName(info.param);
}

INSTANTIATE_TEST_SUITE_P(Kuma, RulesGolden, ::testing::ValuesIn(goldenCasesOrMissing("rules")), caseName);

Json loadJsonCases(const std::string& file) {
  std::string text = readFile(fixtureDir("rules") / file);
  return Json::parse(text);
}

std::vector<Tag> tagsOf(const Json& list) {
  std::vector<Tag> tags;
  for (const Json& t : list) tags.push_back({t["Key"], t["Value"], t["Not"]});
  return tags;
}

Subset sorted(Subset ss) {
  std::sort(ss.begin(), ss.end());
  return ss;
}

TEST(RulesKuma, SubsetIterCases) {
  if (fixtureDir("rules").empty()) GTEST_SKIP() << ursa::test::conformanceMissingReason();
  Json cases = loadJsonCases("subset-iter-cases.json")["cases"];
  ASSERT_FALSE(cases.empty());
  for (const Json& c : cases) {
    SCOPED_TRACE(c["name"].get<std::string>());
    auto got = enumerateSubsets(tagsOf(c["tags"]));
    ASSERT_TRUE(got.ok()) << got.status();
    const Json& want = c["expected_sequence"];
    ASSERT_EQ(got->size(), want.size());
    bool any_order = c["tag_order_within_subset"] == "any";
    for (size_t i = 0; i < want.size(); ++i) {
      Subset w = tagsOf(want[i]);
      if (any_order) {
        EXPECT_EQ(sorted((*got)[i]), sorted(w)) << "subset " << i;
      } else {
        EXPECT_EQ((*got)[i], w) << "subset " << i;
      }
    }
  }
}

TEST(RulesKuma, ComputeCases) {
  if (fixtureDir("rules").empty()) GTEST_SKIP() << ursa::test::conformanceMissingReason();
  Json cases = loadJsonCases("compute-cases.json")["cases"];
  ASSERT_FALSE(cases.empty());
  for (const Json& c : cases) {
    SCOPED_TRACE(c["name"].get<std::string>());
    Rules rules;
    for (const Json& r : c["rules"]) rules.push_back({tagsOf(r["Subset"]), r["Conf"], nullptr, {}});
    const Rule* got = computeRule(rules, tagsOf(c["subset"]));
    if (c["expected_conf"].is_null()) {
      EXPECT_EQ(got, nullptr);
    } else {
      ASSERT_NE(got, nullptr);
      EXPECT_TRUE(sameTree(got->conf, c["expected_conf"])) << got->conf.dump();
    }
  }
}

}  // namespace
}  // namespace ursa::policy::test

namespace ursa::policy::test {
namespace {

absl::StatusOr<std::vector<PolicyItem>> allItems(const model::Resource& policy) {
  std::vector<PolicyItem> items;
  for (Section s : {Section::To, Section::From}) {
    URSA_ASSIGN_OR_RETURN(auto more, itemsOf(policy, s));
    items.insert(items.end(), more.begin(), more.end());
  }
  if (hasSingleItem(*policy.type)) {
    URSA_ASSIGN_OR_RETURN(auto item, singleItemOf(policy));
    items.push_back(std::move(item));
  }
  return items;
}

// Every valid policy of Kuma's validator cases (../validators) goes through
// rule building; each rule's typed conf must encode back to its JSON conf,
// explicitly empty lists included.
TEST(RulesKuma, ValidPoliciesOfEveryTypeBuildTypedRules) {
  fs::path dir = fixtureDir("validators");
  if (dir.empty()) GTEST_SKIP() << ursa::test::conformanceMissingReason();
  model::Json index = model::Json::parse(readFile(dir / "index.json"));
  int checked = 0;
  for (const auto& [folder, entry] : index["folders"].items()) {
    if (entry["kind"] != "targetref") continue;
    const auto* type =
        model::TypeRegistry::instance().byName(entry["kuma_type"].get<std::string>());
    ASSERT_NE(type, nullptr) << folder;
    for (const auto& c : entry["cases"]) {
      if (!c["valid"].get<bool>()) continue;
      std::string name = c["case"].get<std::string>();
      SCOPED_TRACE(folder + "/" + name);
      auto input = model::parseYaml(readFile(dir / folder / (name + ".yaml")));
      ASSERT_TRUE(input.ok()) << input.status();
      auto spec = model::decodeSpec(*type, *input, {.allow_unknown_fields = true});
      ASSERT_TRUE(spec.ok()) << spec.status();
      model::Resource policy;
      policy.type = type;
      policy.meta.name = "p";
      policy.meta.mesh = "default";
      policy.spec = std::move(*spec);
      auto items = allItems(policy);
      ASSERT_TRUE(items.ok()) << items.status();
      auto rules = buildRules(*items);
      ASSERT_TRUE(rules.ok()) << rules.status();
      for (const Rule& r : *rules) {
        ASSERT_NE(r.typed_conf, nullptr);
        model::Json back =
            model::encodeMessage(*r.typed_conf, {.durations = model::DurationStyle::Go});
        EXPECT_EQ(back, r.conf) << model::toYaml(r.conf);
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 30);
}

}  // namespace
}  // namespace ursa::policy::test
