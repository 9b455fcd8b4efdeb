// ADS protocol conformance, SotW and delta, with a scripted client over a real
// gRPC connection: ordering, nonces, ACK/NACK (a NACKed resource keeps the
// last accepted one served), wildcard and named subscriptions, delta adds and
// removes, reconnects, and streams refused for bad input.

#include <gtest/gtest.h>

#include <mutex>

#include "grpcpp/generic/generic_stub.h"

#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/extensions/transport_sockets/tls/v3/secret.pb.h"
#include "src/xds/server/ads_server.h"
#include "test/xds/ads_client.h"

namespace ursa::xds {
namespace {

using envoy::service::discovery::v3::DeltaDiscoveryRequest;
using envoy::service::discovery::v3::DiscoveryRequest;
using namespace std::chrono_literals;

// The test's own StreamCallbacks: refuses node ids starting with "denied.",
// records ACKs and NACKs.
class RecordingCallbacks : public StreamCallbacks {
 public:
  absl::Status onStreamOpen(const StreamInfo& info) override {
    std::lock_guard lock(mu_);
    if (info.node_id.rfind("denied.", 0) == 0) return absl::UnauthenticatedError("token rejected");
    ++opened;
    return absl::OkStatus();
  }
  void onStreamClosed(const StreamInfo&) override {
    std::lock_guard lock(mu_);
    ++closed;
  }
  void onRequest(const StreamInfo&, TypeIndex, RequestKind kind, std::string_view,
                 std::string_view, std::optional<absl::Duration>) override {
    std::lock_guard lock(mu_);
    acks += kind == RequestKind::Ack;
    nacks += kind == RequestKind::Nack;
  }
  void onResponse(const StreamInfo&, TypeIndex, std::string_view, size_t, size_t) override {}

