// Policy selection, ordering and the full from / to / single-item pipeline on
// ursa resources, for the cases the Kuma fixtures do not pin down.

#include "ursa/policy/matching.h"

#include <gtest/gtest.h>

#include "ursa/policies/meshhttproute/v1alpha1/meshhttproute.pb.h"

namespace ursa::policy {
namespace {

using model::Json;

model::ResourcePtr resource(const std::string& yaml) {
  auto doc = model::parseYaml(yaml);
  EXPECT_TRUE(doc.ok()) << doc.status();
  auto r = model::decodeResource(*doc);
  EXPECT_TRUE(r.ok()) << r.status();
  return std::make_shared<const model::Resource>(std::move(*r));
}

model::ResourcePtr mtp(const std::string& name, const std::string& top, const std::string& action) {
  return resource(
      "type: MeshTrafficPermission\nmesh: default\nname: " + name + "\nspec:\n  targetRef: " + top +
      "\n  from:\n  - targetRef: {kind: Mesh}\n    default: {action: " + action + "}\n");
}

model::ResourcePtr webDataplane() {
  return resource(R"(
type: Dataplane
mesh: default
name: web-1
networking:
  address: 10.0.0.1
  inbound:
  - port: 8080
    tags: {kuma.io/service: web, version: v1}
  - port: 9090
    address: 10.0.0.2
    tags: {kuma.io/service: metrics}
)");
}

std::vector<std::string> names(const std::vector<model::ResourcePtr>& ps) {
  std::vector<std::string> out;
  for (const auto& p : ps) out.push_back(p->meta.name);
  return out;
}

TEST(MatchDataplane, SelectsPerInboundAndOrdersByKindThenName) {
  auto m = matchDataplane(*webDataplane(),
                          {mtp("zz-mesh", "{kind: Mesh}", "Deny"),
                           mtp("b-web", "{kind: MeshService, name: web}", "Allow"),
                           mtp("a-web", "{kind: MeshService, name: web}", "Deny"),
                           mtp("subset", "{kind: MeshSubset, tags: {version: v1}}", "Allow"),
                           mtp("other", "{kind: MeshService, name: backend}", "Allow")});
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(names(m->dataplane_policies),
            (std::vector<std::string>{"zz-mesh", "subset", "a-web", "b-web"}));
  InboundListener web{"10.0.0.1", 8080}, metrics{"10.0.0.2", 9090};
  EXPECT_EQ(names(m->by_inbound[metrics]), std::vector<std::string>{"zz-mesh"});
  // On a tie of kinds the greater name is merged last and wins (Kuma 2.2).
  const Rules& web_rules = m->from_rules.rules[web];
  ASSERT_EQ(web_rules.size(), 1u);
  EXPECT_EQ(web_rules[0].conf["action"], "Allow");
  EXPECT_EQ(web_rules[0].origins.size(), 4u);
  EXPECT_EQ(m->from_rules.rules[metrics][0].conf["action"], "Deny");
  // MeshTrafficPermission has no `to`: no to-rules.
  EXPECT_TRUE(m->to_rules.rules.empty());
}

TEST(MatchDataplane, TagsOfSeveralInboundsDoNotAddUp) {
  auto m = matchDataplane(
      *webDataplane(),
      {mtp("p", "{kind: MeshServiceSubset, name: metrics, tags: {version: v1}}", "Allow")});
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->dataplane_policies.empty());
}

TEST(MatchDataplane, MeshGatewayRouteAndInboundlessDataplanesMatchNothing) {
  auto m =
      matchDataplane(*webDataplane(), {mtp("r", "{kind: MeshGatewayRoute, name: r}", "Allow")});
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->dataplane_policies.empty());
  auto delegated = resource(R"(
type: Dataplane
mesh: default
name: gw
networking:
  address: 10.0.0.9
  gateway: {tags: {kuma.io/service: edge}}
)");
  auto m2 = matchDataplane(*delegated, {mtp("all", "{kind: Mesh}", "Allow")});
  ASSERT_TRUE(m2.ok());
  EXPECT_TRUE(m2->dataplane_policies.empty());
}

TEST(MatchDataplane, ToRulesTypedConfsAndDurations) {
  auto timeout = resource(R"(
type: MeshTimeout
mesh: default
name: t
spec:
  targetRef: {kind: Mesh}
  to:
  - targetRef: {kind: Mesh}
    default: {connectionTimeout: 2s, http: {requestTimeout: 1m}}
  - targetRef: {kind: MeshService, name: db}
    default: {http: {requestTimeout: 90s}}
)");
  auto m = matchDataplane(*webDataplane(), {timeout});
  ASSERT_TRUE(m.ok()) << m.status();
  const Rule* db = m->to_rules.forService("db");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->conf,
            Json::parse(R"({"connectionTimeout":"2s","http":{"requestTimeout":"1m30s"}})"));
  ASSERT_NE(db->typed_conf, nullptr);
  EXPECT_EQ(db->typed_conf->GetDescriptor()->name(), "Conf");
  EXPECT_EQ(m->to_rules.forService("web")->conf["http"]["requestTimeout"], "1m0s");
  // MeshTimeout has `from` too: one (empty) rule list per selected inbound.
  EXPECT_EQ(m->from_rules.rules.size(), 2u);
}

