// What a simulated Envoy subscribes to and when it counts as complete: the
// EDS/SDS/RDS names read out of clusters and listeners, SotW replacement,
// delta updates, and the Probe's delivery accounting.

#include <gtest/gtest.h>

#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/tls.pb.h"
#include "src/loadsim/envoy_refs.h"
#include "src/loadsim/probe.h"
#include "src/loadsim/proxy_config.h"

namespace ursa::loadsim {
namespace {

namespace tls = envoy::extensions::transport_sockets::tls::v3;
using envoy::config::cluster::v3::Cluster;
using envoy::config::endpoint::v3::ClusterLoadAssignment;
using envoy::config::listener::v3::Listener;
using envoy::extensions::filters::network::http_connection_manager::v3::HttpConnectionManager;
using xds::TypeIndex;

std::string edsCluster(const std::string& name, bool mtls) {
  Cluster c;
  c.set_name(name);
  c.set_type(Cluster::EDS);
  if (mtls) {
    tls::UpstreamTlsContext ctx;
    ctx.mutable_common_tls_context()->add_tls_certificate_sds_secret_configs()->set_name("id");
    ctx.mutable_common_tls_context()
        ->mutable_combined_validation_context()
        ->mutable_validation_context_sds_secret_config()
        ->set_name("ca");
    c.mutable_transport_socket()->set_name("envoy.transport_sockets.tls");
    c.mutable_transport_socket()->mutable_typed_config()->PackFrom(ctx);
  }
  return c.SerializeAsString();
}

std::string rdsListener(const std::string& name, const std::string& route) {
  Listener l;
  l.set_name(name);
  auto* chain = l.add_filter_chains();
  HttpConnectionManager hcm;
  hcm.mutable_rds()->set_route_config_name(route);
  chain->add_filters()->mutable_typed_config()->PackFrom(hcm);
  tls::DownstreamTlsContext down;
  down.mutable_common_tls_context()->mutable_validation_context_sds_secret_config()->set_name("ca");
  chain->mutable_transport_socket()->mutable_typed_config()->PackFrom(down);
  return l.SerializeAsString();
}

std::string cla(const std::string& name, const std::string& address, uint32_t port) {
  ClusterLoadAssignment c;
  c.set_cluster_name(name);
  auto* sa = c.add_endpoints()->add_lb_endpoints()->mutable_endpoint()->mutable_address()
                 ->mutable_socket_address();
  sa->set_address(address);
  sa->set_port_value(port);
  return c.SerializeAsString();
}

TEST(EnvoyRefsTest, ClustersReferToEndpointsAndSecrets) {
  auto in = inspect(TypeIndex::Cluster, edsCluster("backend", true));
  EXPECT_EQ(in.name, "backend");
  EXPECT_EQ(in.refs.endpoints, (std::set<std::string>{"backend"}));
  EXPECT_EQ(in.refs.secrets, (std::set<std::string>{"ca", "id"}));
  auto plain = inspect(TypeIndex::Cluster, edsCluster("web", false));
  EXPECT_TRUE(plain.refs.secrets.empty());
}

TEST(EnvoyRefsTest, ListenersReferToRoutesAndSecrets) {
  auto in = inspect(TypeIndex::Listener, rdsListener("inbound", "r1"));
  EXPECT_EQ(in.name, "inbound");
  EXPECT_EQ(in.refs.routes, (std::set<std::string>{"r1"}));
  EXPECT_EQ(in.refs.secrets, (std::set<std::string>{"ca"}));
  EXPECT_TRUE(in.refs.endpoints.empty());
}

TEST(EnvoyRefsTest, NamesAndEndpointsOfLoadAssignments) {
  std::string bytes = cla("backend", "10.0.0.1", 8080);
  EXPECT_EQ(inspect(TypeIndex::Endpoint, bytes).name, "backend");
  EXPECT_TRUE(hasEndpoint(bytes, "10.0.0.1", 8080));
  EXPECT_FALSE(hasEndpoint(bytes, "10.0.0.1", 18080));
  EXPECT_FALSE(hasEndpoint("not a message \xff", "10.0.0.1", 8080));
}

std::string inlineRouteListener(int64_t timeout_ms) {
  Listener l;
  l.set_name("inbound:10.0.0.1:8080");
  HttpConnectionManager hcm;
  auto* route = hcm.mutable_route_config()->add_virtual_hosts()->add_routes();
  route->mutable_route()->set_cluster("localhost:8080");
  route->mutable_route()->mutable_timeout()->set_seconds(timeout_ms / 1000);
  route->mutable_route()->mutable_timeout()->set_nanos(static_cast<int32_t>(timeout_ms % 1000) * 1'000'000);
  l.add_filter_chains()->add_filters()->mutable_typed_config()->PackFrom(hcm);
  return l.SerializeAsString();
}

TEST(EnvoyRefsTest, RouteTimeoutOfInlineRoutes) {
  EXPECT_EQ(routeTimeoutMs(inlineRouteListener(17'000)), 17'000);
  EXPECT_EQ(routeTimeoutMs(inlineRouteListener(250)), 250);
  EXPECT_EQ(routeTimeoutMs(inlineRouteListener(0)), 0);
  EXPECT_EQ(routeTimeoutMs(rdsListener("inbound", "r1")), std::nullopt);  // no inline route
  EXPECT_EQ(routeTimeoutMs("not a message \xff"), std::nullopt);
}

TEST(ProxyConfigTest, CompleteOnceEveryWantedNameIsHeld) {
  ProxyConfig c;
  EXPECT_FALSE(c.complete());
  c.replace(TypeIndex::Cluster, {inspect(TypeIndex::Cluster, edsCluster("a", true)),
                                 inspect(TypeIndex::Cluster, edsCluster("b", true))});
  c.replace(TypeIndex::Listener, {inspect(TypeIndex::Listener, rdsListener("l", "r"))});
  EXPECT_EQ(c.wanted(TypeIndex::Endpoint), (std::set<std::string>{"a", "b"}));
  EXPECT_EQ(c.wanted(TypeIndex::Secret), (std::set<std::string>{"ca", "id"}));
  EXPECT_EQ(c.wanted(TypeIndex::Route), (std::set<std::string>{"r"}));
  EXPECT_TRUE(c.wanted(TypeIndex::Cluster).empty());
  EXPECT_FALSE(c.complete());
  c.replace(TypeIndex::Endpoint, {{"a", {}}, {"b", {}}});
  c.replace(TypeIndex::Secret, {{"ca", {}}, {"id", {}}});
  EXPECT_FALSE(c.complete()) << "the route is still missing";
  c.replace(TypeIndex::Route, {{"r", {}}});
  EXPECT_TRUE(c.complete());
  // A new cluster wants endpoints the proxy does not hold yet.
  c.update(TypeIndex::Cluster, {inspect(TypeIndex::Cluster, edsCluster("c", true))}, {});
  EXPECT_FALSE(c.complete());
  c.update(TypeIndex::Cluster, {}, {"c"});
  EXPECT_TRUE(c.complete());
}

TEST(ProxyConfigTest, SotwReplacesWhatDeltaUpdates) {
  ProxyConfig c;
  c.replace(TypeIndex::Endpoint, {{"a", {}}, {"b", {}}});
  c.replace(TypeIndex::Endpoint, {{"b", {}}});
  EXPECT_EQ(c.held(TypeIndex::Endpoint), (std::set<std::string>{"b"}));
  c.update(TypeIndex::Endpoint, {{"c", {}}}, {"b"});
  EXPECT_EQ(c.held(TypeIndex::Endpoint), (std::set<std::string>{"c"}));
}

TEST(ProbeTest, CountsExpectedDeliveriesOnceAndOthersApart) {
  Probe p(TypeIndex::Cluster, "x", [](const std::string* b) { return b == nullptr; }, {0, 2}, 4);
  EXPECT_EQ(p.expectedCount(), 2u);
  EXPECT_TRUE(p.holds(nullptr));
  p.start();
  p.record(0, false);
  p.record(0, false);  // a second ACK of the same proxy is not counted
  p.record(1, false);  // not expected
  EXPECT_EQ(p.deliveredCount(), 1u);
  EXPECT_EQ(p.unexpectedCount(), 1u);
  EXPECT_LT(p.allDeliveredAfter(), 0);
  EXPECT_FALSE(p.waitAll(std::chrono::steady_clock::now()));
  p.record(2, true);
  EXPECT_TRUE(p.waitAll(std::chrono::steady_clock::now()));
  EXPECT_EQ(p.nackCount(), 1u);
  EXPECT_EQ(p.acknowledged(), (std::vector<size_t>{0}));  // 2 NACKed, 1 not expected
  EXPECT_EQ(p.delays().size(), 2u);
  EXPECT_GE(p.allDeliveredAfter(), 0);
}

TEST(ProbeTest, WatchesOneResourcePerProxyWhenGivenMany) {
  Probe p(TypeIndex::Listener, std::vector<std::string>{"l0", "l1", "l2"},
          [](const std::string* b) { return b != nullptr; }, {0, 1, 2}, 3);
  EXPECT_EQ(p.resource(0), "l0");
  EXPECT_EQ(p.resource(2), "l2");
  Probe shared(TypeIndex::Cluster, "x", [](const std::string*) { return true; }, {0, 1}, 2);
  EXPECT_EQ(shared.resource(0), "x");
  EXPECT_EQ(shared.resource(1), "x");
}

}  // namespace
}  // namespace ursa::loadsim