  std::mutex mu_;
  int opened = 0, closed = 0, acks = 0, nacks = 0;
};

envoy::config::cluster::v3::Cluster cluster(const std::string& name, int timeout_s = 5) {
  envoy::config::cluster::v3::Cluster c;
  c.set_name(name);
  c.mutable_connect_timeout()->set_seconds(timeout_s);
  return c;
}

envoy::config::endpoint::v3::ClusterLoadAssignment endpoints(const std::string& name, int port) {
  envoy::config::endpoint::v3::ClusterLoadAssignment cla;
  cla.set_cluster_name(name);
  auto* sa = cla.add_endpoints()->add_lb_endpoints()->mutable_endpoint()->mutable_address()
                 ->mutable_socket_address();
  sa->set_address("10.0.0.1");
  sa->set_port_value(port);
  return cla;
}

std::vector<std::string> names(const envoy::service::discovery::v3::DiscoveryResponse& r) {
  std::vector<std::string> out;
  for (const auto& any : r.resources()) {
    envoy::config::cluster::v3::Cluster c;
    envoy::config::endpoint::v3::ClusterLoadAssignment cla;
    if (any.type_url() == typeUrl(TypeIndex::Cluster) && any.UnpackTo(&c)) out.push_back(c.name());
    if (any.type_url() == typeUrl(TypeIndex::Endpoint) && any.UnpackTo(&cla)) {
      out.push_back(cla.cluster_name());
    }
  }
  return out;
}

class AdsProtocolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = AdsServer::start({.address = "127.0.0.1", .port = 0}, cache_, callbacks_);
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = std::move(*s);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                                   grpc::InsecureChannelCredentials());
  }
  void TearDown() override { server_->stop(); }

  void set(const std::string& node, const std::vector<envoy::config::cluster::v3::Cluster>& cs,
           const std::vector<envoy::config::endpoint::v3::ClusterLoadAssignment>& es = {}) {
    SnapshotBuilder b;
    for (const auto& c : cs) b.add(TypeIndex::Cluster, c.name(), c);
    for (const auto& e : es) b.add(TypeIndex::Endpoint, e.cluster_name(), e);
    cache_.set(node, b.build());
  }

  static DiscoveryRequest request(TypeIndex t, const std::string& node = "default.web-1",
                                  std::vector<std::string> resource_names = {}) {
    DiscoveryRequest r;
    r.set_type_url(std::string(typeUrl(t)));
    r.mutable_node()->set_id(node);
    for (auto& n : resource_names) r.add_resource_names(n);
    return r;
  }
  static DiscoveryRequest ack(const envoy::service::discovery::v3::DiscoveryResponse& res,
                              std::vector<std::string> resource_names = {}) {
    DiscoveryRequest r;
    r.set_type_url(res.type_url());
    r.set_version_info(res.version_info());
    r.set_response_nonce(res.nonce());
    for (auto& n : resource_names) r.add_resource_names(n);
    return r;
  }

  SnapshotCache cache_;
  RecordingCallbacks callbacks_;
  std::unique_ptr<AdsServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(AdsProtocolTest, WildcardClustersThenOnlyChangesAreSent) {
  set("default.web-1", {cluster("a"), cluster("b")});
  auto c = test::openSotw(channel_);
  ASSERT_TRUE(c->send(request(TypeIndex::Cluster)));
  auto first = c->next();
  ASSERT_TRUE(first);
  EXPECT_EQ(names(*first), (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(first->nonce().empty());
  ASSERT_TRUE(c->send(ack(*first)));
  EXPECT_FALSE(c->next(300ms)) << "an ACK must not trigger a response";

  // The same content again: nothing is sent.
  set("default.web-1", {cluster("a"), cluster("b")});
  EXPECT_FALSE(c->next(300ms));

  set("default.web-1", {cluster("a"), cluster("b", 9)});
  auto second = c->next();
  ASSERT_TRUE(second);
  EXPECT_NE(second->version_info(), first->version_info());
  EXPECT_NE(second->nonce(), first->nonce());
}

TEST_F(AdsProtocolTest, NoNewResponseOfATypeBeforeTheLastIsAcked) {
  set("default.web-1", {cluster("a")});
  auto c = test::openSotw(channel_);
  ASSERT_TRUE(c->send(request(TypeIndex::Cluster)));
  auto first = c->next();
  ASSERT_TRUE(first);
  set("default.web-1", {cluster("a", 7)});
  EXPECT_FALSE(c->next(300ms)) << "the first response is not ACKed yet";
  ASSERT_TRUE(c->send(ack(*first)));
  auto second = c->next();
  ASSERT_TRUE(second);
}

TEST_F(AdsProtocolTest, StaleNoncesAreIgnored) {
  set("default.web-1", {cluster("a")});
  auto c = test::openSotw(channel_);
  ASSERT_TRUE(c->send(request(TypeIndex::Cluster)));
  auto first = c->next();
  ASSERT_TRUE(first);
  auto stale = ack(*first);
  stale.set_response_nonce("not-a-nonce-we-sent");
  stale.mutable_error_detail()->set_message("should be ignored");
  ASSERT_TRUE(c->send(stale));
  EXPECT_FALSE(c->next(300ms));
  {
    std::lock_guard lock(callbacks_.mu_);
    EXPECT_EQ(callbacks_.nacks, 0);
  }
}

TEST_F(AdsProtocolTest, ANackedResourceKeepsTheLastAcceptedOneServed) {
  set("default.web-1", {cluster("a"), cluster("b")});
  auto c = test::openSotw(channel_);
  ASSERT_TRUE(c->send(request(TypeIndex::Cluster)));
  auto good = c->next();
  ASSERT_TRUE(good);
  ASSERT_TRUE(c->send(ack(*good)));

  set("default.web-1", {cluster("a"), cluster("b", 99)});  // the proxy will reject b:99
  auto bad = c->next();
  ASSERT_TRUE(bad);
  auto nack = ack(*bad);
  nack.set_version_info(good->version_info());
  nack.mutable_error_detail()->set_message("b: invalid connect_timeout");
  ASSERT_TRUE(c->send(nack));
  EXPECT_FALSE(c->next(300ms)) << "a NACK must not trigger a resend of the same config";

  // An unrelated change: b goes out as last ACKed (5s), not as rejected (99s).
  set("default.web-1", {cluster("a", 3), cluster("b", 99), cluster("c")});
  auto next = c->next();
  ASSERT_TRUE(next);
  EXPECT_EQ(names(*next), (std::vector<std::string>{"a", "b", "c"}));
  for (const auto& any : next->resources()) {
    envoy::config::cluster::v3::Cluster cl;
    ASSERT_TRUE(any.UnpackTo(&cl));
    if (cl.name() == "b") {
      EXPECT_EQ(cl.connect_timeout().seconds(), 5);
    }
    if (cl.name() == "a") {
      EXPECT_EQ(cl.connect_timeout().seconds(), 3);
    }
  }
  ASSERT_TRUE(c->send(ack(*next)));
  // New content for b is tried again.
  set("default.web-1", {cluster("a", 3), cluster("b", 6), cluster("c")});
  auto retried = c->next();
  ASSERT_TRUE(retried);
  std::lock_guard lock(callbacks_.mu_);
  EXPECT_EQ(callbacks_.nacks, 1);
}

TEST_F(AdsProtocolTest, NamedSubscriptionsGetOnlyTheirNames) {
  set("default.web-1", {}, {endpoints("a", 1), endpoints("b", 2), endpoints("c", 3)});
  auto c = test::openSotw(channel_);
  ASSERT_TRUE(c->send(request(TypeIndex::Endpoint, "default.web-1", {"a", "c"})));
  auto first = c->next();
  ASSERT_TRUE(first);
  EXPECT_EQ(names(*first), (std::vector<std::string>{"a", "c"}));
  // A change to an unsubscribed resource is not sent.
  ASSERT_TRUE(c->send(ack(*first, {"a", "c"})));
  set("default.web-1", {}, {endpoints("a", 1), endpoints("b", 9), endpoints("c", 3)});
  EXPECT_FALSE(c->next(300ms));
  // Asking for another name answers at once.
  ASSERT_TRUE(c->send(ack(*first, {"a", "b"})));
  auto second = c->next();
  ASSERT_TRUE(second);
  EXPECT_EQ(names(*second), (std::vector<std::string>{"a", "b"}));
}

TEST_F(AdsProtocolTest, TypesArePushedInDependencyOrder) {
  auto c = test::openSotw(channel_);
  // Subscribe in the "wrong" order before any snapshot exists.
  ASSERT_TRUE(c->send(request(TypeIndex::Endpoint, "default.web-1", {"a"})));
  ASSERT_TRUE(c->send(request(TypeIndex::Cluster)));
  ASSERT_TRUE(c->send(request(TypeIndex::Secret, "default.web-1", {"s"})));
  std::this_thread::sleep_for(200ms);
  envoy::extensions::transport_sockets::tls::v3::Secret secret;
  secret.set_name("s");
  SnapshotBuilder b;
  b.add(TypeIndex::Endpoint, "a", endpoints("a", 1));
  b.add(TypeIndex::Cluster, "a", cluster("a"));
  b.add(TypeIndex::Secret, "s", secret);
  cache_.set("default.web-1", b.build());
  std::vector<std::string> order;
  for (int i = 0; i < 3; ++i) {
    auto r = c->next();
    ASSERT_TRUE(r);
    order.push_back(std::string(shortName(*typeIndexOf(r->type_url()))));
  }
  EXPECT_EQ(order, (std::vector<std::string>{"Secret", "Cluster", "ClusterLoadAssignment"}));
}

TEST_F(AdsProtocolTest, ReconnectingGetsTheWholeConfigAgain) {
  set("default.web-1", {cluster("a")});
  {
    auto c = test::openSotw(channel_);
    ASSERT_TRUE(c->send(request(TypeIndex::Cluster)));
    ASSERT_TRUE(c->next());
  }
  auto again = test::openSotw(channel_);
  ASSERT_TRUE(again->send(request(TypeIndex::Cluster)));
  auto r = again->next();
  ASSERT_TRUE(r);
  EXPECT_EQ(names(*r), (std::vector<std::string>{"a"}));
}

TEST_F(AdsProtocolTest, BadStreamsEndWithAClearStatusAndOthersAreUnaffected) {
  set("default.web-1", {cluster("a")});
  auto healthy = test::openSotw(channel_);
  ASSERT_TRUE(healthy->send(request(TypeIndex::Cluster)));
  auto first = healthy->next();
  ASSERT_TRUE(first);

  auto unknown = test::openSotw(channel_);
  DiscoveryRequest r = request(TypeIndex::Cluster);
  r.set_type_url("type.googleapis.com/envoy.config.foo.v3.Bar");
  unknown->send(r);
  auto s1 = unknown->status();
  ASSERT_TRUE(s1);
  EXPECT_EQ(s1->error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s1->error_message().find("unknown type URL"), std::string::npos);

  auto bad_node = test::openSotw(channel_);
  bad_node->send(request(TypeIndex::Cluster, "no-dot-here"));
  auto s2 = bad_node->status();
  ASSERT_TRUE(s2);
  EXPECT_EQ(s2->error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  auto no_node = test::openSotw(channel_);
  DiscoveryRequest nn;
  nn.set_type_url(std::string(typeUrl(TypeIndex::Cluster)));
  no_node->send(nn);
  EXPECT_EQ(no_node->status()->error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  auto denied = test::openSotw(channel_);
  denied->send(request(TypeIndex::Cluster, "denied.web"));
  auto s3 = denied->status();
  ASSERT_TRUE(s3);
  EXPECT_EQ(s3->error_code(), grpc::StatusCode::UNAUTHENTICATED);

  // The healthy stream was never disturbed.
  ASSERT_TRUE(healthy->send(ack(*first)));
  set("default.web-1", {cluster("a", 8)});
  EXPECT_TRUE(healthy->next());
}

// Sends `bytes` as the first message of `method` (raw, whatever they are) and
// returns how the server ended the call.
grpc::Status sendRaw(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                     const std::string& bytes) {
  grpc::CompletionQueue cq;
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + 10s);
  auto wait = [&cq] {
    void* tag;
    bool ok;
    cq.Next(&tag, &ok);
    return ok;
  };
  auto call = stub.PrepareCall(&ctx, method, &cq);
  call->StartCall(nullptr);
  wait();
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1);
  call->Write(request, nullptr);
  wait();
  grpc::ByteBuffer response;
  call->Read(&response, nullptr);
  wait();
  grpc::Status status;
  call->Finish(&status, nullptr);
  wait();
  cq.Shutdown();
  return status;
}

TEST_F(AdsProtocolTest, UnparsableRequestsEndTheStreamWithInvalidArgument) {
  // Field 1 (node) claiming 2^32 bytes the message does not have.
  const std::string garbage("\x0a\x80\x80\x80\x80\x10junk", 10);
  for (const char* method :
       {"/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources",
        "/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources"}) {
    grpc::Status s = sendRaw(channel_, method, garbage);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << method << ": " << s.error_message();
    EXPECT_NE(s.error_message().find("malformed request"), std::string::npos) << s.error_message();
  }
  // The server still serves well-formed streams.
  set("default.web-1", {cluster("a")});
  auto healthy = test::openSotw(channel_);
  ASSERT_TRUE(healthy->send(request(TypeIndex::Cluster)));
  EXPECT_TRUE(healthy->next());
}

// --- delta --------------------------------------------------------------------

DeltaDiscoveryRequest deltaRequest(TypeIndex t, std::vector<std::string> subscribe = {},
                                   std::map<std::string, std::string> initial = {}) {
  DeltaDiscoveryRequest r;
  r.set_type_url(std::string(typeUrl(t)));
  r.mutable_node()->set_id("default.web-1");
  for (auto& n : subscribe) r.add_resource_names_subscribe(n);
  for (auto& [k, v] : initial) (*r.mutable_initial_resource_versions())[k] = v;
  return r;
}

DeltaDiscoveryRequest deltaAck(const envoy::service::discovery::v3::DeltaDiscoveryResponse& res) {
  DeltaDiscoveryRequest r;
  r.set_type_url(res.type_url());
  r.set_response_nonce(res.nonce());
  return r;
}

std::vector<std::string> deltaNames(const envoy::service::discovery::v3::DeltaDiscoveryResponse& r) {
  std::vector<std::string> out;
  for (const auto& res : r.resources()) out.push_back(res.name());
  return out;
}

TEST_F(AdsProtocolTest, DeltaSendsOnlyAddsChangesAndRemovals) {
  set("default.web-1", {cluster("a"), cluster("b")});
  auto c = test::openDelta(channel_);
  ASSERT_TRUE(c->send(deltaRequest(TypeIndex::Cluster)));
  auto first = c->next();
  ASSERT_TRUE(first);
  EXPECT_EQ(deltaNames(*first), (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(c->send(deltaAck(*first)));

  set("default.web-1", {cluster("a"), cluster("b", 9), cluster("c")});
  auto second = c->next();
  ASSERT_TRUE(second);
  EXPECT_EQ(deltaNames(*second), (std::vector<std::string>{"b", "c"}));
  EXPECT_TRUE(second->removed_resources().empty());
  ASSERT_TRUE(c->send(deltaAck(*second)));

  set("default.web-1", {cluster("b", 9), cluster("c")});
  auto third = c->next();
  ASSERT_TRUE(third);
  EXPECT_TRUE(third->resources().empty());
  ASSERT_EQ(third->removed_resources_size(), 1);
  EXPECT_EQ(third->removed_resources(0), "a");
  ASSERT_TRUE(c->send(deltaAck(*third)));
  set("default.web-1", {cluster("b", 9), cluster("c")});
  EXPECT_FALSE(c->next(300ms));
}

TEST_F(AdsProtocolTest, DeltaReconnectSendsOnlyWhatTheProxyLacks) {
  set("default.web-1", {cluster("a"), cluster("b")});
  std::string a_version;
  {
    auto c = test::openDelta(channel_);
    ASSERT_TRUE(c->send(deltaRequest(TypeIndex::Cluster)));
    auto first = c->next();
    ASSERT_TRUE(first);
    for (const auto& r : first->resources()) {
      if (r.name() == "a") a_version = r.version();
    }
  }
  set("default.web-1", {cluster("a"), cluster("b", 4)});
  auto c = test::openDelta(channel_);
  ASSERT_TRUE(c->send(deltaRequest(TypeIndex::Cluster, {}, {{"a", a_version}, {"b", "old"}})));
  auto r = c->next();
  ASSERT_TRUE(r);
  EXPECT_EQ(deltaNames(*r), (std::vector<std::string>{"b"}));
}

TEST_F(AdsProtocolTest, DeltaNamedSubscribeAndUnsubscribe) {
  set("default.web-1", {}, {endpoints("a", 1), endpoints("b", 2)});
  auto c = test::openDelta(channel_);
  ASSERT_TRUE(c->send(deltaRequest(TypeIndex::Endpoint, {"a"})));
  auto first = c->next();
  ASSERT_TRUE(first);
  EXPECT_EQ(deltaNames(*first), (std::vector<std::string>{"a"}));
  DeltaDiscoveryRequest more = deltaAck(*first);
  more.add_resource_names_subscribe("b");
  ASSERT_TRUE(c->send(more));
  auto second = c->next();
  ASSERT_TRUE(second);
  EXPECT_EQ(deltaNames(*second), (std::vector<std::string>{"b"}));
  DeltaDiscoveryRequest less = deltaAck(*second);
  less.add_resource_names_unsubscribe("a");
  ASSERT_TRUE(c->send(less));
  set("default.web-1", {}, {endpoints("a", 7), endpoints("b", 2)});
  EXPECT_FALSE(c->next(300ms)) << "a is unsubscribed";
}

TEST_F(AdsProtocolTest, DeltaNackDoesNotResendTheRejectedResource) {
  set("default.web-1", {cluster("a")});
  auto c = test::openDelta(channel_);
  ASSERT_TRUE(c->send(deltaRequest(TypeIndex::Cluster)));
  auto first = c->next();
  ASSERT_TRUE(first);
  ASSERT_TRUE(c->send(deltaAck(*first)));
  set("default.web-1", {cluster("a", 99)});
  auto bad = c->next();
  ASSERT_TRUE(bad);
  auto nack = deltaAck(*bad);
  nack.mutable_error_detail()->set_message("rejected");
  ASSERT_TRUE(c->send(nack));
  set("default.web-1", {cluster("a", 99), cluster("z")});
  auto next = c->next();
  ASSERT_TRUE(next);
  EXPECT_EQ(deltaNames(*next), (std::vector<std::string>{"z"}));
}

}  // namespace
}  // namespace ursa::xds
