// The local ADS relay (src/dp/ads_relay.h) between a scripted application
// (test/xds/ads_client.h) and the real ADS server over TLS: node identity
// and token reach the control plane, responses and ACKs flow both ways for
// state-of-the-world and delta, and each side's end reaches the other with
// its status; with a certificate gate, TLS configuration waits for the
// certificate files and nothing else does.

#include "src/dp/ads_relay.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/time/clock.h"
#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"
#include "test/dp/xds_test_support.h"
#include "test/xds/ads_client.h"

namespace ursa::dp {
namespace {

using envoy::service::discovery::v3::DeltaDiscoveryRequest;
using envoy::service::discovery::v3::DiscoveryRequest;
using envoy::service::discovery::v3::DiscoveryResponse;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

constexpr char kToken[] = "eyJhbGciOiJSUzI1NiJ9.eyJOYW1lIjoiYmFja2VuZC0xIn0.c2ln";
constexpr char kNode[] = "default.backend-1";

envoy::config::cluster::v3::Cluster cluster(const std::string& name, int timeout_s = 5) {
  envoy::config::cluster::v3::Cluster c;
  c.set_name(name);
  c.mutable_connect_timeout()->set_seconds(timeout_s);
  return c;
}

class AdsRelayTest : public ::testing::Test {
 protected:
  void SetUp() override { startRelay(fixedToken(kToken)); }
  void TearDown() override {
    if (relay_) relay_->stop();
  }

  void startRelay(TokenSource token, std::shared_ptr<CertificateGate> gate = nullptr) {
    auto r = AdsRelay::start({.upstream = makeCpChannel(cp_.address(), cp_.ca_pem),
                              .token = std::move(token),
                              .identity = {kNode, "grpc"},
                              .certificates = std::move(gate)});
    ASSERT_TRUE(r.ok()) << r.status();
    relay_ = std::move(*r);
    app_channel_ = grpc::CreateChannel(relay_->address(), grpc::InsecureChannelCredentials());
  }

  void setClusters(std::vector<envoy::config::cluster::v3::Cluster> cs) {
    xds::SnapshotBuilder b;
    for (const auto& c : cs) b.add(xds::TypeIndex::Cluster, c.name(), c);
    cp_.cache.set(kNode, b.build());
  }

  // What gRPC's xDS client sends first: its own node id and user agent.
  static DiscoveryRequest appRequest() {
    DiscoveryRequest r;
    r.set_type_url(std::string(xds::typeUrl(xds::TypeIndex::Cluster)));
    r.mutable_node()->set_id("whatever-the-bootstrap-said");
    r.mutable_node()->set_user_agent_name("gRPC C++");
    r.mutable_node()->set_user_agent_version("1.51.1");
    return r;
  }

  static DiscoveryRequest ack(const DiscoveryResponse& res) {
    DiscoveryRequest r;
    r.set_type_url(res.type_url());
    r.set_version_info(res.version_info());
    r.set_response_nonce(res.nonce());
    return r;
  }