TEST(MatchDataplane, ProxyPatchModificationsAreAppendedAcrossPolicies) {
  auto patch = [](const std::string& name, const std::string& top, const std::string& cluster) {
    return resource(
        "type: MeshProxyPatch\nmesh: default\nname: " + name + "\nspec:\n  targetRef: " + top +
        "\n  default:\n    appendModifications:\n    - cluster:\n        operation: Add\n" +
        "        value: 'name: " + cluster + "'\n");
  };
  auto m = matchDataplane(*webDataplane(), {patch("b", "{kind: MeshService, name: web}", "two"),
                                            patch("a", "{kind: Mesh}", "one")});
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->single_item_rules.rules.size(), 1u);
  const Json& mods = m->single_item_rules.rules[0].conf["appendModifications"];
  ASSERT_EQ(mods.size(), 2u);
  EXPECT_EQ(mods[0]["cluster"]["value"], "name: one");
  EXPECT_EQ(mods[1]["cluster"]["value"], "name: two");
}

TEST(MatchDataplane, HttpRouteRulesMergeByMatches) {
  auto route = [](const std::string& name, const std::string& top, const std::string& backend,
                  const std::string& path) {
    return resource("type: MeshHTTPRoute\nmesh: default\nname: " + name + "\nspec:\n  targetRef: " +
                    top + "\n  to:\n  - targetRef: {kind: MeshService, name: api}\n    rules:\n" +
                    "    - matches: [{path: {type: Prefix, value: " + path + "}}]\n" +
                    "      default: {backendRefs: [{kind: MeshService, name: " + backend + "}]}\n");
  };
  auto m = matchDataplane(*webDataplane(),
                          {route("r1", "{kind: Mesh}", "api-v1", "/v1"),
                           route("r2", "{kind: MeshService, name: web}", "api-v2", "/v1"),
                           route("r3", "{kind: Mesh}", "api-v3", "/v3")});
  ASSERT_TRUE(m.ok()) << m.status();
  const Rule* api = m->to_rules.forService("api");
  ASSERT_NE(api, nullptr);
  const Json& rules = api->conf["rules"];
  ASSERT_EQ(rules.size(), 2u);  // /v1 (r1 then r2 merged; r2 wins), then /v3
  EXPECT_EQ(rules[0]["default"]["backendRefs"][0]["name"], "api-v2");
  EXPECT_EQ(rules[1]["default"]["backendRefs"][0]["name"], "api-v3");
  using policies::meshhttproute::v1alpha1::MeshHTTPRoute;
  ASSERT_NE(api->typed_conf, nullptr);
  EXPECT_EQ(static_cast<const MeshHTTPRoute::To&>(*api->typed_conf).rules_size(), 2);
}

TEST(MatchDataplane, AccessLogEmptyBackendsTurnLoggingOff) {
  auto log = resource(R"(
type: MeshAccessLog
mesh: default
name: all
spec:
  targetRef: {kind: Mesh}
  to:
  - targetRef: {kind: Mesh}
    default: {backends: [{file: {path: /tmp/a}}]}
  - targetRef: {kind: MeshService, name: db}
    default: {backends: []}
)");
  auto m = matchDataplane(*webDataplane(), {log});
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->to_rules.forService("db")->conf, Json::parse(R"({"backends":[]})"));
  EXPECT_EQ(m->to_rules.forService("web")->conf["backends"].size(), 1u);
}

// Kuma's pointer-to-slice lists: a later explicit `[]` replaces an earlier
// list, an absent list keeps it.
TEST(MatchDataplane, ExplicitlyEmptyListOverridesAndAbsentKeeps) {
  auto retry = resource(R"(
type: MeshRetry
mesh: default
name: r
spec:
  targetRef: {kind: Mesh}
  to:
  - targetRef: {kind: Mesh}
    default: {grpc: {numRetries: 2, retryOn: [Unavailable]}}
  - targetRef: {kind: MeshService, name: db}
    default: {grpc: {retryOn: []}}
  - targetRef: {kind: MeshService, name: api}
    default: {grpc: {numRetries: 4}}
)");
  auto m = matchDataplane(*webDataplane(), {retry});
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->to_rules.forService("db")->conf,
            Json::parse(R"({"grpc":{"numRetries":2,"retryOn":[]}})"));
  EXPECT_EQ(m->to_rules.forService("api")->conf,
            Json::parse(R"({"grpc":{"numRetries":4,"retryOn":["Unavailable"]}})"));
  // The merged typed conf keeps the explicit `[]` too.
  EXPECT_EQ(model::encodeMessage(*m->to_rules.forService("db")->typed_conf)["grpc"]["retryOn"],
            Json::array());
}

