// Kuma 2.2.9's matcher fixtures (../shared/conformance/kuma-2.2/matchers, see
// its README): which policies select a Dataplane and in what order, the
// from-rules per inbound (builtin gateways included), and the zone egress.
// Set URSA_POLICY_DUMP=1 to print every result as YAML.

#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>

#include "test/policy/fixture_support.h"
#include "test/support/conformance.h"
#include "ursa/policy/matching.h"

namespace ursa::policy::test {
namespace {

using model::Json;

Json namesOf(const std::vector<model::ResourcePtr>& policies) {
  Json names = Json::array();
  for (const auto& p : policies) names.push_back(p->meta.name);
  return names;
}

Json goldenNames(const Json& golden) {
  Json names = Json::array();
  for (const Json& item : golden.value("items", Json::array())) names.push_back(item["name"]);
  return names;
}

absl::StatusOr<Json> dataplaneResult(const fs::path& base, const Loaded& loaded, bool list_only) {
  model::ResourcePtr dp = loadResource(fs::path(base.string() + ".dataplane.yaml"));
  if (dp == nullptr) return absl::InvalidArgumentError("bad dataplane");
  const MeshGatewayInfo* gateway = selectGateway(*dp, loaded.gateways);
  URSA_ASSIGN_OR_RETURN(MatchedPolicies m, matchDataplane(*dp, loaded.policies, gateway));
  if (list_only) return namesOf(m.dataplane_policies);
  return fromRulesToJson(m.from_rules);
}

absl::StatusOr<Json> egressResult(const fs::path& base, const Loaded& loaded) {
  model::ResourcePtr es = loadResource(fs::path(base.string() + ".es.yaml"));
  if (es == nullptr) return absl::InvalidArgumentError("bad external service");
  URSA_ASSIGN_OR_RETURN(FromRules fr, matchEgress(*es, loaded.policies));
  return fromRulesToJson(fr);
}

class MatchersGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(MatchersGolden, MatchesKuma) {
  if (GetParam() == "missing") GTEST_SKIP() << ursa::test::conformanceMissingReason();
  fs::path base = fixtureDir("matchers") / GetParam();
  Loaded loaded = loadPolicies(fs::path(base.string() + ".policies.yaml"));
  Json golden = normalizedGolden(fs::path(base.string() + ".golden.yaml"));
  bool list_only = GetParam().find("dataplanepolicies") != std::string::npos;
  bool egress = fs::exists(fs::path(base.string() + ".es.yaml"));
  auto got = egress ? egressResult(base, loaded) : dataplaneResult(base, loaded, list_only);
  ASSERT_TRUE(got.ok()) << got.status();
  Json want = list_only ? goldenNames(golden) : golden;
  if (std::getenv("URSA_POLICY_DUMP")) std::cout << GetParam() << ":\n" << model::toYaml(*got);
  EXPECT_TRUE(sameTree(*got, want)) << "got:\n"
                                    << model::toYaml(*got) << "want:\n"
                                    << model::toYaml(want);
}

std::string caseName(const ::testing::TestParamInfo<std::string>& info) {
  return sanitizedCaseName(info.param);
}

INSTANTIATE_TEST_SUITE_P(Kuma, MatchersGolden, ::testing::ValuesIn(goldenCasesOrMissing("matchers")), caseName);

}  // namespace
}  // namespace ursa::policy::test
