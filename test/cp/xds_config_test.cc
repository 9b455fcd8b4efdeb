// GET .../dataplanes/{name}/xds's content (src/cp/xds_config.h): the
// SnapshotCache's resources as Envoy JSON, private keys redacted.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/secret.pb.h"
#include "src/core/default_policies.h"
#include "src/core/resource_manager.h"
#include "src/cp/xds_config.h"

namespace ursa::cp {
namespace {

using ::testing::HasSubstr;

TEST(XdsConfigTest, RendersTheSnapshotOfAConnectedProxy) {
  envoy::config::cluster::v3::Cluster cluster;
  cluster.set_name("backend");
  cluster.mutable_connect_timeout()->set_seconds(5);
  envoy::extensions::transport_sockets::tls::v3::Secret secret;
  secret.set_name("identity_cert:secret:default");
  secret.mutable_tls_certificate()->mutable_certificate_chain()->set_inline_string("CERT");
  secret.mutable_tls_certificate()->mutable_private_key()->set_inline_string("KEY");
  xds::SnapshotCache cache;
  cache.set("default.web-1", xds::SnapshotBuilder()
                                 .add(xds::TypeIndex::Cluster, "backend", cluster)
                                 .add(xds::TypeIndex::Secret, secret.name(), secret)
                                 .build());

  auto json = xdsConfigJson(cache, "default", "web-1");
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ((*json)["node"], "default.web-1");
  const auto& clusters = (*json)["types"]["Cluster"]["resources"];
  ASSERT_EQ(clusters.size(), 1u);
  EXPECT_EQ(clusters[0]["name"], "backend");
  EXPECT_EQ(clusters[0]["resource"]["connectTimeout"], "5s");
  EXPECT_EQ(clusters[0]["resource"]["@type"], "type.googleapis.com/envoy.config.cluster.v3.Cluster");
  const auto& tls = (*json)["types"]["Secret"]["resources"][0]["resource"]["tlsCertificate"];
  EXPECT_EQ(tls["certificateChain"]["inlineString"], "CERT");
  EXPECT_EQ(tls["privateKey"]["inlineString"], "[redacted]");
  EXPECT_THAT(json->dump(), testing::Not(HasSubstr("KEY\"")));
}

TEST(XdsConfigTest, CarriesTheSnapshotsGeneratorWarningsSortedAndDistinct) {
  xds::SnapshotCache cache;
  cache.set("default.web-1", xds::SnapshotBuilder()
                                 .addWarning("MeshRetry grpc.perTryTimeout: not supported")
                                 .addWarning("MeshCircuitBreaker connectionLimits: maxRequests only")
                                 .addWarning("MeshRetry grpc.perTryTimeout: not supported")
                                 .build());
  std::vector<std::string> expected = {"MeshCircuitBreaker connectionLimits: maxRequests only",
                                       "MeshRetry grpc.perTryTimeout: not supported"};
  auto json = xdsConfigJson(cache, "default", "web-1");
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ((*json)["warnings"], model::Json(expected));
  EXPECT_EQ(xdsWarnings(cache, "default", "web-1"), expected);

  cache.set("default.web-2", xds::SnapshotBuilder().build());
  EXPECT_EQ((*xdsConfigJson(cache, "default", "web-2"))["warnings"], model::Json::array());
  EXPECT_EQ(xdsWarnings(cache, "default", "web-2"), std::vector<std::string>{});
}

TEST(XdsConfigTest, AProxyThatIsNotConnectedIsNotFound) {
  xds::SnapshotCache cache;
  auto json = xdsConfigJson(cache, "default", "web-1");
  EXPECT_TRUE(absl::IsNotFound(json.status()));
  EXPECT_THAT(json.status().message(), HasSubstr("is not connected to this control plane"));
  EXPECT_EQ(xdsWarnings(cache, "default", "web-1"), std::nullopt);
}

TEST(DefaultPoliciesTest, AreValidPoliciesOfTheMesh) {
  auto policies = core::defaultPoliciesFor("prod");
  ASSERT_EQ(policies.size(), 4u);
  std::vector<std::string> names;
  for (const auto& p : policies) {
    names.push_back(p.meta.name);
    EXPECT_EQ(p.meta.mesh, "prod");
    auto prepared = core::ResourceManager::prepare(p);
    EXPECT_TRUE(prepared.ok()) << p.meta.name << ": " << prepared.status();
  }
  EXPECT_THAT(names, testing::ElementsAre("allow-all-prod", "mesh-timeout-all-prod",
                                          "mesh-circuit-breaker-all-prod", "mesh-retry-all-prod"));
}

}  // namespace
}  // namespace ursa::cp