TEST(MatchDataplane, ExplicitlyEmptyFaultListOverridesAnEarlierFromItem) {
  auto fault = [](const std::string& name, const std::string& conf) {
    return resource("type: MeshFaultInjection\nmesh: default\nname: " + name +
                    "\nspec:\n  targetRef: {kind: Mesh}\n  from:\n" +
                    "  - targetRef: {kind: Mesh}\n    default: " + conf + "\n");
  };
  auto abort = fault("a", "{http: [{abort: {httpStatus: 503, percentage: 100}}]}");
  auto cleared = fault("b", "{http: []}");
  auto absent = fault("c", "{}");
  auto m = matchDataplane(*webDataplane(), {abort, cleared});
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->from_rules.rules.size(), 2u);  // both inbounds
  for (const auto& [inbound, rules] : m->from_rules.rules) {
    ASSERT_EQ(rules.size(), 1u);
    EXPECT_EQ(rules[0].conf, Json::parse(R"({"http":[]})"));
  }
  m = matchDataplane(*webDataplane(), {abort, absent});
  ASSERT_TRUE(m.ok()) << m.status();
  for (const auto& [inbound, rules] : m->from_rules.rules) {
    ASSERT_EQ(rules.size(), 1u);
    EXPECT_EQ(rules[0].conf["http"].size(), 1u);
  }
}

TEST(MatchDataplane, TcpRouteConfIsTheFirstRuleOrTheDestination) {
  auto route = resource(R"(
type: MeshTCPRoute
mesh: default
name: tcp
spec:
  targetRef: {kind: Mesh}
  to:
  - targetRef: {kind: MeshService, name: db}
  - targetRef: {kind: MeshService, name: cache}
    rules:
    - default: {backendRefs: [{kind: MeshService, name: cache-v2, weight: 3}]}
)");
  auto m = matchDataplane(*webDataplane(), {route});
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->to_rules.forService("db")->conf,
            Json::parse(
                R"({"default":{"backendRefs":[{"kind":"MeshService","name":"db","weight":1}]}})"));
  EXPECT_EQ(m->to_rules.forService("cache")->conf["default"]["backendRefs"][0]["name"], "cache-v2");
  EXPECT_NE(m->to_rules.forService("cache")->typed_conf, nullptr);
}

TEST(MatchEgress, PoliciesWithBothSectionsAreRefused) {
  auto es = resource(R"(
type: ExternalService
mesh: default
name: db
networking: {address: db.example.com:5432}
tags: {kuma.io/service: db}
)");
  auto timeout = resource(R"(
type: MeshTimeout
mesh: default
name: t
spec:
  targetRef: {kind: Mesh}
  to:
  - targetRef: {kind: Mesh}
    default: {connectionTimeout: 2s}
)");
  EXPECT_FALSE(matchEgress(*es, {timeout}).ok());
}

TEST(SelectGateway, BestRankThenNewest) {
  auto dp = resource(R"(
type: Dataplane
mesh: default
name: gw
networking:
  address: 10.0.0.9
  gateway: {type: BUILTIN, tags: {kuma.io/service: edge, zone: a}}
)");
  MeshGatewayInfo any{"any", absl::FromUnixSeconds(5), {{}}, {}, {}};
  MeshGatewayInfo edge{"edge", absl::FromUnixSeconds(1), {{{"kuma.io/service", "edge"}}}, {}, {}};
  MeshGatewayInfo wild{"wild", absl::FromUnixSeconds(9), {{{"kuma.io/service", "*"}}}, {}, {}};
  MeshGatewayInfo newer{"newer", absl::FromUnixSeconds(3), {{{"zone", "a"}}}, {}, {}};
  EXPECT_EQ(selectGateway(*dp, {any, wild})->name, "wild");
  EXPECT_EQ(selectGateway(*dp, {wild, edge})->name, "edge");    // exact beats `*`
  EXPECT_EQ(selectGateway(*dp, {edge, newer})->name, "newer");  // tie: newest
  MeshGatewayInfo other{"other", absl::UnixEpoch(), {{{"kuma.io/service", "x"}}}, {}, {}};
  EXPECT_EQ(selectGateway(*dp, {other}), nullptr);
}

}  // namespace
}  // namespace ursa::policy
