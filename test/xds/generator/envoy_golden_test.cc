// Golden files of the Envoy profile: each case reads
// testdata/envoy/<case>.input.yaml (a Mesh named "default", Dataplanes, the
// first being the proxy under test, and policies), generates the proxy's
// snapshot and compares it with testdata/envoy/<case>.golden.yaml (format in
// golden_support.h).
//
// URSA_UPDATE_GOLDEN=1 rewrites the golden files under $URSA_SOURCE_DIR.
// Every generated resource must also pass the protoc-gen-validate rules.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "envoy/config/cluster/v3/cluster.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "src/store/cache/resource_cache.h"
#include "src/store/memory/memory_store.h"
#include "src/xds/generator/envoy/envoy_internal.h"
#include "src/xds/generator/generator.h"
#include "src/xds/validate/pgv_checker.h"
#include "test/xds/generator/golden_support.h"
#include "ursa/model/codec.h"
#include "ursa/model/registry.h"

namespace ursa::xds::gen {
namespace {

using golden::generateCase;
using golden::Generated;

Generated generateCase(const std::string& name) { return generateCase("envoy", name); }

class EnvoyGoldenTest : public ::testing::TestWithParam<std::string> {};

// The golden file, and every resource passing the protoc-gen-validate rules.
TEST_P(EnvoyGoldenTest, MatchesGoldenFileAndPassesPgvRules) { golden::expectGolden("envoy", GetParam()); }

TEST_P(EnvoyGoldenTest, GenerationIsDeterministic) {
  Generated a = generateCase(GetParam());
  Generated b = generateCase(GetParam());
  ASSERT_NE(a.snapshot, nullptr);
  ASSERT_NE(b.snapshot, nullptr);
  for (TypeIndex t : kPushOrder) {
    EXPECT_EQ(a.snapshot->version(t), b.snapshot->version(t)) << shortName(t);
    // Interned: the same bytes under the same name are the same object.
    ASSERT_EQ(a.snapshot->resources(t).size(), b.snapshot->resources(t).size());
    for (size_t i = 0; i < a.snapshot->resources(t).size(); ++i) {
      EXPECT_EQ(a.snapshot->resources(t)[i], b.snapshot->resources(t)[i]);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, EnvoyGoldenTest,
                         ::testing::Values("mtls-off", "mtls-strict", "mtls-permissive",
                                           "protocols", "no-ready-endpoints", "transparent-proxy",
                                           "transparent-proxy-no-passthrough",
                                           // targetRef policies (docs/policies.md)
                                           "policy-defaults", "policy-mtp", "policy-mtp-permissive",
                                           "policy-timeout", "policy-retry", "policy-fault",
                                           "policy-route", "policy-cluster",
                                           // observability and patches
                                           "policy-access-log", "policy-access-log-passthrough",
                                           "policy-access-log-otel", "policy-trace",
                                           "policy-trace-datadog", "policy-proxy-patch",
                                           "policy-healthcheck", "policy-ratelimit", "policy-hash",
                                           "policy-retry-hosts"),
                         [](const auto& param_info) {
                           std::string name = param_info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// The checker is not vacuous: a generated cluster, broken, is caught.
TEST(EnvoyGoldenPgvTest, CheckerCatchesABrokenGeneratedCluster) {
  Generated g = generateCase("mtls-strict");
  ASSERT_NE(g.snapshot, nullptr);
  auto r = g.snapshot->find(TypeIndex::Cluster, "backend");
  ASSERT_NE(r, nullptr);
  envoy::config::cluster::v3::Cluster cluster;
  ASSERT_TRUE(cluster.ParseFromString(r->bytes));
  ASSERT_TRUE(validate::check(cluster).empty());

  cluster.set_name("");
  cluster.mutable_connect_timeout()->set_seconds(-1);
  auto violations = validate::check(cluster);
  std::set<std::string> fields;
  for (const auto& v : violations) fields.insert(v.field);
  EXPECT_TRUE(fields.contains("name")) << validate::format(violations);
  EXPECT_TRUE(fields.contains("connect_timeout")) << validate::format(violations);
}

// Outbound clusters and endpoints do not depend on the proxy: another proxy
// reaching the same service gets the very same resource objects.
// The case's proxy moved to 10.0.0.9 and renamed web-2: the same tags.
ProxyContext otherProxy(const Generated& g) {
  auto copy = std::make_shared<model::Resource>(*g.ctx.dataplane);
  auto spec = std::make_shared<ursa::mesh::v1alpha1::Dataplane>(
      static_cast<const ursa::mesh::v1alpha1::Dataplane&>(*copy->spec));
  spec->mutable_networking()->set_address("10.0.0.9");
  copy->spec = spec;
  copy->meta.name = "web-2";
  ProxyContext other = g.ctx;
  other.dataplane = copy;
  return other;
}

TEST(EnvoyGoldenSharingTest, ProxiesShareServiceResources) {
  Generated g = generateCase("mtls-strict");
  ASSERT_NE(g.snapshot, nullptr);
  auto theirs = generateEnvoy(otherProxy(g));
  ASSERT_NE(g.snapshot->find(TypeIndex::Cluster, "backend"), nullptr);
  EXPECT_EQ(g.snapshot->find(TypeIndex::Cluster, "backend"),
            theirs->find(TypeIndex::Cluster, "backend"));
  EXPECT_EQ(g.snapshot->find(TypeIndex::Endpoint, "backend"),
            theirs->find(TypeIndex::Endpoint, "backend"));
  EXPECT_NE(g.snapshot->find(TypeIndex::Listener, "inbound:10.0.0.1:8080"), nullptr);
  EXPECT_EQ(theirs->find(TypeIndex::Listener, "inbound:10.0.0.1:8080"), nullptr);
  EXPECT_NE(theirs->find(TypeIndex::Listener, "inbound:10.0.0.9:8080"), nullptr);
}

// Clusters a MeshTimeout shapes are built once for every proxy under the same
// rules (memoised), not once per proxy, and still carry the policy.
TEST(EnvoyGoldenSharingTest, ProxiesUnderTheSameRulesShareBuiltClusters) {
  Generated g = generateCase("policy-timeout");
  ASSERT_NE(g.snapshot, nullptr);
  ProxyContext other = otherProxy(g);
  uint64_t hits_before = envoy_profile::resourceMemo().hits();
  auto theirs = generateEnvoy(other);
  EXPECT_GT(envoy_profile::resourceMemo().hits(), hits_before);
  auto mine = g.snapshot->find(TypeIndex::Cluster, "backend");
  ASSERT_NE(mine, nullptr);
  EXPECT_EQ(mine, theirs->find(TypeIndex::Cluster, "backend"));
  envoy::config::cluster::v3::Cluster cluster;
  ASSERT_TRUE(cluster.ParseFromString(mine->bytes));
  EXPECT_EQ(cluster.connect_timeout().nanos(), 500'000'000);  // the backend-specific rule
  EXPECT_EQ(g.snapshot->warnings(), theirs->warnings());
}

// The memo keeps clusters apart whose rules differ in any policy type: the
// same service under a different MeshHealthCheck (and nothing else changed)
// gets its own cluster, not the one built first.
TEST(EnvoyGoldenSharingTest, ClustersUnderDifferentHealthChecksAreNotShared) {
  std::string input = golden::readFile(golden::testdata("envoy", "policy-healthcheck.input.yaml"));
  const std::string ten = "interval: 10s", twenty = "interval: 20s";
  ASSERT_NE(input.find(ten), std::string::npos);
  Generated first = golden::generateInput("envoy", input);
  Generated second = golden::generateInput("envoy", input.replace(input.find(ten), ten.size(), twenty));
  ASSERT_NE(first.snapshot, nullptr);
  ASSERT_NE(second.snapshot, nullptr);
  auto intervalOf = [](const Generated& g) {
    auto r = g.snapshot->find(TypeIndex::Cluster, "backend");
    envoy::config::cluster::v3::Cluster cluster;
    if (r == nullptr || !cluster.ParseFromString(r->bytes) || cluster.health_checks().empty()) {
      return int64_t{-1};
    }
    return cluster.health_checks(0).interval().seconds();
  };
  EXPECT_EQ(intervalOf(first), 10);
  EXPECT_EQ(intervalOf(second), 20);
}

}  // namespace
}  // namespace ursa::xds::gen
