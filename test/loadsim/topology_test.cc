// The simulated topology: mesh-perf's shape (services x 2 instances, a
// random DAG of dependencies), determinism under a seed, and the Dataplanes
// it registers.

#include "src/loadsim/topology.h"

#include <gtest/gtest.h>

#include <set>

namespace ursa::loadsim {
namespace {

TEST(TopologyTest, TwoInstancesPerServiceAndUniqueAddresses) {
  auto t = Topology::generate({.proxies = 7, .seed = 3, .mesh = "m"});
  ASSERT_EQ(t.services().size(), 4u);
  ASSERT_EQ(t.proxies().size(), 7u);
  EXPECT_EQ(t.services()[0].instances, (std::vector<size_t>{0, 1}));
  EXPECT_EQ(t.services()[3].instances, (std::vector<size_t>{6}));  // N odd: the last has one
  std::set<std::string> addresses, names;
  for (const auto& p : t.proxies()) {
    addresses.insert(p.address);
    names.insert(p.name);
  }
  EXPECT_EQ(addresses.size(), 7u);
  EXPECT_EQ(names.size(), 7u);
  EXPECT_EQ(t.nodeId(2), "m.svc-1-0");
}

TEST(TopologyTest, TheSameSeedGivesTheSameGraph) {
  auto a = Topology::generate({.proxies = 400, .seed = 42});
  auto b = Topology::generate({.proxies = 400, .seed = 42});
  auto c = Topology::generate({.proxies = 400, .seed = 43});
  bool differs = false;
  for (size_t s = 0; s < a.services().size(); ++s) {
    EXPECT_EQ(a.services()[s].dependencies, b.services()[s].dependencies);
    EXPECT_EQ(a.services()[s].protocol, b.services()[s].protocol);
    differs = differs || a.services()[s].dependencies != c.services()[s].dependencies;
  }
  EXPECT_TRUE(differs);
}

TEST(TopologyTest, DependenciesFormADagWithAboutThreeEdgesPerServiceAtScale) {
  auto t = Topology::generate({.proxies = 2000, .seed = 7});
  for (size_t s = 0; s < t.services().size(); ++s) {
    for (size_t d : t.services()[s].dependencies) {
      EXPECT_GT(d, s) << "edges only go forward: no cycles";
      const auto& consumers = t.services()[d].consumers;
      EXPECT_NE(std::find(consumers.begin(), consumers.end(), s), consumers.end());
    }
  }
  // 0.5 * (H(1000) - 1) ~= 3.2 expected; allow for the draw.
  EXPECT_GT(t.meanDependencies(), 2.5);
  EXPECT_LT(t.meanDependencies(), 4.0);
}

TEST(TopologyTest, ProxiesReachingAServiceAreTheInstancesOfItsConsumers) {
  auto t = Topology::generate({.proxies = 200, .seed = 1});
  size_t s = t.mostConsumedService();
  const auto& consumers = t.services()[s].consumers;
  ASSERT_FALSE(consumers.empty());
  for (size_t other = 0; other < t.services().size(); ++other) {
    EXPECT_LE(t.services()[other].consumers.size(), consumers.size());
  }
  auto reaching = t.proxiesReaching(s);
  EXPECT_EQ(reaching.size(), 2 * consumers.size());
  for (size_t p : reaching) {
    const auto& deps = t.services()[t.proxies()[p].service].dependencies;
    EXPECT_NE(std::find(deps.begin(), deps.end(), s), deps.end());
  }
}

TEST(TopologyTest, DataplaneHasInboundOutboundsAndReachableServices) {
  auto t = Topology::generate({.proxies = 200, .seed = 1, .mesh = "m"});
  size_t consumer = t.services()[t.mostConsumedService()].consumers.front();
  size_t proxy = t.services()[consumer].instances.front();
  auto dp = t.dataplane(proxy);
  EXPECT_EQ(dp["type"], "Dataplane");
  EXPECT_EQ(dp["mesh"], "m");
  EXPECT_EQ(dp["name"], t.proxies()[proxy].name);
  const auto& net = dp["networking"];
  EXPECT_EQ(net["address"], t.proxies()[proxy].address);
  EXPECT_EQ(net["inbound"][0]["port"], 8080);
  EXPECT_EQ(net["inbound"][0]["tags"]["kuma.io/service"], t.services()[consumer].name);
  std::string protocol = net["inbound"][0]["tags"]["kuma.io/protocol"];
  EXPECT_TRUE(protocol == "http" || protocol == "grpc") << protocol;
  const auto& deps = t.services()[consumer].dependencies;
  ASSERT_EQ(net["outbound"].size(), deps.size());
  ASSERT_EQ(net["transparentProxying"]["reachableServices"].size(), deps.size());
  for (size_t k = 0; k < deps.size(); ++k) {
    EXPECT_EQ(net["outbound"][k]["tags"]["kuma.io/service"], t.services()[deps[k]].name);
    EXPECT_EQ(net["transparentProxying"]["reachableServices"][k], t.services()[deps[k]].name);
  }
  EXPECT_EQ(t.dataplane(proxy, 18080)["networking"]["inbound"][0]["port"], 18080);
}

TEST(TopologyTest, AServiceWithoutDependenciesReachesOnlyItself) {
  auto t = Topology::generate({.proxies = 20, .seed = 1});
  size_t last = t.services().size() - 1;  // nothing after it to depend on
  auto dp = t.dataplane(t.services()[last].instances.front());
  EXPECT_FALSE(dp["networking"].contains("outbound"));
  EXPECT_EQ(dp["networking"]["transparentProxying"]["reachableServices"],
            model::Json::array({t.services()[last].name}));
}

}  // namespace
}  // namespace ursa::loadsim