  test::TlsAdsUpstream cp_{kToken};
  std::unique_ptr<AdsRelay> relay_;
  std::shared_ptr<grpc::Channel> app_channel_;
};

TEST_F(AdsRelayTest, ForcesTheNodeIdentityAndPresentsTheToken) {
  setClusters({cluster("backend")});
  auto app = xds::test::openSotw(app_channel_);
  ASSERT_TRUE(app->send(appRequest()));
  auto res = app->next();
  ASSERT_TRUE(res) << "no response through the relay";
  EXPECT_EQ(res->resources_size(), 1);

  std::lock_guard lock(cp_.callbacks.mu_);
  ASSERT_EQ(cp_.callbacks.opened.size(), 1u);
  const xds::StreamInfo& seen = cp_.callbacks.opened[0];
  EXPECT_EQ(seen.node_id, kNode);
  EXPECT_EQ(seen.node.metadata().fields().at("ursa.proxy").string_value(), "grpc");
  EXPECT_EQ(seen.node.user_agent_name(), "gRPC C++");  // the application's, kept
  EXPECT_EQ(seen.node.user_agent_version(), "1.51.1");
  auto auth = seen.metadata.equal_range("authorization");
  ASSERT_EQ(std::distance(auth.first, auth.second), 1);
  EXPECT_EQ(auth.first->second, kToken);
}

TEST_F(AdsRelayTest, AddsTheNodeWhenTheFirstRequestHasNone) {
  setClusters({cluster("backend")});
  auto app = xds::test::openSotw(app_channel_);
  DiscoveryRequest r = appRequest();
  r.clear_node();
  ASSERT_TRUE(app->send(r));
  ASSERT_TRUE(app->next());
  std::lock_guard lock(cp_.callbacks.mu_);
  EXPECT_EQ(cp_.callbacks.opened.at(0).node_id, kNode);
}

TEST_F(AdsRelayTest, RelaysAcksAndLaterPushesInOrder) {
  setClusters({cluster("backend", 1)});
  auto app = xds::test::openSotw(app_channel_);
  ASSERT_TRUE(app->send(appRequest()));
  auto first = app->next();
  ASSERT_TRUE(first);
  ASSERT_TRUE(app->send(ack(*first)));
  ASSERT_TRUE(cp_.callbacks.waitFor([&] { return cp_.callbacks.acks >= 1; }));

  // Pushes after the ACK arrive one by one, each after the previous ACK.
  for (int i = 2; i <= 20; ++i) {
    setClusters({cluster("backend", i)});
    auto res = app->next();
    ASSERT_TRUE(res) << "push " << i;
    envoy::config::cluster::v3::Cluster c;
    ASSERT_TRUE(res->resources(0).UnpackTo(&c));
    EXPECT_EQ(c.connect_timeout().seconds(), i);
    ASSERT_TRUE(app->send(ack(*res)));
  }
  EXPECT_TRUE(cp_.callbacks.waitFor([&] { return cp_.callbacks.acks >= 20; }));
  EXPECT_FALSE(app->next(200ms)) << "nothing else is due";
}

TEST_F(AdsRelayTest, RelaysDeltaStreams) {
  setClusters({cluster("a"), cluster("b")});
  auto app = xds::test::openDelta(app_channel_);
  DeltaDiscoveryRequest r;
  r.set_type_url(std::string(xds::typeUrl(xds::TypeIndex::Cluster)));
  r.mutable_node()->set_id("app");
  r.add_resource_names_subscribe("a");
  ASSERT_TRUE(app->send(r));
  auto res = app->next();
  ASSERT_TRUE(res);
  ASSERT_EQ(res->resources_size(), 1);
  EXPECT_EQ(res->resources(0).name(), "a");
  std::lock_guard lock(cp_.callbacks.mu_);
  ASSERT_EQ(cp_.callbacks.opened.size(), 1u);
  EXPECT_TRUE(cp_.callbacks.opened[0].delta);
  EXPECT_EQ(cp_.callbacks.opened[0].node_id, kNode);
}

TEST_F(AdsRelayTest, TheControlPlanesRefusalReachesTheApplicationUnchanged) {
  relay_->stop();
  startRelay(fixedToken("a.wrong.token"));
  auto app = xds::test::openSotw(app_channel_);
  ASSERT_TRUE(app->send(appRequest()));
  auto status = app->status();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(status->error_message(), "invalid dataplane token");
}

TEST_F(AdsRelayTest, AnUnreadableTokenEndsTheStreamUnauthenticated) {
  relay_->stop();
  startRelay(tokenFromFile("/nonexistent/token"));
  auto app = xds::test::openSotw(app_channel_);
  app->send(appRequest());
  auto status = app->status();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(status->error_message(), HasSubstr("dataplane token file"));
  std::lock_guard lock(cp_.callbacks.mu_);
  EXPECT_TRUE(cp_.callbacks.opened.empty());
}

TEST_F(AdsRelayTest, AControlPlaneShutdownEndsTheApplicationsStream) {
  setClusters({cluster("backend")});
  auto app = xds::test::openSotw(app_channel_);
  ASSERT_TRUE(app->send(appRequest()));
  ASSERT_TRUE(app->next());
  cp_.stop();
  auto status = app->status();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(AdsRelayTest, AnUnreachableControlPlaneEndsTheStreamUnavailable) {
  cp_.stop();
  auto app = xds::test::openSotw(app_channel_);
  app->send(appRequest());
  auto status = app->status(10s);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(AdsRelayTest, TheApplicationGoingAwayClosesTheUpstreamStream) {
  setClusters({cluster("backend")});
  {
    auto app = xds::test::openSotw(app_channel_);
    ASSERT_TRUE(app->send(appRequest()));
    ASSERT_TRUE(app->next());
  }  // cancels the application's stream
  EXPECT_TRUE(cp_.callbacks.waitFor([&] { return cp_.callbacks.closed == 1; }));
  for (int i = 0; i < 50 && relay_->streamsOpen() > 0; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(relay_->streamsOpen(), 0u);
  EXPECT_EQ(relay_->streamsStarted(), 1u);
}

TEST_F(AdsRelayTest, AHalfCloseGetsTheControlPlanesFinalStatus) {
  setClusters({cluster("backend")});
  auto app = xds::test::openSotw(app_channel_);
  ASSERT_TRUE(app->send(appRequest()));
  ASSERT_TRUE(app->next());
  app->closeSend();
  auto status = app->status();
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->ok()) << status->error_message();
}

TEST_F(AdsRelayTest, ManyConcurrentStreamsAndARelayStopEndsThemAll) {
  setClusters({cluster("backend")});
  std::vector<std::unique_ptr<xds::test::SotwClient>> apps;
  for (int i = 0; i < 10; ++i) {
    apps.push_back(xds::test::openSotw(app_channel_));
    ASSERT_TRUE(apps.back()->send(appRequest()));
  }
  for (auto& app : apps) ASSERT_TRUE(app->next());
  EXPECT_EQ(relay_->streamsOpen(), 10u);
  relay_->stop();
  for (auto& app : apps) {
    auto status = app->status();
    ASSERT_TRUE(status);
    EXPECT_FALSE(status->ok());
  }
  EXPECT_EQ(relay_->streamsOpen(), 0u);
  EXPECT_TRUE(cp_.callbacks.waitFor([&] { return cp_.callbacks.closed == 10; }));
}

// --- holding TLS configuration for the certificate files -----------------------

envoy::config::cluster::v3::Cluster tlsCluster(const std::string& name) {
  auto c = cluster(name);
  envoy::extensions::transport_sockets::tls::v3::UpstreamTlsContext tls;
  tls.mutable_common_tls_context()->mutable_tls_certificate_provider_instance()->set_instance_name(
      "default");
  c.mutable_transport_socket()->set_name("envoy.transport_sockets.tls");
  c.mutable_transport_socket()->mutable_typed_config()->PackFrom(tls);
  return c;
}

class AdsRelayHoldTest : public AdsRelayTest {
 protected:
  void SetUp() override {}
  void withGate(absl::Duration max_hold) {
    gate_ = std::make_shared<CertificateGate>(max_hold);
    startRelay(fixedToken(kToken), gate_);
  }
  std::shared_ptr<CertificateGate> gate_;
};

TEST_F(AdsRelayHoldTest, TlsClustersWaitForTheFilesAndGoAsSoonAsTheyAreWritten) {
  withGate(absl::Seconds(30));
  setClusters({tlsCluster("backend")});
  auto app = xds::test::openSotw(app_channel_);
  ASSERT_TRUE(app->send(appRequest()));
  EXPECT_FALSE(app->next(500ms)) << "TLS configuration before its certificate files";

  absl::Time written = absl::Now();
  gate_->filesWritten();
  auto res = app->next(2s);
  ASSERT_TRUE(res);
  EXPECT_LT(absl::Now() - written, absl::Milliseconds(500));
  envoy::config::cluster::v3::Cluster c;
  ASSERT_TRUE(res->resources(0).UnpackTo(&c));
  EXPECT_TRUE(c.has_transport_socket());
  ASSERT_TRUE(app->send(ack(*res)));  // the nonce the control plane sent
  EXPECT_TRUE(cp_.callbacks.waitFor([&] { return cp_.callbacks.acks >= 1; }));
}

TEST_F(AdsRelayHoldTest, ConfigurationWithoutTlsIsNeverHeld) {
  withGate(absl::Seconds(30));
  setClusters({cluster("backend")});
  auto app = xds::test::openSotw(app_channel_);
  ASSERT_TRUE(app->send(appRequest()));
  absl::Time asked = absl::Now();
  auto res = app->next(2s);
  ASSERT_TRUE(res) << "plaintext configuration held";
  EXPECT_LT(absl::Now() - asked, absl::Milliseconds(500));
  EXPECT_FALSE(gate_->isOpen());
}

TEST_F(AdsRelayHoldTest, OtherTypesFlowWhileTlsClustersAreHeld) {
  withGate(absl::Seconds(30));
  envoy::config::listener::v3::Listener api;
  api.set_name("echo.mesh:8080");
  xds::SnapshotBuilder b;
  b.add(xds::TypeIndex::Cluster, "backend", tlsCluster("backend"));
  b.add(xds::TypeIndex::Listener, api.name(), api);
  cp_.cache.set(kNode, b.build());

  auto app = xds::test::openSotw(app_channel_);
  ASSERT_TRUE(app->send(appRequest()));  // clusters
  DiscoveryRequest lds;
  lds.set_type_url(std::string(xds::typeUrl(xds::TypeIndex::Listener)));
  lds.add_resource_names(api.name());
  ASSERT_TRUE(app->send(lds));
  auto first = app->next(2s);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->type_url(), xds::typeUrl(xds::TypeIndex::Listener));
  DiscoveryRequest lds_ack = ack(*first);
  lds_ack.add_resource_names(api.name());
  ASSERT_TRUE(app->send(lds_ack));
  EXPECT_FALSE(app->next(300ms)) << "clusters before their certificate files";

  gate_->filesWritten();
  auto second = app->next(2s);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->type_url(), xds::typeUrl(xds::TypeIndex::Cluster));
}

TEST_F(AdsRelayHoldTest, AHoldEndsAfterTheMaximumEvenWithoutFiles) {
  withGate(absl::Milliseconds(400));
  setClusters({tlsCluster("backend")});
  auto app = xds::test::openSotw(app_channel_);
  absl::Time asked = absl::Now();
  ASSERT_TRUE(app->send(appRequest()));
  auto res = app->next(3s);
  ASSERT_TRUE(res) << "held past the maximum";
  EXPECT_GE(absl::Now() - asked, absl::Milliseconds(400));
  EXPECT_FALSE(gate_->isOpen());
}

TEST_F(AdsRelayHoldTest, AStreamEndingWhileHoldingIsCleanedUp) {
  withGate(absl::Seconds(30));
  setClusters({tlsCluster("backend")});
  {
    auto app = xds::test::openSotw(app_channel_);
    ASSERT_TRUE(app->send(appRequest()));
    EXPECT_FALSE(app->next(300ms));
  }  // cancelled while its clusters are held
  for (int i = 0; i < 50 && relay_->streamsOpen() > 0; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(relay_->streamsOpen(), 0u);
  gate_->filesWritten();  // finds nothing to write to
  auto app = xds::test::openSotw(app_channel_);
  ASSERT_TRUE(app->send(appRequest()));
  EXPECT_TRUE(app->next(2s)) << "the gate is open now";
}

}  // namespace
}  // namespace ursa::dp
